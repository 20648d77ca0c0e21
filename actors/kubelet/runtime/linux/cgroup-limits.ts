// Pure conversions from a container's resources to cgroup values, as the kubelet and runc do them,
// and parsers for the flat key/value files cgroups expose.

/** CFS period every container gets (cpu.cfs_period_us / the second field of cpu.max): 100 ms. */
export const CGROUP_CPU_PERIOD_US = 100_000;
/** Smallest CFS quota the kernel accepts (1 ms); smaller limits are raised to it. */
export const CGROUP_MIN_CPU_QUOTA_US = 1_000;
/** cpu.shares for a container without a CPU request (Kubernetes' MinShares). */
export const CGROUP_MIN_CPU_SHARES = 2;
/** Largest cpu.shares the kernel accepts. */
export const CGROUP_MAX_CPU_SHARES = 262_144;
/** pids.max when the container's resources name none. */
export const DEFAULT_CONTAINER_PIDS_LIMIT = 4_096;

/** cpu.shares from a CPU request in millicores (1 core = 1024 shares), clamped to the kernel's range. */
export function milliCpuToShares(milliCpu: number | undefined): number {
  if (milliCpu === undefined || milliCpu <= 0) return CGROUP_MIN_CPU_SHARES;
  const shares = Math.floor((milliCpu * 1024) / 1000);
  return Math.min(CGROUP_MAX_CPU_SHARES, Math.max(CGROUP_MIN_CPU_SHARES, shares));
}

/** CFS quota per period from a CPU limit in millicores; undefined for no limit. */
export function milliCpuToQuotaUs(milliCpu: number | undefined): number | undefined {
  if (milliCpu === undefined || milliCpu <= 0) return undefined;
  return Math.max(CGROUP_MIN_CPU_QUOTA_US, Math.floor((milliCpu * CGROUP_CPU_PERIOD_US) / 1000));
}

/** cgroup v2 cpu.weight (1..10000) from v1 shares (2..262144), the mapping runc and the kubelet use. */
export function cpuSharesToWeight(shares: number): number {
  const clamped = Math.min(CGROUP_MAX_CPU_SHARES, Math.max(CGROUP_MIN_CPU_SHARES, shares));
  return 1 + Math.floor(((clamped - 2) * 9999) / 262_142);
}

/** cgroup v2 cpu.max content: `QUOTA PERIOD` or `max PERIOD`. */
export function cpuMaxLine(milliCpuLimit: number | undefined): string {
  const quota = milliCpuToQuotaUs(milliCpuLimit);
  return `${quota === undefined ? 'max' : String(quota)} ${CGROUP_CPU_PERIOD_US}`;
}

/** Parses `key value` lines (memory.stat, cpu.stat, memory.events, memory.oom_control). */
export function parseCgroupKeyValues(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key === undefined || key === '' || value === undefined) continue;
    const n = Number(value);
    if (Number.isFinite(n)) values.set(key, n);
  }
  return values;
}

/** Working set as the kubelet computes it: usage minus inactive file cache, never negative. */
export function workingSetBytes(usageBytes: number, inactiveFileBytes: number): number {
  return Math.max(0, usageBytes - inactiveFileBytes);
}
