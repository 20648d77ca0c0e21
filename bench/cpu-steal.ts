import { readFileSync } from 'node:fs';

/** The host's CPU time so far, in /proc/stat's ticks: all of it, and what the hypervisor took (steal). */
export interface CpuTimes {
  readonly total: number;
  readonly steal: number;
}

/**
 * Reads the first line of /proc/stat (`cpu user nice system idle iowait irq softirq steal …`);
 * undefined where there is no such file (not Linux) or it does not parse.
 */
export function readCpuTimes(text: () => string = () => readFileSync('/proc/stat', 'utf8')): CpuTimes | undefined {
  let line: string;
  try {
    line = text().split('\n', 1)[0] ?? '';
  } catch {
    return undefined;
  }
  const fields = line.trim().split(/\s+/);
  if (fields[0] !== 'cpu' || fields.length < 9) return undefined;
  // guest and guest_nice (fields 9, 10) are already counted in user and nice.
  const ticks = fields.slice(1, 9).map(Number);
  if (ticks.some((n) => !Number.isFinite(n))) return undefined;
  return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7]! };
}

/**
 * The share of the host's CPU time the hypervisor took between two readings, in percent (one
 * decimal): on a virtual machine, what explains a benchmark running 2-4x slower than on the
 * same code an hour earlier. Undefined without both readings or with no time between them.
 */
export function stealPercent(before: CpuTimes | undefined, after: CpuTimes | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  const total = after.total - before.total;
  if (!(total > 0)) return undefined;
  return Math.round((1000 * (after.steal - before.steal)) / total) / 10;
}
