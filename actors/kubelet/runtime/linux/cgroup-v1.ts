// Container cgroups on the v1 hierarchies: one group per container in each of the memory,
// cpu, cpuacct and pids hierarchies (cpu and cpuacct are often co-mounted as `cpu,cpuacct`; a
// hierarchy mounted once gets one group).

import { existsSync } from 'node:fs';
import type { ContainerResourceLimits } from '../cri.js';
import {
  assertSafeContainerId,
  killAndRemoveGroups,
  mkdirCgroup,
  readCgroupFile,
  readCgroupPids,
  writeCgroupFile,
  type ContainerCgroupDriver,
  type ContainerCgroupStats,
  type SleepMs,
} from './cgroup-driver.js';
import {
  CGROUP_CPU_PERIOD_US,
  DEFAULT_CONTAINER_PIDS_LIMIT,
  milliCpuToQuotaUs,
  milliCpuToShares,
  parseCgroupKeyValues,
  workingSetBytes,
} from './cgroup-limits.js';

/** Where each v1 controller's hierarchy is mounted; memory is required, the others optional. */
export interface CgroupV1Mounts {
  readonly memory: string;
  readonly cpu?: string;
  readonly cpuacct?: string;
  readonly pids?: string;
}

export class CgroupV1Driver implements ContainerCgroupDriver {
  readonly version = 'v1';

  constructor(
    private readonly mounts: CgroupV1Mounts,
    /** Groups live at `<hierarchy>/<parent>/<containerId>`. */
    private readonly parent: string,
    private readonly sleep: SleepMs,
    private readonly defaultPidsLimit = DEFAULT_CONTAINER_PIDS_LIMIT,
  ) {}

  private group(hierarchy: string, containerId: string): string {
    return `${hierarchy}/${this.parent}/${containerId}`;
  }

  /** Distinct hierarchies, so a co-mounted `cpu,cpuacct` is joined once. */
  private hierarchies(): string[] {
    const all = [this.mounts.memory, this.mounts.cpu, this.mounts.cpuacct, this.mounts.pids];
    return [...new Set(all.filter((m): m is string => m !== undefined))];
  }

  private groupDirs(containerId: string): string[] {
    return this.hierarchies().map((h) => this.group(h, containerId));
  }

  procsFiles(containerId: string): string[] {
    assertSafeContainerId(containerId);
    return this.groupDirs(containerId).map((d) => `${d}/cgroup.procs`);
  }

  async create(containerId: string, limits: ContainerResourceLimits): Promise<string[]> {
    assertSafeContainerId(containerId);
    // A group left by a crashed run would carry old counters (oom_kill) and processes.
    const dirs = this.groupDirs(containerId);
    if (dirs.some((dir) => existsSync(dir))) await this.remove(containerId);
    for (const dir of dirs) await mkdirCgroup(dir, containerId);

    const memory = this.group(this.mounts.memory, containerId);
    if (limits.memoryLimitBytes !== undefined) {
      await writeCgroupFile(`${memory}/memory.limit_in_bytes`, String(limits.memoryLimitBytes), containerId);
      // With swap accounting, the limit must cover memory+swap too or the container swaps instead of being OOM-killed.
      if ((await readCgroupFile(`${memory}/memory.memsw.limit_in_bytes`)) !== undefined) {
        await writeCgroupFile(`${memory}/memory.memsw.limit_in_bytes`, String(limits.memoryLimitBytes), containerId);
      }
    }
    if (this.mounts.cpu !== undefined) {
      const cpu = this.group(this.mounts.cpu, containerId);
      await writeCgroupFile(`${cpu}/cpu.shares`, String(milliCpuToShares(limits.cpuRequestMillis)), containerId);
      const quota = milliCpuToQuotaUs(limits.cpuLimitMillis);
      if (quota !== undefined) {
        await writeCgroupFile(`${cpu}/cpu.cfs_period_us`, String(CGROUP_CPU_PERIOD_US), containerId);
        await writeCgroupFile(`${cpu}/cpu.cfs_quota_us`, String(quota), containerId);
      }
    }
    if (this.mounts.pids !== undefined) {
      const pids = this.group(this.mounts.pids, containerId);
      await writeCgroupFile(`${pids}/pids.max`, String(limits.pidsLimit ?? this.defaultPidsLimit), containerId);
    }
    return this.procsFiles(containerId);
  }

  async pids(containerId: string): Promise<number[]> {
    assertSafeContainerId(containerId);
    return readCgroupPids(`${this.group(this.mounts.memory, containerId)}/cgroup.procs`);
  }

  async wasOomKilled(containerId: string): Promise<boolean> {
    assertSafeContainerId(containerId);
    const memory = this.group(this.mounts.memory, containerId);
    const control = await readCgroupFile(`${memory}/memory.oom_control`);
    if (control === undefined) return false;
    const oomKills = parseCgroupKeyValues(control).get('oom_kill');
    if (oomKills !== undefined) return oomKills > 0;
    // Kernels before 4.13 have no oom_kill counter: hitting the limit is the best evidence left.
    const failcnt = Number((await readCgroupFile(`${memory}/memory.failcnt`))?.trim());
    return Number.isFinite(failcnt) && failcnt > 0;
  }

  async stats(containerId: string): Promise<ContainerCgroupStats | undefined> {
    assertSafeContainerId(containerId);
    const memory = this.group(this.mounts.memory, containerId);
    const usage = await readCgroupFile(`${memory}/memory.usage_in_bytes`);
    if (usage === undefined) return undefined;
    const memStat = parseCgroupKeyValues((await readCgroupFile(`${memory}/memory.stat`)) ?? '');
    const inactiveFile = memStat.get('total_inactive_file') ?? memStat.get('inactive_file') ?? 0;
    let cpuNs = 0;
    if (this.mounts.cpuacct !== undefined) {
      const cpuUsage = Number((await readCgroupFile(`${this.group(this.mounts.cpuacct, containerId)}/cpuacct.usage`))?.trim());
      if (Number.isFinite(cpuUsage)) cpuNs = cpuUsage;
    }
    return { cpuUsageCoreNanoSeconds: cpuNs, memoryWorkingSetBytes: workingSetBytes(Number(usage.trim()) || 0, inactiveFile) };
  }

  async remove(containerId: string): Promise<void> {
    assertSafeContainerId(containerId);
    await killAndRemoveGroups(this.groupDirs(containerId), containerId, this.sleep);
  }
}
