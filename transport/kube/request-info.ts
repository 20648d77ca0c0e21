/**
 * What a Kubernetes API request asks for, read from its method, path and query, as
 * kube-apiserver's RequestInfoResolver reads it: the verb (get, list, watch, create, update,
 * patch, delete, deletecollection), the API group and version, the namespace, the resource,
 * the object's name and the subresource. Requests outside /api and /apis (discovery of the
 * server itself, /healthz, /openapi/…) are non-resource requests.
 */
export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequestInfo {
  readonly isResourceRequest: true;
  readonly verb: KubeVerb;
  /** '' for the core group (/api/v1). */
  readonly apiGroup: string;
  readonly apiVersion: string;
  /** '' when the request is not scoped to a namespace. */
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  readonly path: string;
  readonly query: URLSearchParams;
}

export interface NonResourceRequestInfo {
  readonly isResourceRequest: false;
  /** The lower-cased HTTP method. */
  readonly verb: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Set for group/version discovery paths (/api, /api/v1, /apis, /apis/g, /apis/g/v). */
  readonly discovery?: { readonly apiGroup?: string; readonly apiVersion?: string; readonly legacy: boolean };
}

export type KubeRequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/** Namespace subresources: `/namespaces/NAME/status` is the namespace's status, not a resource named status. */
const NAMESPACE_SUBRESOURCES: ReadonlySet<string> = new Set(['status', 'finalize']);

const SPECIAL_VERBS: ReadonlySet<string> = new Set(['proxy', 'watch']);

function splitPath(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

/** Parses a request line. Never throws: anything unrecognized is a non-resource request. */
export function resolveKubeRequestInfo(method: string, rawUrl: string): KubeRequestInfo {
  const url = requestUrl(rawUrl);
  const path = url.pathname;
  const query = url.searchParams;
  const lower = method.toLowerCase();
  const parts = splitPath(path);
  const nonResource = (discovery?: NonResourceRequestInfo['discovery']): NonResourceRequestInfo => ({
    isResourceRequest: false,
    verb: lower,
    path,
    query,
    ...(discovery ? { discovery } : {}),
  });
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return nonResource();
  const legacy = prefix === 'api';
  // /api, /api/v1, /apis, /apis/g, /apis/g/v are discovery.
  const minParts = legacy ? 2 : 3;
  if (parts.length < minParts || (parts.length === minParts && lower === 'get')) {
    if (legacy) return nonResource({ legacy, ...(parts[1] !== undefined ? { apiVersion: parts[1] } : {}) });
    return nonResource({ legacy, ...(parts[1] !== undefined ? { apiGroup: parts[1] } : {}), ...(parts[2] !== undefined ? { apiVersion: parts[2] } : {}) });
  }
  if (parts.length === minParts) return nonResource();
  const apiGroup = legacy ? '' : parts[1]!;
  const apiVersion = legacy ? parts[1]! : parts[2]!;
  let rest = parts.slice(minParts);
  let verb: string = lower;
  // The deprecated /watch/ prefix: /api/v1/watch/namespaces/x/pods.
  if (SPECIAL_VERBS.has(rest[0]!)) {
    if (rest.length < 2) return nonResource();
    verb = rest[0]!;
    rest = rest.slice(1);
  } else {
    verb = methodVerb(lower);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  if (rest.length > 3 || resource === '') return nonResource();
  // A GET without a name lists (or watches with ?watch=true); a DELETE without one is a collection delete.
  // A named watch (…/watch/…/pods/NAME or ?watch=true on a name) watches that one object.
  if (verb === 'get' && name === '') {
    verb = isTrue(query.get('watch')) ? 'watch' : 'list';
  } else if (verb === 'get' && isTrue(query.get('watch'))) {
    verb = 'watch';
  } else if (verb === 'delete' && name === '') {
    verb = 'deletecollection';
  }
  if (verb === 'proxy' || !isKubeVerb(verb)) return nonResource();
  return { isResourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name, path, query };
}

/**
 * The path and query of a request target, read as written. No URL parser: `new URL('//', base)`
 * throws, and dot segments must not be resolved (`…/pods/..` would name the namespace itself;
 * kube refuses `..` as a name instead). An absolute-form target keeps only its path.
 */
function requestUrl(rawUrl: string): { readonly pathname: string; readonly searchParams: URLSearchParams } {
  const target = rawUrl.split('#')[0]!;
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(path);
  return { pathname: absolute ? path.slice(absolute[0].length) || '/' : path, searchParams: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)) };
}

function methodVerb(method: string): string {
  switch (method) {
    case 'get':
    case 'head':
      return 'get';
    case 'post':
      return 'create';
    case 'put':
      return 'update';
    case 'patch':
      return 'patch';
    case 'delete':
      return 'delete';
    default:
      return method;
  }
}

function isKubeVerb(v: string): v is KubeVerb {
  return v === 'get' || v === 'list' || v === 'watch' || v === 'create' || v === 'update' || v === 'patch' || v === 'delete' || v === 'deletecollection';
}
