import {
  acceptedTableVersion,
  ApiBadRequestError,
  ApiMethodNotAllowedError,
  ApiStatusError,
  convertFieldSelectorForKind,
  FieldSelectorNotSupportedError,
  FieldSelectorParseError,
  fieldSelectorMatchesObject,
  LabelSelectorParseError,
  parseFieldSelector,
  parseLabelSelector,
  renderTable,
} from '../../core/index.js';
import type { FieldValidationDirective, StorageObject, StoragePredicate, TableIncludeObject } from '../../core/index.js';
import type { KubeHttpRequest, KubeHttpResponse, ResourceRequestInfo } from '../../transport/index.js';
import { JSON_MEDIA_TYPES } from '../../transport/index.js';
import type { UserInfo } from './auth.js';
import { decodeObject } from './kinds.js';
import { isJsonMap, metaOf } from './object-meta.js';
import type { JsonMap } from './object-meta.js';
import { applyPatch, PATCH_TYPES, patchTypeOf } from './patch.js';
import type { DeleteOptions, ResourceRest, WriteOptions, WriteResult } from './rest.js';
import { bindPod, getScale, updateScale } from './subresources.js';
import { apiErrorFromStorage } from './storage-errors.js';
import { openWatchStream } from './watch-stream.js';

/** Everything a resource request needs besides the request itself. */
export interface ResourceRequestContext {
  readonly rest: ResourceRest;
  readonly info: ResourceRequestInfo;
  readonly req: KubeHttpRequest;
  readonly user: UserInfo;
  readonly nowMs: () => number;
}

const COMMA = Buffer.from(',');
const CLOSE_LIST = Buffer.from(']}');

