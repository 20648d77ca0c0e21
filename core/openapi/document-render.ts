import type { OpenApiOperation, OpenApiParameter, OpenApiPath } from './operations.js';
import { renderType, schemaRef, typeClosure, type OpenApiFlavor, type OpenApiJson } from './schema-render.js';
import type { OpenApiTypeRegistry } from './schema-dsl.js';

/** The media types responses are offered in (Flotilla serves no protobuf). */
const RESPONSE_CONTENT_TYPES = ['application/json', 'application/yaml'] as const;

const STATUS_TEXT: Readonly<Record<string, string>> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };

/** The definition names a set of paths needs: bodies and responses, before closure. */
export function pathTypeRoots(paths: readonly OpenApiPath[]): string[] {
  const roots = new Set<string>();
  for (const path of paths) {
    for (const op of path.operations) {
      if (op.body !== undefined) roots.add(op.body.type);
      for (const type of Object.values(op.responses)) roots.add(type);
    }
  }
  return [...roots];
}

/** The named schemas of `roots` and everything they reference, rendered for `flavor`. */
export function renderSchemas(roots: Iterable<string>, registry: OpenApiTypeRegistry, flavor: OpenApiFlavor): OpenApiJson {
  const schemas: OpenApiJson = {};
  for (const name of typeClosure(roots, registry)) {
    const type = registry[name];
    if (type !== undefined) schemas[name] = renderType(type, flavor);
  }
  return schemas;
}

function parameter(p: OpenApiParameter, flavor: OpenApiFlavor): OpenApiJson {
  const base: OpenApiJson = { name: p.name, in: p.in, description: p.description };
  if (p.required === true) base.required = true;
  const schema: OpenApiJson = { type: p.type, uniqueItems: true };
  return flavor === 'v3' ? { ...base, schema } : { ...base, ...schema };
}

function gvkExtension(op: OpenApiOperation): OpenApiJson {
  return { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
}

function operationV3(op: OpenApiOperation): OpenApiJson {
  const responses: OpenApiJson = {};
  for (const [code, type] of Object.entries(op.responses)) {
    const schema = { $ref: schemaRef('v3', type) };
    responses[code] = { description: STATUS_TEXT[code] ?? 'OK', content: Object.fromEntries(RESPONSE_CONTENT_TYPES.map((t) => [t, { schema }])) };
  }
  responses['401'] = { description: 'Unauthorized' };
  const out: OpenApiJson = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.parameters.length > 0) out.parameters = op.parameters.map((p) => parameter(p, 'v3'));
  if (op.body !== undefined) {
    const schema = { $ref: schemaRef('v3', op.body.type) };
    out.requestBody = { content: Object.fromEntries(op.body.contentTypes.map((t) => [t, { schema }])), required: op.method !== 'delete' };
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = gvkExtension(op);
  return out;
}

function operationV2(op: OpenApiOperation): OpenApiJson {
  const responses: OpenApiJson = {};
  for (const [code, type] of Object.entries(op.responses)) {
    responses[code] = { description: STATUS_TEXT[code] ?? 'OK', schema: { $ref: schemaRef('v2', type) } };
  }
  responses['401'] = { description: 'Unauthorized' };
  const parameters = op.parameters.map((p) => parameter(p, 'v2'));
  if (op.body !== undefined) parameters.unshift({ name: 'body', in: 'body', required: op.method !== 'delete', schema: { $ref: schemaRef('v2', op.body.type) } });
  const out: OpenApiJson = { description: op.description };
  if (op.body !== undefined) out.consumes = [...op.body.contentTypes];
  out.produces = [...RESPONSE_CONTENT_TYPES];
  out.schemes = ['https'];
  out.tags = [op.tag];
  out.operationId = op.operationId;
  if (parameters.length > 0) out.parameters = parameters;
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = gvkExtension(op);
  return out;
}

/** The `paths` object of a document. */
export function renderPaths(paths: readonly OpenApiPath[], flavor: OpenApiFlavor): OpenApiJson {
  const out: OpenApiJson = {};
  for (const path of [...paths].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const item: OpenApiJson = {};
    for (const op of path.operations) item[op.method] = flavor === 'v3' ? operationV3(op) : operationV2(op);
    item.parameters = path.parameters.map((p) => parameter(p, flavor));
    out[path.path] = item;
  }
  return out;
}
