/**
 * The gRPC service `flotilla.resource.v1.ResourceApi`: the internal resource API (core/client's
 * ResourceClient) for workers and controllers. No .proto: bodies are msgpack (wire.ts), so the
 * serializers are the identity on Buffers.
 *
 *   rpc Get(GetRequest) returns (Object)            rpc Create(CreateRequest) returns (Object)
 *   rpc List(ListRequest) returns (List)            rpc Update(UpdateRequest) returns (Object)
 *   rpc Patch(PatchRequest) returns (Object)        rpc UpdateStatus(UpdateRequest) returns (Object)
 *   rpc Delete(DeleteRequest) returns (Object)      rpc Watch(WatchRequest) returns (stream Events)
 *
 * A failed call ends with a gRPC code mapped from the Kubernetes Status code and the Status
 * itself, msgpack-encoded, in the trailer RESOURCE_STATUS_TRAILER; its presence tells a client
 * that a server handled the call (so a write must not be replayed elsewhere). A call refused by
 * authentication ends with UNAUTHENTICATED and a 401 Status.
 */
import * as grpc from '@grpc/grpc-js';

export const RESOURCE_SERVICE_NAME = 'flotilla.resource.v1.ResourceApi';

/** Trailer carrying the msgpack Status of a failed call (binary keys end in `-bin`). */
export const RESOURCE_STATUS_TRAILER = 'flotilla-status-bin';
/** Larger Statuses lose their causes, then message text, to fit gRPC's 8 KiB metadata budget. */
export const RESOURCE_STATUS_TRAILER_MAX_BYTES = 4 * 1024;

/** Client keepalive: a silent connection (a watch with no events) is pinged, and dropped if unanswered. */
export const RESOURCE_KEEPALIVE_TIME_MS = 10_000;
export const RESOURCE_KEEPALIVE_TIMEOUT_MS = 5_000;
export const RESOURCE_RECONNECT_BACKOFF_INITIAL_MS = 100;
/** The reconnect backoff cap: a master that comes back is used again within about a second. */
export const RESOURCE_RECONNECT_BACKOFF_MAX_MS = 1_000;
/** Largest message either side accepts: a list page or watch frame of big objects. */
export const RESOURCE_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** Events per watch message at most; a batch goes out when this many are queued or on the next turn. */
export const RESOURCE_WATCH_BATCH_MAX_EVENTS = 100;
/**
 * Events a watch may have queued for a client that does not read. Past it the server ends the
 * watch cleanly, as kube-apiserver drops a slow watcher; the client resumes from its last version.
 */
export const RESOURCE_WATCH_MAX_QUEUED_EVENTS = 10_000;

export type ResourceUnaryMethod = 'Get' | 'List' | 'Create' | 'Update' | 'UpdateStatus' | 'Patch' | 'Delete';
export const RESOURCE_UNARY_METHODS: readonly ResourceUnaryMethod[] = ['Get', 'List', 'Create', 'Update', 'UpdateStatus', 'Patch', 'Delete'];

const identity = (b: Buffer): Buffer => b;

function method(name: string, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: `/${RESOURCE_SERVICE_NAME}/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

export const RESOURCE_SERVICE_DEFINITION: grpc.ServiceDefinition = Object.freeze({
  ...Object.fromEntries(RESOURCE_UNARY_METHODS.map((name) => [name, method(name, false)])),
  Watch: method('Watch', true),
});

export function resourceMethodPath(name: ResourceUnaryMethod | 'Watch'): string {
  return `/${RESOURCE_SERVICE_NAME}/${name}`;
}

/** Settings of the channel to one master. */
export const RESOURCE_CHANNEL_OPTIONS: grpc.ChannelOptions = Object.freeze({
  'grpc.keepalive_time_ms': RESOURCE_KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': RESOURCE_KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': RESOURCE_RECONNECT_BACKOFF_INITIAL_MS,
  'grpc.max_reconnect_backoff_ms': RESOURCE_RECONNECT_BACKOFF_MAX_MS,
  // Each client owns its connections, so close() really closes them.
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_send_message_length': RESOURCE_MAX_MESSAGE_BYTES,
  'grpc.max_receive_message_length': RESOURCE_MAX_MESSAGE_BYTES,
  'grpc.enable_http_proxy': 0,
  // Failover decides replays itself: grpc-js must never resend a write on its own.
  'grpc.enable_retries': 0,
});

/** Settings for a server that serves the resource API (compatible with the peer service's). */
export const RESOURCE_SERVER_OPTIONS: grpc.ServerOptions = Object.freeze({
  'grpc.keepalive_time_ms': RESOURCE_KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': RESOURCE_KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': RESOURCE_KEEPALIVE_TIME_MS / 2,
  'grpc.max_receive_message_length': RESOURCE_MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': RESOURCE_MAX_MESSAGE_BYTES,
});

/** The gRPC code a Kubernetes Status code travels with (etcd's choices where both meet). */
export function grpcCodeOfHttpStatus(code: number, reason: string): grpc.status {
  switch (code) {
    case 400:
    case 406:
    case 415:
    case 422:
      return grpc.status.INVALID_ARGUMENT;
    case 401:
      return grpc.status.UNAUTHENTICATED;
    case 403:
      return grpc.status.PERMISSION_DENIED;
    case 404:
      return grpc.status.NOT_FOUND;
    case 405:
    case 501:
      return grpc.status.UNIMPLEMENTED;
    case 409:
      return reason === 'AlreadyExists' ? grpc.status.ALREADY_EXISTS : grpc.status.ABORTED;
    case 410:
      return grpc.status.OUT_OF_RANGE;
    case 413:
    case 429:
      return grpc.status.RESOURCE_EXHAUSTED;
    case 500:
      return grpc.status.INTERNAL;
    case 503:
      return grpc.status.UNAVAILABLE;
    case 504:
      return grpc.status.DEADLINE_EXCEEDED;
    default:
      return grpc.status.UNKNOWN;
  }
}
