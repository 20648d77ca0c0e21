// What the Linux isolation reads from /proc: process start times (a pid alone does not name a
// process across a worker restart), namespace identities, children, and the mount table.

import { promises as fsp } from 'node:fs';

/** Field 22 of /proc/PID/stat (ticks after boot), or undefined when the process is gone or a zombie. */
export async function readProcStartTime(pid: number, procRoot = '/proc'): Promise<number | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const rest = text.slice(close + 2).trim().split(' ');
  const state = rest[0];
  const start = Number(rest[22 - 3]);
  if (state === undefined || state === 'Z' || state === 'X' || !Number.isFinite(start)) return undefined;
  return start;
}

/** Whether the process started as (pid, startTime) still runs (not reused, not a zombie). */
export async function isProcessAlive(pid: number, startTime: number, procRoot = '/proc'): Promise<boolean> {
  return (await readProcStartTime(pid, procRoot)) === startTime;
}

/** The namespace a process is in, as the kernel names it (`mnt:[4026531841]`); undefined when gone. */
export async function readNamespaceId(pid: number | 'self', kind: 'mnt' | 'pid' | 'uts' | 'ipc', procRoot = '/proc'): Promise<string | undefined> {
  try {
    return await fsp.readlink(`${procRoot}/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** Direct children of a process (needs CONFIG_PROC_CHILDREN; empty when unavailable). */
export async function readChildPids(pid: number, procRoot = '/proc'): Promise<number[]> {
  try {
    const text = await fsp.readFile(`${procRoot}/${pid}/task/${pid}/children`, 'utf8');
    return text.split(/\s+/).filter((s) => s !== '').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

export interface MountInfoEntry {
  readonly mountId: number;
  readonly parentId: number;
  /** Where it is mounted, unescaped. */
  readonly mountPoint: string;
  readonly fsType: string;
  /** Per-superblock options (for cgroup v1 mounts they name the controllers: `rw,cpu,cpuacct`). */
  readonly superOptions: readonly string[];
}

/** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses /proc/PID/mountinfo text; malformed lines are skipped. */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6 || fields.length < sep + 4) continue;
    const mountId = Number(fields[0]);
    const parentId = Number(fields[1]);
    const mountPoint = fields[4];
    const fsType = fields[sep + 1];
    const superOptions = fields[sep + 3];
    if (mountPoint === undefined || fsType === undefined || superOptions === undefined) continue;
    entries.push({ mountId, parentId, mountPoint: unescapeMountPath(mountPoint), fsType, superOptions: superOptions.split(',') });
  }
  return entries;
}

export async function readMountInfo(pid: number | 'self' = 'self', procRoot = '/proc'): Promise<MountInfoEntry[]> {
  return parseMountInfo(await fsp.readFile(`${procRoot}/${pid}/mountinfo`, 'utf8'));
}