function json(code: number, body: unknown, warnings: readonly string[] = []): KubeHttpResponse {
  return warnings.length > 0
    ? { type: 'json', code, body, headers: { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ') } }
    : { type: 'json', code, body };
}

function fieldValidationOf(q: URLSearchParams): FieldValidationDirective {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw new ApiBadRequestError(`fieldValidation parameter unsupported: ${v}, valid values: Ignore, Warn, Strict`);
}

function writeOptions(c: ResourceRequestContext, body?: JsonMap): WriteOptions {
  const q = c.info.query;
  const dryRunQuery = q.getAll('dryRun');
  const dryRunBody = body && Array.isArray(body.dryRun) ? (body.dryRun as unknown[]) : [];
  const all = [...dryRunQuery, ...dryRunBody];
  for (const d of all) if (d !== 'All') throw new ApiBadRequestError(`Invalid value: ${JSON.stringify(d)}: supported values: "All"`);
  return { dryRun: all.length > 0, fieldValidation: fieldValidationOf(q), user: c.user };
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ApiBadRequestError(`invalid value for ${name}: ${v}`);
  return n;
}

/** The predicate of a request's labelSelector and fieldSelector (400 when either does not parse). */
export function selectionPredicate(c: Pick<ResourceRequestContext, 'rest'>, q: URLSearchParams, extraFieldSelector?: string): StoragePredicate | undefined {
  const type = c.rest.type;
  const labelText = q.get('labelSelector') ?? '';
  const fieldParts = [q.get('fieldSelector') ?? '', extraFieldSelector ?? ''].filter((s) => s !== '');
  if (labelText === '' && fieldParts.length === 0) return undefined;
  try {
    const labels = parseLabelSelector(labelText);
    const fields = convertFieldSelectorForKind(parseFieldSelector(fieldParts.join(',')), type.group, type.kind);
    return (obj: StorageObject) => {
      const meta = isJsonMap(obj.metadata) ? obj.metadata : {};
      const objLabels = isJsonMap(meta.labels) ? (meta.labels as Record<string, string>) : {};
      return labels.matches(objLabels) && fieldSelectorMatchesObject(fields, type.group, type.kind, obj, type.namespaced);
    };
  } catch (err) {
    if (err instanceof LabelSelectorParseError || err instanceof FieldSelectorParseError || err instanceof FieldSelectorNotSupportedError) {
      throw new ApiBadRequestError(err.message);
    }
    throw err;
  }
}

function includeObjectOf(q: URLSearchParams): TableIncludeObject | undefined {
  const v = q.get('includeObject');
  if (v === null || v === '') return undefined;
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw new ApiBadRequestError(`includeObject parameter unsupported: ${v}`);
}

/** Serves one resource request (the verb already resolved from the method and path). */
export async function serveResource(c: ResourceRequestContext): Promise<KubeHttpResponse> {
  const { info, rest } = c;
  const sub = info.subresource;
  // Across all namespaces kube routes only list and watch of a namespaced resource: no object path (404), no other verb (405).
  if (rest.type.namespaced && info.namespace === '' && info.verb !== 'list' && info.verb !== 'watch') {
    if (info.name !== '') throw new ApiStatusNotFound();
    throw new ApiMethodNotAllowedError({ group: rest.type.group, resource: rest.type.resource }, info.verb);
  }
  if (sub === 'scale') return serveScale(c);
  if (sub === 'binding') {
    if (info.verb !== 'create') throw new ApiMethodNotAllowedError({ group: '', resource: 'pods/binding' }, info.verb);
    const body = await c.req.body(JSON_MEDIA_TYPES);
    return json(201, await bindPod(rest, info.namespace, info.name, body, writeOptions(c)));
  }
  if (sub === 'eviction') {
    if (info.verb !== 'create') throw new ApiMethodNotAllowedError({ group: '', resource: 'pods/eviction' }, info.verb);
    return serveEviction(c);
  }
  if (sub !== '' && sub !== 'status') throw new ApiStatusNotFound();
  // kube routes no POST to a named object, no PUT or PATCH to a collection, and no verb the resource lacks: 405.
  if ((info.verb === 'create' && info.name !== '') || ((info.verb === 'update' || info.verb === 'patch') && info.name === '') || (sub === '' && !rest.type.verbs.includes(info.verb))) {
    throw new ApiMethodNotAllowedError({ group: rest.type.group, resource: rest.type.resource }, info.verb);
  }
  switch (info.verb) {
    case 'get':
      return renderOne(c, await rest.get(info.namespace, info.name, info.query.get('resourceVersion') ?? undefined));
    case 'list':
      return serveList(c);
    case 'watch':
      return serveWatch(c);
    case 'create': {
      if (sub !== '') throw new ApiMethodNotAllowedError({ group: rest.type.group, resource: `${rest.type.resource}/${sub}` }, 'create');
      const body = await c.req.body(JSON_MEDIA_TYPES);
      const r = await rest.create(info.namespace, body, writeOptions(c));
      return json(201, r.object, r.warnings);
    }
    case 'update': {
      const body = await c.req.body(JSON_MEDIA_TYPES);
      const r = await rest.update(info.namespace, info.name, body, sub === 'status' ? 'status' : '', writeOptions(c));
      return json(200, r.object, r.warnings);
    }
    case 'patch':
      return servePatch(c);
    case 'delete': {
      const body = await deleteBody(c);
      const opts = deleteOptions(info.query, body);
      const r = await rest.delete(info.namespace, info.name, opts, writeOptions(c, body));
      return json(r.deleted === false ? 202 : 200, r.object);
    }
    case 'deletecollection':
      return serveDeleteCollection(c);
  }
}

class ApiStatusNotFound extends ApiStatusError {
  readonly reason = 'NotFound';
  readonly code = 404;
  constructor() {
    super('the server could not find the requested resource');
  }
}

export { ApiStatusNotFound as ResourceNotFoundError };

async function deleteBody(c: ResourceRequestContext): Promise<JsonMap | undefined> {
  if (c.req.headers['content-length'] === undefined && c.req.headers['transfer-encoding'] === undefined) return undefined;
  const b = await c.req.body([...JSON_MEDIA_TYPES]).catch((err: unknown) => {
    if (err instanceof ApiBadRequestError && err.message === 'the request body is empty') return undefined;
    throw err;
  });
  if (b === undefined) return undefined;
  if (!isJsonMap(b)) throw new ApiBadRequestError('the body of a delete must be DeleteOptions');
  return b;
}

/**
 * POST pods/NAME/eviction (policy/v1 Eviction, what `kubectl drain` sends): deletes the pod with
 * the Eviction's deleteOptions. There are no PodDisruptionBudgets yet, so nothing refuses (429).
 */
async function serveEviction(c: ResourceRequestContext): Promise<KubeHttpResponse> {
  const { info, rest } = c;
  const body = await c.req.body(JSON_MEDIA_TYPES);
  if (!isJsonMap(body)) throw new ApiBadRequestError('the body of an eviction must be an Eviction');
  const name = isJsonMap(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
  if (name !== '' && name !== info.name) throw new ApiBadRequestError(`name in URL does not match name in Eviction object`);
  const options = isJsonMap(body.deleteOptions) ? body.deleteOptions : undefined;
  await rest.delete(info.namespace, info.name, deleteOptions(new URLSearchParams(), options), writeOptions(c, options));
  return json(201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}

function deleteOptions(q: URLSearchParams, body: JsonMap | undefined): DeleteOptions {
  const policy = (body?.propagationPolicy as string | undefined) ?? q.get('propagationPolicy') ?? undefined;
  if (policy !== undefined && policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
    throw new ApiBadRequestError(`Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const orphan = body?.orphanDependents ?? (q.get('orphanDependents') === 'true' ? true : undefined);
  const grace = typeof body?.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : intParam(q, 'gracePeriodSeconds');
  const pre = isJsonMap(body?.preconditions) ? body.preconditions : undefined;
  return {
    ...(policy !== undefined ? { propagationPolicy: policy } : orphan === true ? { propagationPolicy: 'Orphan' as const } : {}),
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(pre
      ? {
          preconditions: {
            ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}),
            ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}),
          },
        }
      : {}),
  };
}

function renderOne(c: ResourceRequestContext, obj: JsonMap): KubeHttpResponse {
  const tableVersion = acceptedTableVersion(String(c.req.headers.accept ?? ''));
  if (tableVersion === undefined) return json(200, obj);
  const includeObject = includeObjectOf(c.info.query);
  return json(
    200,
    renderTable(c.rest.type, [obj], {
      nowMs: c.nowMs(),
      tableVersion,
      ...(includeObject ? { includeObject } : {}),
      listMetadata: { resourceVersion: String(metaOf(obj).resourceVersion ?? '') },
    }),
  );
}

async function serveList(c: ResourceRequestContext): Promise<KubeHttpResponse> {
  const q = c.info.query;
  const predicate = selectionPredicate(c, q);
  const rvMatch = q.get('resourceVersionMatch');
  if (rvMatch !== null && rvMatch !== '' && rvMatch !== 'NotOlderThan' && rvMatch !== 'Exact') throw new ApiBadRequestError(`resourceVersionMatch: Unsupported value: "${rvMatch}"`);
  const limit = intParam(q, 'limit');
  const r = await c.rest.listStored(c.info.namespace, {
    ...(predicate ? { predicate } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(q.get('continue') ? { continue: q.get('continue')! } : {}),
    ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
    ...(rvMatch === 'NotOlderThan' || rvMatch === 'Exact' ? { resourceVersionMatch: rvMatch } : {}),
  });
  const listMeta = { resourceVersion: r.resourceVersion, ...(r.continue ? { continue: r.continue } : {}), ...(r.remainingItemCount !== undefined ? { remainingItemCount: r.remainingItemCount } : {}) };
  const tableVersion = acceptedTableVersion(String(c.req.headers.accept ?? ''));
  if (tableVersion !== undefined) {
    const includeObject = includeObjectOf(q);
    const items = r.items.map((i) => c.rest.typed(i));
    return json(200, renderTable(c.rest.type, items, { nowMs: c.nowMs(), tableVersion, listMetadata: listMeta, ...(includeObject ? { includeObject } : {}) }));
  }
  // As JSON.stringify({kind, apiVersion, metadata, items}) would write it, from each object's kept text.
  const head = JSON.stringify({ kind: c.rest.type.listKind, apiVersion: c.rest.apiVersion, metadata: listMeta }).slice(0, -1);
  const parts: Buffer[] = [Buffer.from(`${head},"items":[`)];
  r.items.forEach((item, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(c.rest.typedJson(item));
  });
  parts.push(CLOSE_LIST);
  return { type: 'raw', code: 200, contentType: 'application/json', body: Buffer.concat(parts) };
}

async function serveWatch(c: ResourceRequestContext): Promise<KubeHttpResponse> {
  const { info, rest } = c;
  const q = info.query;
  // A named watch (…/pods/NAME?watch=true) watches one object: kube turns it into a field selector.
  const predicate = selectionPredicate(c, q, info.name !== '' ? `metadata.name=${info.name}` : undefined);
  const tableVersion = acceptedTableVersion(String(c.req.headers.accept ?? ''));
  const includeObject = includeObjectOf(q);
  const timeoutSeconds = intParam(q, 'timeoutSeconds');
  const sendInitial = q.get('sendInitialEvents');
  let first = true;
  const stream = await openWatchStream(rest.store, {
    key: rest.collectionKey(info.namespace),
    recursive: true,
    ...(q.get('resourceVersion') !== null ? { resourceVersion: q.get('resourceVersion')! } : {}),
    ...(predicate ? { predicate } : {}),
    allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
    ...(sendInitial === 'true' || sendInitial === 'false' ? { sendInitialEvents: sendInitial === 'true' } : {}),
    ...(timeoutSeconds !== undefined ? { timeoutMs: timeoutSeconds * 1000 } : {}),
    ...(tableVersion === undefined ? { line: (type: string, object: StorageObject) => rest.watchEventLine(type, object) } : {}),
    render: (type, object) => {
      const typed = rest.typed(object);
      if (tableVersion === undefined || type === 'BOOKMARK') return typed;
      const table = renderTable(rest.type, [typed], { nowMs: c.nowMs(), tableVersion, noHeaders: !first, ...(includeObject ? { includeObject } : {}), listMetadata: { resourceVersion: String(metaOf(typed).resourceVersion ?? '') } });
      first = false;
      return table;
    },
  }).catch((err: unknown) => {
    // A watch the storage refuses to open (a resourceVersion that does not parse) is the client's error.
    throw apiErrorFromStorage(err, { group: rest.type.group, resource: rest.type.resource }, '');
  });
  return { type: 'watch', stream };
}

async function servePatch(c: ResourceRequestContext): Promise<KubeHttpResponse> {
  const { info, rest } = c;
  const patchType = patchTypeOf(c.req.contentType);
  const patch = await c.req.body(Object.keys(PATCH_TYPES));
  const o = writeOptions(c);
  let warnings: string[] = [];
  const r: WriteResult = await rest.updateWith(
    info.namespace,
    info.name,
    (current) => {
      const next = applyPatch(rest.type, current, patchType, patch);
      warnings = decodeObject(rest.type, next, o.fieldValidation, 'patch');
      return next;
    },
    info.subresource,
    o,
  );
  return json(200, r.object, warnings);
}

async function serveDeleteCollection(c: ResourceRequestContext): Promise<KubeHttpResponse> {
  const body = await deleteBody(c);
  const opts = deleteOptions(c.info.query, body);
  const predicate = selectionPredicate(c, c.info.query);
  const { items, resourceVersion } = await c.rest.list(c.info.namespace, predicate ? { predicate } : {});
  const deleted: JsonMap[] = [];
  for (const item of items) {
    const meta = metaOf(item);
    const r = await c.rest.delete(String(meta.namespace ?? c.info.namespace), String(meta.name ?? ''), opts, writeOptions(c, body)).catch((err: unknown) => {
      if (err instanceof ApiStatusError && err.code === 404) return undefined;
      throw err;
    });
    if (r) deleted.push(r.object);
  }
  return json(200, { kind: c.rest.type.listKind, apiVersion: c.rest.apiVersion, metadata: { resourceVersion }, items: deleted });
}

async function serveScale(c: ResourceRequestContext): Promise<KubeHttpResponse> {
  const { info, rest } = c;
  if (!rest.type.subresources.some((s) => s.name === 'scale')) throw new ApiStatusNotFound();
  if (info.verb === 'get') return json(200, await getScale(rest, info.namespace, info.name));
  if (info.verb === 'update' || info.verb === 'patch') {
    // `kubectl scale --current-replicas` PUTs without a Content-Type: JSON.
    const patchType = info.verb === 'patch' ? patchTypeOf(c.req.contentType) : undefined;
    const body = await c.req.body(info.verb === 'patch' ? Object.keys(PATCH_TYPES) : JSON_MEDIA_TYPES);
    return json(200, await updateScale(rest, info.namespace, info.name, body, patchType, writeOptions(c)));
  }
  throw new ApiMethodNotAllowedError({ group: rest.type.group, resource: `${rest.type.resource}/scale` }, info.verb);
}
