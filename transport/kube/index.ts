// The Kubernetes HTTP/JSON API's wire: request parsing, limits, responses, watch streams.
export type { KubeVerb, KubeRequestInfo, ResourceRequestInfo, NonResourceRequestInfo } from './request-info.js';
export { resolveKubeRequestInfo } from './request-info.js';
export { DEFAULT_MAX_REQUEST_BODY_BYTES, JSON_MEDIA_TYPES, PATCH_MEDIA_TYPES, mediaType } from './body.js';
export type { KubeHandler, KubeHttpLogger, KubeHttpRequest, KubeHttpResponse, KubeHttpServerOptions, KubeWatchEvent, KubeWatchStream } from './server.js';
export { DEFAULT_MAX_REQUESTS_INFLIGHT, KubeHttpServer } from './server.js';
export * from './protobuf/index.js';
