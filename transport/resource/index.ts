// Public surface of transport/resource: the internal resource API over gRPC with msgpack bodies,
// its server side (serving a ResourceClient implementation) and its client (GrpcResourceClient).
export {
  RESOURCE_SERVICE_NAME,
  RESOURCE_SERVICE_DEFINITION,
  RESOURCE_UNARY_METHODS,
  RESOURCE_STATUS_TRAILER,
  RESOURCE_STATUS_TRAILER_MAX_BYTES,
  RESOURCE_CHANNEL_OPTIONS,
  RESOURCE_SERVER_OPTIONS,
  RESOURCE_KEEPALIVE_TIME_MS,
  RESOURCE_KEEPALIVE_TIMEOUT_MS,
  RESOURCE_RECONNECT_BACKOFF_INITIAL_MS,
  RESOURCE_RECONNECT_BACKOFF_MAX_MS,
  RESOURCE_MAX_MESSAGE_BYTES,
  RESOURCE_WATCH_BATCH_MAX_EVENTS,
  RESOURCE_WATCH_MAX_QUEUED_EVENTS,
  grpcCodeOfHttpStatus,
  resourceMethodPath,
} from './service.js';
export type { ResourceUnaryMethod } from './service.js';
export { addResourceApiService, bearerTokenOf, staticTokenAuthenticator } from './server.js';
export type { ResourceApiAuthenticator, ResourceApiService, ResourceApiServiceOptions, ResourceApiUser } from './server.js';
export { GrpcResourceClient, RESOURCE_CALL_TIMEOUT_MS, RESOURCE_CONNECT_TIMEOUT_MS } from './client.js';
export type { GrpcResourceClientOptions } from './client.js';
// The codec is exported for its unit tests and for tools that read frames.
export { decodeWatchFrame, encodeWatchFrame, ResourceWireFormatError } from './wire.js';
