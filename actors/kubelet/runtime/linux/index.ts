// Linux isolation for the process runtime: pod namespaces, per-container roots and cgroups.
export { createLinuxIsolation, LinuxIsolation, ISOLATION_SUBDIR, type LinuxIsolationOptions } from './linux-isolation.js';
export { detectLinuxIsolation, probeLinuxIsolation, type LinuxIsolationProbe, type LinuxTools } from './host-probe.js';
export { LinuxIsolationError, type LinuxIsolationErrorCode } from './linux-isolation-errors.js';
export { ISOLATION_SETUP_FAILED_EXIT_CODE } from './launch-scripts.js';
export {
  CGROUP_CPU_PERIOD_US,
  DEFAULT_CONTAINER_PIDS_LIMIT,
  cpuMaxLine,
  cpuSharesToWeight,
  milliCpuToQuotaUs,
  milliCpuToShares,
  parseCgroupKeyValues,
} from './cgroup-limits.js';
export { CgroupV1Driver, type CgroupV1Mounts } from './cgroup-v1.js';
export { CgroupV2Driver } from './cgroup-v2.js';
export { detectCgroupLayout, type CgroupLayout } from './cgroup-layout.js';
export type { ContainerCgroupDriver, ContainerCgroupStats } from './cgroup-driver.js';
export { parseMountInfo, type MountInfoEntry } from './proc-files.js';
export { resolvePathInRoot, outermostPaths, planContainerRootfs, plainHostMounts, RootfsSkeleton, HOST_VIEW_DIR, type RootfsBase, type RootfsPlanInput } from './rootfs-plan.js';
export { fstabField, shellQuote, ShellScript, type MountEntry, type ShellScriptOptions } from './shell-script.js';
export { parseSandboxHolderState, type SandboxHolderState } from './sandbox-holder.js';
