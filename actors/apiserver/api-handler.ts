import {
  ApiBadRequestError,
  acceptedAggregatedDiscovery,
  AGGREGATED_DISCOVERY_V2_CONTENT_TYPE,
  AGGREGATED_DISCOVERY_V2BETA1_CONTENT_TYPE,
  ApiNotAcceptableError,
  buildOpenApiV2,
  buildOpenApiV3Documents,
  buildOpenApiV3Index,
  renderAggregatedDiscovery,
  renderApiGroupList,
  renderApiResourceList,
  renderApiVersions,
} from '../../core/index.js';
import type { ApiResourceType, OpenApiResource, OpenApiV3GroupVersionDocument } from '../../core/index.js';
import type { KubeHandler, KubeHttpRequest, KubeHttpResponse, NonResourceRequestInfo, ResourceRequestInfo } from '../../transport/index.js';
import type { Authenticator, Authorizer } from './auth.js';
import { authenticateAndAuthorize } from './auth.js';
import { ResourceNotFoundError, serveResource } from './resource-handler.js';
import type { ResourceRest } from './rest.js';

/** The Kubernetes version kubectl's dispatcher reads from /version to pick its own version. */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-flotilla' } as const;

export interface ApiHandlerOptions {
  readonly resources: readonly ApiResourceType[];
  readonly rest: (group: string, version: string, resource: string) => ResourceRest | undefined;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly nowMs: () => number;
  /** Whether the store answers: /readyz and /healthz report it. */
  readonly ready: () => Promise<boolean>;
  /** Prometheus text for /metrics. */
  readonly metrics?: () => Promise<string>;
  readonly serverAddress: () => string;
  /** Requests served outside the registry (pods/log, pods/exec, metrics.k8s.io). */
  readonly extension?: ApiHandlerExtension;
}

/** Resources served by other means than the storage-backed registry, after authentication. */
export interface ApiHandlerExtension {
  /** Listed in discovery besides the registry's resources (not in OpenAPI). */
  readonly discovery: readonly OpenApiResource[];
  /** The response, or undefined when the request is not the extension's. */
  serve(req: KubeHttpRequest, info: ResourceRequestInfo): Promise<KubeHttpResponse> | undefined;
}

/**
 * Deepest nesting a request body may have. Go's JSON decoder (kube's) stops at 10000; the walkers
 * here (patches, decoding) recurse, and no built-in kind nests past a few dozen levels.
 */
export const MAX_BODY_NESTING_DEPTH = 1_000;

/** Why a decoded body is not plain JSON within MAX_BODY_NESTING_DEPTH; undefined when it is. */
function jsonBodyProblem(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [v, depth] = next;
    // YAML can also give what JSON cannot hold (.inf, !!binary bytes, !!timestamp dates, !!set maps).
    if (typeof v === 'number' && !Number.isFinite(v)) return `json: unsupported value: ${v}`;
    if (typeof v !== 'object' || v === null) continue;
    if (!Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return `json: unsupported type: ${v.constructor.name}`;
    if (depth >= MAX_BODY_NESTING_DEPTH) return `the request body is nested more than ${MAX_BODY_NESTING_DEPTH} levels deep`;
    for (const child of Array.isArray(v) ? (v as unknown[]) : Object.values(v)) pending.push([child, depth + 1]);
  }
  return undefined;
}

/** The request with a body that is refused (400) when it is not plain JSON within MAX_BODY_NESTING_DEPTH. */
function withJsonBodyLimits(req: KubeHttpRequest): KubeHttpRequest {
  return {
    ...req,
    body: async (accepted) => {
      const body = await req.body(accepted);
      const problem = jsonBodyProblem(body);
      if (problem !== undefined) throw new ApiBadRequestError(`error decoding the request body: ${problem}`);
      return body;
    },
  };
}

function json(code: number, body: unknown, contentType = 'application/json'): KubeHttpResponse {
  return contentType === 'application/json' ? { type: 'json', code, body } : { type: 'raw', code, contentType, body: JSON.stringify(body) };
}

