// Container cgroups on the v2 unified hierarchy: one group per container with memory.max,
// cpu.max, cpu.weight and pids.max. The controllers must be enabled in every ancestor's
// cgroup.subtree_control; the parent group holds no processes itself (the "no internal
// processes" rule), only container groups.

import { existsSync, promises as fsp } from 'node:fs';
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
import { cpuMaxLine, cpuSharesToWeight, DEFAULT_CONTAINER_PIDS_LIMIT, milliCpuToShares, parseCgroupKeyValues, workingSetBytes } from './cgroup-limits.js';

/** The controllers a container group needs from its ancestors. */
export const CGROUP_V2_CONTROLLERS: readonly string[] = ['memory', 'cpu', 'pids'];

export class CgroupV2Driver implements ContainerCgroupDriver {
  readonly version = 'v2';

  constructor(
    /** Where the unified hierarchy is mounted (usually /sys/fs/cgroup). */
    private readonly root: string,
    /** Groups live at `<root>/<parent>/<containerId>`. */
    private readonly parent: string,
    private readonly sleep: SleepMs,
    private readonly defaultPidsLimit = DEFAULT_CONTAINER_PIDS_LIMIT,
  ) {}

  private group(containerId: string): string {
    return `${this.root}/${this.parent}/${containerId}`;
  }

  procsFiles(containerId: string): string[] {
    assertSafeContainerId(containerId);
    return [`${this.group(containerId)}/cgroup.procs`];
  }

  /** Enables the needed controllers down the path from the root to the parent group. */
  private async enableControllers(containerId: string): Promise<void> {
    const parts = this.parent.split('/').filter((p) => p !== '');
    let dir = this.root;
    for (let depth = 0; depth <= parts.length; depth++) {
      const available = ((await readCgroupFile(`${dir}/cgroup.controllers`)) ?? '').trim().split(/\s+/);
      for (const controller of CGROUP_V2_CONTROLLERS) {
        if (!available.includes(controller)) continue;
        // One write per controller: a single failure (e.g. cpu with realtime tasks) must not block the others.
        await writeCgroupFile(`${dir}/cgroup.subtree_control`, `+${controller}`, containerId).catch(() => undefined);
      }
      const next = parts[depth];
      if (next === undefined) break;
      dir = `${dir}/${next}`;
      await mkdirCgroup(dir, containerId);
    }
  }

  async create(containerId: string, limits: ContainerResourceLimits): Promise<string[]> {
    assertSafeContainerId(containerId);
    // A group left by a crashed run would carry old counters (oom_kill) and processes.
    if (existsSync(this.group(containerId))) await this.remove(containerId);
    await this.enableControllers(containerId);
    const group = this.group(containerId);
    await mkdirCgroup(group, containerId);
    if (limits.memoryLimitBytes !== undefined) {
      await writeCgroupFile(`${group}/memory.max`, String(limits.memoryLimitBytes), containerId);
      // Without this the container would swap past its limit instead of being OOM-killed.
      if ((await readCgroupFile(`${group}/memory.swap.max`)) !== undefined) {
        await writeCgroupFile(`${group}/memory.swap.max`, '0', containerId);
      }
    }
    await writeCgroupFile(`${group}/cpu.weight`, String(cpuSharesToWeight(milliCpuToShares(limits.cpuRequestMillis))), containerId);
    await writeCgroupFile(`${group}/cpu.max`, cpuMaxLine(limits.cpuLimitMillis), containerId);
    await writeCgroupFile(`${group}/pids.max`, String(limits.pidsLimit ?? this.defaultPidsLimit), containerId);
    return this.procsFiles(containerId);
  }

  async pids(containerId: string): Promise<number[]> {
    assertSafeContainerId(containerId);
    return readCgroupPids(`${this.group(containerId)}/cgroup.procs`);
  }

  async wasOomKilled(containerId: string): Promise<boolean> {
    assertSafeContainerId(containerId);
    const events = await readCgroupFile(`${this.group(containerId)}/memory.events`);
    if (events === undefined) return false;
    return (parseCgroupKeyValues(events).get('oom_kill') ?? 0) > 0;
  }

  async stats(containerId: string): Promise<ContainerCgroupStats | undefined> {
    assertSafeContainerId(containerId);
    const group = this.group(containerId);
    const current = await readCgroupFile(`${group}/memory.current`);
    if (current === undefined) return undefined;
    const memStat = parseCgroupKeyValues((await readCgroupFile(`${group}/memory.stat`)) ?? '');
    const cpuStat = parseCgroupKeyValues((await readCgroupFile(`${group}/cpu.stat`)) ?? '');
    return {
      cpuUsageCoreNanoSeconds: (cpuStat.get('usage_usec') ?? 0) * 1000,
      memoryWorkingSetBytes: workingSetBytes(Number(current.trim()) || 0, memStat.get('inactive_file') ?? 0),
    };
  }

  async remove(containerId: string): Promise<void> {
    assertSafeContainerId(containerId);
    const group = this.group(containerId);
    // cgroup.kill (Linux 5.14+) kills the whole subtree atomically, so nothing can fork past it.
    await fsp.writeFile(`${group}/cgroup.kill`, '1').catch(() => undefined);
    await killAndRemoveGroups([group], containerId, this.sleep);
  }
}
