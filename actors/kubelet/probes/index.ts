// Public surface of the kubelet's probes: running a probe once, and tracking its verdict over time.
export { runProbe } from './run-probe.js';
export { runHttpProbe, HTTP_PROBE_MAX_BODY_BYTES, HTTP_PROBE_MAX_REDIRECTS, HTTP_PROBE_USER_AGENT } from './http-probe.js';
export type { HttpProbeRequest } from './http-probe.js';
export { runTcpProbe } from './tcp-probe.js';
export { resolveProbePort, joinHostPort, ProbePortError } from './probe-port.js';
export {
  ProbeTracker,
  probeTiming,
  PROBE_DEFAULT_PERIOD_SECONDS,
  PROBE_DEFAULT_TIMEOUT_SECONDS,
  PROBE_DEFAULT_SUCCESS_THRESHOLD,
  PROBE_DEFAULT_FAILURE_THRESHOLD,
} from './probe-tracker.js';
export type { ProbeTiming } from './probe-tracker.js';
export { probeFailedMessage, probeKillingMessage } from './probe-messages.js';
export type { ProbeKind, ProbeTarget, ProbeOutcome, ProbeVerdict, ProbeRecordResult } from './probe-types.js';
