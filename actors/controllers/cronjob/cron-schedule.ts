// Cron schedules as CronJobs take them (robfig/cron v3's standard parser, which kube uses): five
// fields (minute hour day-of-month month day-of-week) with lists, ranges, steps and names, the
// @yearly…@hourly descriptors, @every <duration>, and a `CRON_TZ=`/`TZ=` prefix. `next` walks
// forward as robfig's Schedule.Next does, including its DST behaviour: a wall time skipped by a
// spring-forward does not fire that day, and one repeated by a fall-back fires twice.

import { cronScheduleProblem } from '../../../core/index.js';
import type { CronTimeZone } from './cron-time-zone.js';
import { cronTimeZone } from './cron-time-zone.js';

/** robfig gives up looking for a match this many years ahead (a schedule like `0 0 30 2 *`). */
export const CRON_SEARCH_YEARS_MAX = 5;

/** Thrown by parseCronSchedule for a schedule the standard parser refuses; `reason` is its message. */
export class CronScheduleParseError extends Error {
  override readonly name = 'CronScheduleParseError';
  constructor(
    readonly schedule: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface CronSchedule {
  /** The zone named by a CRON_TZ=/TZ= prefix, if any (kube's validation refuses one next to spec.timeZone). */
  readonly prefixTimeZone: string | undefined;
  /** The first activation strictly after `afterMs` (whole seconds), or undefined if none within CRON_SEARCH_YEARS_MAX years. */
  next(afterMs: number): number | undefined;
}

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_NAMES: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MINUTE: FieldSpec = { min: 0, max: 59 };
const HOUR: FieldSpec = { min: 0, max: 23 };
const DOM: FieldSpec = { min: 1, max: 31 };
const MONTH: FieldSpec = { min: 1, max: 12, names: MONTH_NAMES };
const DOW: FieldSpec = { min: 0, max: 6, names: DAY_NAMES };

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A field's allowed values as a bit set, and whether it was written `*` or `?` (robfig's starBit). */
interface FieldBits {
  readonly bits: bigint;
  readonly star: boolean;
}

function parseValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  return Number.parseInt(text, 10);
}

/** Validity is checked by core's cronScheduleProblem first; this only builds the bit set. */
function parseField(field: string, spec: FieldSpec): FieldBits {
  let bits = 0n;
  let star = false;
  for (const expression of field.split(',')) {
    const [range = '', stepText] = expression.split('/');
    const [lowText = '', highText] = range.split('-');
    let low: number;
    let high: number;
    if (lowText === '*' || lowText === '?') {
      low = spec.min;
      high = spec.max;
      if (stepText === undefined) star = true;
    } else {
      low = parseValue(lowText, spec);
      high = highText === undefined ? (stepText === undefined ? low : spec.max) : parseValue(highText, spec);
    }
    const step = stepText === undefined ? 1 : Number.parseInt(stepText, 10);
    for (let v = low; v <= high; v += step) bits |= 1n << BigInt(v);
  }
  return { bits, star };
}

function has(field: FieldBits, value: number): boolean {
  return (field.bits & (1n << BigInt(value))) !== 0n;
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function parseGoDurationMs(text: string): number {
  let total = 0;
  for (const match of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? 0);
  return total;
}

/**
 * Parses a schedule; `timeZone` is the CronJob's spec.timeZone ('' for UTC, which is the zone
 * kube-controller-manager runs in here). A CRON_TZ= prefix wins over it. Throws
 * CronScheduleParseError, or UnknownTimeZoneError for a prefix naming no zone.
 */
export function parseCronSchedule(schedule: string, timeZone = ''): CronSchedule {
  const problem = cronScheduleProblem(schedule);
  if (problem !== undefined) throw new CronScheduleParseError(schedule, problem);
  let spec = schedule.trim();
  let prefixTimeZone: string | undefined;
  const tz = /^(?:CRON_TZ|TZ)=(\S*)\s+/.exec(spec);
  if (tz !== null) {
    prefixTimeZone = tz[1] ?? '';
    spec = spec.slice(tz[0].length).trim();
  }
  const zone = cronTimeZone(prefixTimeZone ?? timeZone);
  if (spec.startsWith('@every ')) {
    // robfig's ConstantDelaySchedule: whole seconds, at least one.
    const delayMs = Math.max(1000, Math.floor(parseGoDurationMs(spec.slice('@every '.length)) / 1000) * 1000);
    return { prefixTimeZone, next: (afterMs) => Math.floor(afterMs / 1000) * 1000 + delayMs };
  }
  const fields = (DESCRIPTORS[spec] ?? spec).split(/\s+/);
  const minute = parseField(fields[0] ?? '*', MINUTE);
  const hour = parseField(fields[1] ?? '*', HOUR);
  const dom = parseField(fields[2] ?? '*', DOM);
  const month = parseField(fields[3] ?? '*', MONTH);
  const dow = parseField(fields[4] ?? '*', DOW);
  return { prefixTimeZone, next: (afterMs) => nextActivation({ minute, hour, dom, month, dow }, zone, afterMs) };
}

interface SpecBits {
  readonly minute: FieldBits;
  readonly hour: FieldBits;
  readonly dom: FieldBits;
  readonly month: FieldBits;
  readonly dow: FieldBits;
}

/** robfig's dayMatches: with either day field starred both must match, else either may. */
function dayMatches(s: SpecBits, day: number, weekday: number): boolean {
  const domMatch = has(s.dom, day);
  const dowMatch = has(s.dow, weekday);
  return s.dom.star || s.dow.star ? domMatch && dowMatch : domMatch || dowMatch;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * robfig's Schedule.Next at minute resolution: months and days advance on the calendar (and
 * re-truncate to midnight), hours and minutes advance in absolute time, so DST transitions skip
 * or repeat wall times exactly as in kube.
 */
function nextActivation(s: SpecBits, zone: CronTimeZone, afterMs: number): number | undefined {
  // Start at the next whole minute after `afterMs`.
  let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  let f = zone.fieldsAt(t);
  const yearLimit = f.year + CRON_SEARCH_YEARS_MAX;
  wrap: for (;;) {
    if (f.year > yearLimit) return undefined;
    while (!has(s.month, f.month)) {
      const nextMonth = f.month === 12 ? { y: f.year + 1, m: 1 } : { y: f.year, m: f.month + 1 };
      t = zone.instantOf(nextMonth.y, nextMonth.m, 1, 0, 0);
      f = zone.fieldsAt(t);
      if (f.month === 1) continue wrap;
    }
    while (!dayMatches(s, f.day, f.weekday)) {
      const last = daysInMonth(f.year, f.month);
      const next = f.day === last ? { y: f.month === 12 ? f.year + 1 : f.year, m: f.month === 12 ? 1 : f.month + 1, d: 1 } : { y: f.year, m: f.month, d: f.day + 1 };
      t = zone.instantOf(next.y, next.m, next.d, 0, 0);
      f = zone.fieldsAt(t);
      if (f.day === 1) continue wrap;
    }
    while (!has(s.hour, f.hour)) {
      // Truncate to the hour, then step one hour of absolute time.
      t = t - f.minute * MINUTE_MS + HOUR_MS;
      f = zone.fieldsAt(t);
      if (f.hour === 0) continue wrap;
    }
    while (!has(s.minute, f.minute)) {
      t += MINUTE_MS;
      f = zone.fieldsAt(t);
      if (f.minute === 0) continue wrap;
    }
    return t;
  }
}
