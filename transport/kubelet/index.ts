// Public surface of transport/kubelet: the gRPC service between masters and kubelets (logs,
// exec, stats), its server side (handlers supplied by the kubelet) and its client.
export {
  KUBELET_CHANNEL_OPTIONS,
  KUBELET_KEEPALIVE_TIME_MS,
  KUBELET_KEEPALIVE_TIMEOUT_MS,
  KUBELET_LOG_CHUNK_MAX_BYTES,
  KUBELET_MAX_MESSAGE_BYTES,
  KUBELET_OPEN_TIMEOUT_MS,
  KUBELET_SERVER_OPTIONS,
  KUBELET_SERVICE_DEFINITION,
  KUBELET_SERVICE_NAME,
  KUBELET_STATS_TIMEOUT_MS,
  KUBELET_STATUS_TRAILER,
  kubeletMethodPath,
} from './service.js';
export type { KubeletMethod } from './service.js';
export { addKubeletService } from './server.js';
export type { KubeletExecSession, KubeletServiceHandlers, KubeletServiceOptions } from './server.js';
export { KUBELET_CLIENT_POOL_MAX, KubeletClient, KubeletClientPool } from './client.js';
export type { KubeletClientOptions } from './client.js';
export { decodeExecInput, decodeExecOutput, decodeStatsSummary, encodeExecInput, encodeExecOutput, encodeStatsSummary, KubeletWireFormatError } from './wire.js';
export type { KubeletContainerUsage, KubeletExecInput, KubeletExecOpen, KubeletExecOutput, KubeletLogRequest, KubeletPodUsage, KubeletStatsSummary, KubeletUsage } from './wire.js';
