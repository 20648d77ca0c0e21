import { definitionName, type OpenApiGroupVersionKind } from './schema-dsl.js';
import { OPENAPI_DEFAULT_VERBS, subresourceGvk, type OpenApiResource, type OpenApiSubresource } from './resources.js';

/** A request parameter, independent of the OpenAPI dialect. */
export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly description: string;
  readonly type: 'string' | 'boolean' | 'integer';
  readonly required?: boolean;
}

/** `x-kubernetes-action` values. */
export type OpenApiAction = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection';

/** One operation, independent of the OpenAPI dialect. */
export interface OpenApiOperation {
  readonly method: 'get' | 'put' | 'post' | 'delete' | 'patch';
  readonly operationId: string;
  readonly description: string;
  readonly action: OpenApiAction;
  readonly gvk: OpenApiGroupVersionKind;
  readonly tag: string;
  readonly parameters: readonly OpenApiParameter[];
  /** Definition name of the request body, and the media types it is accepted in. */
  readonly body?: { readonly type: string; readonly contentTypes: readonly string[] };
  /** Definition name of the response body, by status code. */
  readonly responses: Readonly<Record<string, string>>;
}

/** A path with its shared parameters and its operations. */
export interface OpenApiPath {
  readonly path: string;
  readonly parameters: readonly OpenApiParameter[];
  readonly operations: readonly OpenApiOperation[];
}

/** The media types a PATCH accepts: the four patch flavours kube serves. */
export const OPENAPI_PATCH_CONTENT_TYPES: readonly string[] = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';

const q = (name: string, type: OpenApiParameter['type'], description: string): OpenApiParameter => ({ name, in: 'query', type, description });

