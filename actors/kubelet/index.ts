// Public surface of actors/kubelet: the kubelet actor, its node machinery, the kubelet ↔ pod
// worker contract, and (re-exported) the container runtimes and the pod worker.
export type { KubeletMsg, KubeletOptions } from './kubelet.js';
export {
  kubeletActor,
  NODE_LEASE_RETRY_MS,
  NODE_REGISTRATION_RETRY_INITIAL_MS,
  NODE_REGISTRATION_RETRY_MAX_MS,
  POD_RESYNC_INTERVAL_MS,
  POD_UID_CONTAINER_LABEL,
  POD_WORKER_SHARDS,
} from './kubelet.js';
export * from './node/index.js';
export type { CrashLoopBackoffPolicy, PodWorkerHost, PodWorkerMsg } from './pod-worker-contract.js';
export { DEFAULT_CRASH_LOOP_BACKOFF } from './pod-worker-contract.js';
export * from './runtime/index.js';
export * from './pod-worker/index.js';
export * from './status/index.js';
export * from './probes/index.js';
export * from './volumes/index.js';
export * from './env/index.js';
export * from './server/index.js';