/** The API server's request handler: authentication and authorization, then the route. */
export function createApiHandler(o: ApiHandlerOptions): KubeHandler {
  let v3: Map<string, OpenApiV3GroupVersionDocument> | undefined;
  const openApiV3 = (): Map<string, OpenApiV3GroupVersionDocument> => (v3 ??= buildOpenApiV3Documents(o.resources as never));

  const discoveryResources = [...o.resources, ...(o.extension?.discovery ?? [])];

  const nonResource = async (req: KubeHttpRequest, info: NonResourceRequestInfo): Promise<KubeHttpResponse> => {
    const accept = String(req.headers.accept ?? '');
    if (info.discovery && info.verb === 'get') {
      const d = info.discovery;
      if (d.apiVersion === undefined && (d.legacy || d.apiGroup === undefined)) {
        const aggregated = acceptedAggregatedDiscovery(accept);
        if (aggregated) {
          const ct = aggregated === 'v2' ? AGGREGATED_DISCOVERY_V2_CONTENT_TYPE : AGGREGATED_DISCOVERY_V2BETA1_CONTENT_TYPE;
          return json(200, renderAggregatedDiscovery(discoveryResources as never, d.legacy ? 'legacy' : 'apis', aggregated), ct);
        }
        return json(200, d.legacy ? renderApiVersions(o.serverAddress()) : renderApiGroupList(discoveryResources as never));
      }
      if (!d.legacy && d.apiVersion === undefined && d.apiGroup !== undefined) {
        const group = (renderApiGroupList(discoveryResources as never).groups as { name: string }[]).find((g) => g.name === d.apiGroup);
        if (group) return json(200, { kind: 'APIGroup', apiVersion: 'v1', ...group });
        throw new ResourceNotFoundError();
      }
      const group = d.legacy ? '' : (d.apiGroup ?? '');
      const version = d.apiVersion ?? '';
      if (!discoveryResources.some((r) => r.group === group && r.version === version)) throw new ResourceNotFoundError();
      return json(200, renderApiResourceList(group, version, discoveryResources as never));
    }
    if (info.verb !== 'get') throw new ResourceNotFoundError();
    const path = info.path.replace(/\/+$/, '') || '/';
    if (path === '/version') return json(200, { ...KUBERNETES_VERSION, gitCommit: '', gitTreeState: 'clean', buildDate: '', goVersion: '', compiler: 'flotilla', platform: `${process.platform}/${process.arch}` });
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
      const ok = path.startsWith('/livez') ? true : await o.ready();
      return { type: 'raw', code: ok ? 200 : 500, contentType: 'text/plain; charset=utf-8', body: ok ? 'ok' : '[-]etcd failed: reason withheld\nhealthz check failed' };
    }
    if (path === '/openapi/v3') return json(200, buildOpenApiV3Index(openApiV3()));
    if (path.startsWith('/openapi/v3/')) {
      const doc = openApiV3().get(path.slice('/openapi/v3/'.length));
      if (!doc) throw new ResourceNotFoundError();
      return { type: 'raw', code: 200, contentType: 'application/json', body: doc.body };
    }
    if (path === '/openapi/v2') {
      // kubectl asks for the protobuf document only; JSON goes to clients that accept it.
      if (!/application\/json|\*\/\*/.test(accept) || accept.includes('protobuf')) throw new ApiNotAcceptableError(['application/json']);
      return json(200, buildOpenApiV2(o.resources as never));
    }
    if (path === '/metrics' && o.metrics) return { type: 'raw', code: 200, contentType: 'text/plain; version=0.0.4; charset=utf-8', body: await o.metrics() };
    if (path === '/') return json(200, { paths: ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version'] });
    throw new ResourceNotFoundError();
  };

  return async (req) => {
    const info = req.info;
    const user = authenticateAndAuthorize(o.authenticator, o.authorizer, { authorization: req.headers.authorization }, info);
    if (!info.isResourceRequest) return nonResource(req, info);
    const extended = o.extension?.serve(req, info);
    if (extended !== undefined) return extended;
    const rest = o.rest(info.apiGroup, info.apiVersion, info.resource);
    if (!rest) throw new ResourceNotFoundError();
    // A cluster-scoped resource under /namespaces/X is not found; a namespaced one needs its namespace for writes.
    if (!rest.type.namespaced && info.namespace !== '' && !(rest.type.kind === 'Namespace')) throw new ResourceNotFoundError();
    const namespace = rest.type.kind === 'Namespace' && rest.type.group === '' ? '' : info.namespace;
    return serveResource({ rest, info: { ...info, namespace }, req: withJsonBodyLimits(req), user, nowMs: o.nowMs });
  };
}
