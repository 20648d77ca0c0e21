/**
 * The gRPC service `flotilla.kubelet.v1.Kubelet`: what masters ask of a worker's kubelet (the
 * part of kubelet's own HTTPS server that kube-apiserver proxies `pods/log`, `pods/exec` and the
 * metrics pipeline to). No .proto: bodies are msgpack (wire.ts), serializers are the identity.
 *
 *   rpc ContainerLogs(LogRequest) returns (stream LogChunk)   raw log bytes, many lines per message
 *   rpc Exec(stream ExecInput) returns (stream ExecOutput)     first input opens the session
 *   rpc StatsSummary(StatsRequest) returns (StatsSummary)      unary, with a deadline
 *
 * A failed call ends with a gRPC code mapped from a Kubernetes Status and the Status itself in
 * the trailer KUBELET_STATUS_TRAILER (as the resource API does), so the API server can answer
 * its client with the kubelet's own reason (`container "x" is not running`). Every call carries
 * `authorization: Bearer <cluster token>`; others end with UNAUTHENTICATED.
 */
import * as grpc from '@grpc/grpc-js';

export const KUBELET_SERVICE_NAME = 'flotilla.kubelet.v1.Kubelet';

/** Trailer carrying the msgpack Status of a failed call. */
export const KUBELET_STATUS_TRAILER = 'flotilla-status-bin';
/** Larger Statuses are cut to fit gRPC's metadata budget. */
export const KUBELET_STATUS_TRAILER_MAX_BYTES = 4 * 1024;

/** Keepalive of both sides: a `logs -f` of a quiet container keeps its connection checked. */
export const KUBELET_KEEPALIVE_TIME_MS = 10_000;
export const KUBELET_KEEPALIVE_TIMEOUT_MS = 5_000;
/** Largest message either side accepts (a log chunk is at most KUBELET_LOG_CHUNK_MAX_BYTES). */
export const KUBELET_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Log bytes per ContainerLogs message at most; lines read in one turn go out together. */
export const KUBELET_LOG_CHUNK_MAX_BYTES = 64 * 1024;
/** Default deadline of a StatsSummary call (metrics requests ask many kubelets at once). */
export const KUBELET_STATS_TIMEOUT_MS = 3_000;
/** How long the API server waits for a kubelet to accept a logs or exec call before failing it. */
export const KUBELET_OPEN_TIMEOUT_MS = 10_000;

export type KubeletMethod = 'ContainerLogs' | 'Exec' | 'StatsSummary';

const identity = (b: Buffer): Buffer => b;

function method(name: KubeletMethod, requestStream: boolean, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> {
  return {
    path: kubeletMethodPath(name),
    requestStream,
    responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: name.charAt(0).toLowerCase() + name.slice(1),
  };
}

export function kubeletMethodPath(name: KubeletMethod): string {
  return `/${KUBELET_SERVICE_NAME}/${name}`;
}

export const KUBELET_SERVICE_DEFINITION: grpc.ServiceDefinition = Object.freeze({
  ContainerLogs: method('ContainerLogs', false, true),
  Exec: method('Exec', true, true),
  StatsSummary: method('StatsSummary', false, false),
});

export const KUBELET_CHANNEL_OPTIONS: grpc.ChannelOptions = Object.freeze({
  'grpc.keepalive_time_ms': KUBELET_KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KUBELET_KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_send_message_length': KUBELET_MAX_MESSAGE_BYTES,
  'grpc.max_receive_message_length': KUBELET_MAX_MESSAGE_BYTES,
  'grpc.enable_http_proxy': 0,
  // An exec must never be replayed by the library.
  'grpc.enable_retries': 0,
});

export const KUBELET_SERVER_OPTIONS: grpc.ServerOptions = Object.freeze({
  'grpc.keepalive_time_ms': KUBELET_KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': KUBELET_KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': KUBELET_KEEPALIVE_TIME_MS / 2,
  'grpc.max_receive_message_length': KUBELET_MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': KUBELET_MAX_MESSAGE_BYTES,
});
