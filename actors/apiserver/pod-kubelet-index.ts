// The public pieces of pods/log, pods/exec and metrics.k8s.io: the WebSocket channel protocol,
// the query parsing and the quantity formatting (for tests and for other clients of the protocol).
export {
  CLOSE_CHANNEL,
  decodeClientFrame,
  encodeChannelFrame,
  ERROR_CHANNEL,
  errorChannelFrame,
  EXEC_CHANNEL_PROTOCOLS,
  execExitStatus,
  execFailureStatus,
  negotiateExecProtocol,
  RESIZE_CHANNEL,
  STDERR_CHANNEL,
  STDIN_CHANNEL,
  STDOUT_CHANNEL,
} from './pod-exec-channels.js';
export type { ExecChannelProtocol, ExecClientFrame } from './pod-exec-channels.js';
export { EXEC_EARLY_STDIN_MAX_BYTES, EXEC_MAX_MESSAGE_BYTES, parsePodExecQuery } from './pod-exec.js';
export { checkContainerLogAvailable, parsePodLogQuery, parseQueryBool } from './pod-log.js';
export type { PodLogQuery } from './pod-log.js';
export { KubeletStatusError, resolvePodContainer } from './pod-kubelet.js';
export {
  formatCpuNanoCores,
  formatMemoryBytes,
  METRICS_API_RESOURCES,
  METRICS_GROUP,
  METRICS_KUBELET_TIMEOUT_MS,
  METRICS_MAX_CONCURRENT_KUBELET_CALLS,
  METRICS_VERSION,
} from './metrics-api.js';
