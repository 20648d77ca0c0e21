// Public surface of actors/kubelet/server: the kubelet's own server (logs, exec, stats) over the
// container runtime, and its stats sampler.
export { kubeletServiceHandlers, kubeletTokenAuthenticator, startKubeletServer } from './kubelet-server.js';
export type { KubeletServer, KubeletServerOptions } from './kubelet-server.js';
export { containerForExec, containerForLogs, containerInstances, findPodSandbox } from './pod-containers.js';
export { hostNodeUsage, MAX_SAMPLED_CONTAINERS, MIN_STATS_WINDOW_MS, STATS_SAMPLE_INTERVAL_MS, StatsSampler } from './stats-sampler.js';
export type { NodeUsageReading, StatsSamplerOptions } from './stats-sampler.js';
