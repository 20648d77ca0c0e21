// The per-container cgroup contract both hierarchies implement, and the pieces they share:
// naming, killing what is left in a group, and removing it.

import { promises as fsp } from 'node:fs';
import type { ContainerResourceLimits } from '../cri.js';
import { LinuxIsolationError } from './linux-isolation-errors.js';

/** Attempts to empty and remove a group before giving up (processes may still be exiting). */
export const CGROUP_REMOVE_ATTEMPTS = 100;
/** Pause between those attempts. */
export const CGROUP_REMOVE_RETRY_MS = 20;

export interface ContainerCgroupStats {
  readonly cpuUsageCoreNanoSeconds: number;
  readonly memoryWorkingSetBytes: number;
}

/**
 * One container's cgroup(s). Invariant: every group lives at `<hierarchy>/<parent>/<containerId>`,
 * so a restarted worker (or removeContainer after a crash) finds it from the id alone.
 */
export interface ContainerCgroupDriver {
  readonly version: 'v1' | 'v2';
  /**
   * Creates the container's group(s) with its limits, replacing a stale group of the same id.
   * Resolves with the `cgroup.procs` files a process writes its pid into to join.
   */
  create(containerId: string, limits: ContainerResourceLimits): Promise<string[]>;
  /** The `cgroup.procs` files of an existing container group (no I/O). */
  procsFiles(containerId: string): string[];
  /** Host pids in the container's group; empty when it has none or does not exist. */
  pids(containerId: string): Promise<number[]>;
  wasOomKilled(containerId: string): Promise<boolean>;
  stats(containerId: string): Promise<ContainerCgroupStats | undefined>;
  /** SIGKILLs whatever is left in the group and removes it. Idempotent. */
  remove(containerId: string): Promise<void>;
}

export type SleepMs = (ms: number) => Promise<void>;

/** A container id names a directory: no separators, no dot-dot, nothing a shell could misread. */
export function assertSafeContainerId(containerId: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(containerId)) {
    throw new LinuxIsolationError('InvalidContainerId', containerId, 'must match [A-Za-z0-9][A-Za-z0-9_.-]*');
  }
}

export async function readCgroupPids(procsFile: string): Promise<number[]> {
  try {
    const text = await fsp.readFile(procsFile, 'utf8');
    return text.split('\n').filter((s) => s !== '').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** Writes one control file; a failure is a CgroupSetup error naming the file. */
export async function writeCgroupFile(file: string, value: string, containerId: string): Promise<void> {
  try {
    await fsp.writeFile(file, value);
  } catch (err) {
    throw new LinuxIsolationError('CgroupSetup', containerId, `write ${JSON.stringify(value)} to ${file}: ${String(err)}`);
  }
}

export async function readCgroupFile(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function mkdirCgroup(dir: string, containerId: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new LinuxIsolationError('CgroupSetup', containerId, `mkdir ${dir}: ${String(err)}`);
  }
}

/**
 * SIGKILLs every process in `groupDirs` and rmdirs them, retrying while processes are still
 * exiting (a group cannot be removed until it is empty). A missing group counts as removed.
 */
export async function killAndRemoveGroups(groupDirs: readonly string[], containerId: string, sleep: SleepMs): Promise<void> {
  let remaining = [...groupDirs];
  for (let attempt = 0; attempt < CGROUP_REMOVE_ATTEMPTS && remaining.length > 0; attempt++) {
    if (attempt > 0) await sleep(CGROUP_REMOVE_RETRY_MS);
    const next: string[] = [];
    for (const dir of remaining) {
      for (const pid of await readCgroupPids(`${dir}/cgroup.procs`)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      try {
        await fsp.rmdir(dir);
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue;
        next.push(dir);
      }
    }
    remaining = next;
  }
  if (remaining.length > 0) {
    throw new LinuxIsolationError('CgroupSetup', containerId, `cgroups not removable (still busy): ${remaining.join(', ')}`);
  }
}
