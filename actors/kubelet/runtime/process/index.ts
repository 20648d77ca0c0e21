// Public surface of the process runtime: containers as host processes, re-adopted after a restart.
export { ProcessRuntime, DEFAULT_ADOPTED_EXIT_POLL_INTERVAL_MS, LOG_DRAIN_TIMEOUT_MS, STOP_EXIT_POLL_INTERVAL_MS } from './process-runtime.js';
export type { ProcessRuntimeOptions } from './process-runtime.js';
export { NoIsolation, NO_ISOLATION_REASON } from './no-isolation.js';
export type { ContainerIsolation, ContainerLaunchRequest, ContainerLaunchSpec, SandboxIsolationState } from './isolation-contract.js';
export {
  CriLogLineMerger,
  MAX_LOG_LINE_CHUNK_BYTES,
  MAX_MERGED_LOG_LINE_BYTES,
  decodeCriLogEntry,
  decodeCriLogFile,
  encodeCriLogEntry,
  formatRfc3339Nano,
  parseRfc3339Nano,
} from './cri-log-format.js';
export type { CriLogEntry, CriLogStream, CriLogTag, MergedLogLine } from './cri-log-format.js';
export {
  ContainerLogWriter,
  DEFAULT_MAX_LOG_FILE_BYTES,
  DEFAULT_MAX_LOG_FILES,
  MAX_LOG_FOLLOWERS_PER_CONTAINER,
  RotatingLogFile,
  TooManyLogFollowersError,
  logFilesOldestFirst,
} from './container-log-writer.js';
export type { LogRotationPolicy } from './container-log-writer.js';
export { MAX_FOLLOW_QUEUED_ENTRIES, readContainerLogLines } from './container-log-reader.js';
export type { ContainerLogSource } from './container-log-reader.js';
export { RuntimeStateStore, STATE_FORMAT_VERSION, writeJsonAtomic } from './state-store.js';
export type { ContainerRecord, SandboxRecord } from './state-store.js';
export { isSameProcessAlive, parseProcStat, readProcStat, MAX_PROC_SCAN_ENTRIES, PROC_CLOCK_TICKS_PER_SECOND } from './proc.js';
export type { ProcStat } from './proc.js';
export { DEFAULT_CONTAINER_PATH, resolveContainerArgv, resolveProcessContainerEnv } from './container-spec.js';
export { EXEC_NOT_STARTED_EXIT_CODE, MAX_EXEC_SYNC_OUTPUT_BYTES } from './exec-process.js';
export { awaitReadyLine } from './ready-line.js';
export type { ReadyLineResult } from './ready-line.js';
export { defaultPodCidrForNode, InvalidPodCidrError, PodIpPool, PodIpPoolExhaustedError } from './pod-ip-pool.js';
