// What the process runtime learns about host processes from /proc (Linux). A pid alone does not
// name a process across a worker restart: the kernel reuses pids, so a container is identified by
// (pid, start time) where the start time is field 22 of /proc/PID/stat.

import { promises as fsp } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ); 100 on every Linux architecture we run on. */
export const PROC_CLOCK_TICKS_PER_SECOND = 100;

/** Most /proc entries one process-group scan looks at, so a host with a huge process table cannot stall stats. */
export const MAX_PROC_SCAN_ENTRIES = 32_768;

export interface ProcStat {
  readonly pid: number;
  /** One-letter state (R, S, D, Z, T, …). */
  readonly state: string;
  readonly pgid: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** Field 22: ticks after boot when the process started. */
  readonly startTimeTicks: number;
}

/** Parses the text of /proc/PID/stat; undefined when malformed. The command name may hold spaces and parentheses. */
export function parseProcStat(pid: number, text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields after the command name, starting at field 3 (state).
  const rest = text.slice(close + 2).trim().split(' ');
  const field = (n: number): string | undefined => rest[n - 3];
  const state = field(3);
  const pgid = Number(field(5));
  const utime = Number(field(14));
  const stime = Number(field(15));
  const start = Number(field(22));
  if (state === undefined || !Number.isFinite(pgid) || !Number.isFinite(utime) || !Number.isFinite(stime) || !Number.isFinite(start)) return undefined;
  return { pid, state, pgid, cpuTicks: utime + stime, startTimeTicks: start };
}

export async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(pid, await fsp.readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Whether the process that was started as (pid, startTimeTicks) still runs. A zombie counts as
 * gone (it has exited; only its parent has not reaped it), and so does a different process that
 * reused the pid.
 */
export async function isSameProcessAlive(pid: number, startTimeTicks: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== undefined && stat.startTimeTicks === startTimeTicks && stat.state !== 'Z' && stat.state !== 'X';
}

/** Resident set size in bytes from /proc/PID/status (VmRSS), 0 when unknown. */
export async function readRssBytes(pid: number): Promise<number> {
  try {
    const text = await fsp.readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Sums CPU and RSS over the live processes of one process group (at most MAX_PROC_SCAN_ENTRIES looked at). */
export async function processGroupUsage(pgid: number): Promise<{ cpuUsageCoreNanoSeconds: number; memoryWorkingSetBytes: number }> {
  let entries: string[];
  try {
    entries = await fsp.readdir('/proc');
  } catch {
    return { cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 };
  }
  let ticks = 0;
  let rss = 0;
  let seen = 0;
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    if (++seen > MAX_PROC_SCAN_ENTRIES) break;
    const pid = Number(name);
    const stat = await readProcStat(pid);
    if (stat === undefined || stat.pgid !== pgid || stat.state === 'Z') continue;
    ticks += stat.cpuTicks;
    rss += await readRssBytes(pid);
  }
  return { cpuUsageCoreNanoSeconds: Math.round((ticks * 1e9) / PROC_CLOCK_TICKS_PER_SECOND), memoryWorkingSetBytes: rss };
}

/** Sends `signal` to a whole process group; false when the group no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