const PRETTY = q('pretty', 'string', "If 'true', the output is pretty printed.");
const NAME = { name: 'name', in: 'path', type: 'string', required: true, description: 'name of the object' } as const;
const NAMESPACE = { name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' } as const;
const DRY_RUN = q('dryRun', 'string', "When present, modifications are not persisted. The only valid value is 'All'.");
const FIELD_MANAGER = q('fieldManager', 'string', 'A name associated with the actor or entity making these changes.');
/** kubectl looks for this parameter on PATCH to decide that the server validates fields itself. */
const FIELD_VALIDATION = q('fieldValidation', 'string', 'How to treat unknown or duplicate fields: Ignore, Warn or Strict.');
const FORCE = q('force', 'boolean', 'Force apply requests: re-acquire fields owned by other managers. Only for apply patches.');
const LIST_PARAMETERS: readonly OpenApiParameter[] = [
  q('allowWatchBookmarks', 'boolean', 'Request watch events of type BOOKMARK.'),
  q('continue', 'string', 'The continue token from a previous paged list.'),
  q('fieldSelector', 'string', 'A selector restricting the returned objects by their fields.'),
  q('labelSelector', 'string', 'A selector restricting the returned objects by their labels.'),
  q('limit', 'integer', 'The maximum number of objects to return in one page.'),
  q('resourceVersion', 'string', 'Constrains which resource versions the request may be served from.'),
  q('resourceVersionMatch', 'string', 'How resourceVersion is applied: Exact or NotOlderThan.'),
  q('sendInitialEvents', 'boolean', 'With watch=true, start the watch with synthetic events for the current state.'),
  q('timeoutSeconds', 'integer', 'Timeout for the list or watch call.'),
  q('watch', 'boolean', 'Watch for changes and return them as a stream of events.'),
];
const DELETE_PARAMETERS: readonly OpenApiParameter[] = [
  DRY_RUN,
  q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes immediately.'),
  q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean', 'Delete a corrupt object that cannot be read from storage.'),
  q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  q('propagationPolicy', 'string', 'Garbage collection of dependents: Orphan, Background or Foreground.'),
];

/** "CoreV1", "AppsV1", "CoordinationV1": the group-version part of kube operation ids. */
function groupVersionId(group: string, version: string): string {
  const head = group === '' ? 'core' : (group.split('.')[0] ?? group);
  return head.charAt(0).toUpperCase() + head.slice(1) + version.charAt(0).toUpperCase() + version.slice(1);
}

function tagOf(group: string, version: string): string {
  return `${group === '' ? 'core' : (group.split('.')[0] ?? group)}_${version}`;
}

/** The paths and operations kube serves for `resource`, restricted to its verbs. */
export function resourceOpenApiPaths(resource: OpenApiResource): OpenApiPath[] {
  const verbs = new Set(resource.verbs ?? OPENAPI_DEFAULT_VERBS);
  const { group, version, kind } = resource;
  const gvId = groupVersionId(group, version);
  const scope = resource.namespaced ? 'Namespaced' : '';
  const root = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const collection = resource.namespaced ? `${root}/namespaces/{namespace}/${resource.resource}` : `${root}/${resource.resource}`;
  const scopeParams = resource.namespaced ? [NAMESPACE] : [];
  const gvk = { group, version, kind };
  const kindType = definitionName(gvk);
  const listTypeName = definitionName({ group, version, kind: `${kind}List` });
  const tag = tagOf(group, version);
  const op = (o: Omit<OpenApiOperation, 'tag'>): OpenApiOperation => ({ ...o, tag });
  const paths: OpenApiPath[] = [];

  const collectionOps: OpenApiOperation[] = [];
  if (verbs.has('list')) {
    collectionOps.push(op({ method: 'get', operationId: `list${gvId}${scope}${kind}`, description: `list or watch objects of kind ${kind}`, action: 'list', gvk, parameters: LIST_PARAMETERS, responses: { '200': listTypeName } }));
  }
  if (verbs.has('create')) {
    collectionOps.push(op({ method: 'post', operationId: `create${gvId}${scope}${kind}`, description: `create a ${kind}`, action: 'post', gvk, parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], body: { type: kindType, contentTypes: ['*/*'] }, responses: { '200': kindType, '201': kindType, '202': kindType } }));
  }
  if (verbs.has('deletecollection')) {
    collectionOps.push(op({ method: 'delete', operationId: `delete${gvId}Collection${scope}${kind}`, description: `delete collection of ${kind}`, action: 'deletecollection', gvk, parameters: [...LIST_PARAMETERS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks'), ...DELETE_PARAMETERS], body: { type: DELETE_OPTIONS, contentTypes: ['*/*'] }, responses: { '200': STATUS } }));
  }
  if (collectionOps.length > 0) paths.push({ path: collection, parameters: [...scopeParams, PRETTY], operations: collectionOps });

  const itemOps: OpenApiOperation[] = [];
  if (verbs.has('get')) {
    itemOps.push(op({ method: 'get', operationId: `read${gvId}${scope}${kind}`, description: `read the specified ${kind}`, action: 'get', gvk, parameters: [], responses: { '200': kindType } }));
  }
  if (verbs.has('update')) {
    itemOps.push(op({ method: 'put', operationId: `replace${gvId}${scope}${kind}`, description: `replace the specified ${kind}`, action: 'put', gvk, parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], body: { type: kindType, contentTypes: ['*/*'] }, responses: { '200': kindType, '201': kindType } }));
  }
  if (verbs.has('delete')) {
    itemOps.push(op({ method: 'delete', operationId: `delete${gvId}${scope}${kind}`, description: `delete a ${kind}`, action: 'delete', gvk, parameters: DELETE_PARAMETERS, body: { type: DELETE_OPTIONS, contentTypes: ['*/*'] }, responses: { '200': STATUS, '202': STATUS } }));
  }
  if (verbs.has('patch')) {
    itemOps.push(op({ method: 'patch', operationId: `patch${gvId}${scope}${kind}`, description: `partially update the specified ${kind}`, action: 'patch', gvk, parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE], body: { type: PATCH, contentTypes: OPENAPI_PATCH_CONTENT_TYPES }, responses: { '200': kindType, '201': kindType } }));
  }
  if (itemOps.length > 0) paths.push({ path: `${collection}/{name}`, parameters: [NAME, ...scopeParams, PRETTY], operations: itemOps });

  if (resource.namespaced && verbs.has('list')) {
    paths.push({
      path: `${root}/${resource.resource}`,
      parameters: [PRETTY],
      operations: [op({ method: 'get', operationId: `list${gvId}${kind}ForAllNamespaces`, description: `list or watch objects of kind ${kind}`, action: 'list', gvk, parameters: LIST_PARAMETERS, responses: { '200': listTypeName } })],
    });
  }

  for (const sub of resource.subresources ?? []) {
    const path = subresourcePath(resource, sub, collection, scopeParams, gvId, scope, tag);
    if (path !== undefined) paths.push(path);
  }
  return paths;
}

function subresourcePath(
  resource: OpenApiResource,
  sub: OpenApiSubresource,
  collection: string,
  scopeParams: readonly OpenApiParameter[],
  gvId: string,
  scope: string,
  tag: string,
): OpenApiPath | undefined {
  const gvk = subresourceGvk(sub);
  const bodyType = definitionName(gvk);
  const suffix = resource.kind + sub.name.charAt(0).toUpperCase() + sub.name.slice(1);
  const what = `${sub.name} of the specified ${resource.kind}`;
  const verbs = new Set(sub.verbs);
  const operations: OpenApiOperation[] = [];
  if (verbs.has('get')) {
    operations.push({ method: 'get', operationId: `read${gvId}${scope}${suffix}`, description: `read ${what}`, action: 'get', gvk, tag, parameters: [], responses: { '200': bodyType } });
  }
  if (verbs.has('create')) {
    operations.push({ method: 'post', operationId: `create${gvId}${scope}${suffix}`, description: `create ${what}`, action: 'post', gvk, tag, parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], body: { type: bodyType, contentTypes: ['*/*'] }, responses: { '200': bodyType, '201': bodyType, '202': bodyType } });
  }
  if (verbs.has('update')) {
    operations.push({ method: 'put', operationId: `replace${gvId}${scope}${suffix}`, description: `replace ${what}`, action: 'put', gvk, tag, parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], body: { type: bodyType, contentTypes: ['*/*'] }, responses: { '200': bodyType, '201': bodyType } });
  }
  if (verbs.has('patch')) {
    operations.push({ method: 'patch', operationId: `patch${gvId}${scope}${suffix}`, description: `partially update ${what}`, action: 'patch', gvk, tag, parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE], body: { type: PATCH, contentTypes: OPENAPI_PATCH_CONTENT_TYPES }, responses: { '200': bodyType, '201': bodyType } });
  }
  if (operations.length === 0) return undefined;
  return { path: `${collection}/{name}/${sub.name}`, parameters: [NAME, ...scopeParams, PRETTY], operations };
}
