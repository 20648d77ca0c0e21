// Wall-clock arithmetic in an IANA time zone through Intl.DateTimeFormat (no tz database of our
// own): the fields of an instant in a zone, and the instant of a wall-clock time in a zone. The
// cron search walks instants and reads fields, as robfig/cron walks Go time.Time values.

/** Formatters kept per zone; beyond this many zones the oldest is dropped. */
export const CRON_TIME_ZONE_CACHE_MAX = 64;

/** Thrown by cronTimeZone when Intl does not know the zone name. */
export class UnknownTimeZoneError extends Error {
  override readonly name = 'UnknownTimeZoneError';
  constructor(readonly timeZone: string) {
    super(`unknown time zone ${timeZone}`);
  }
}

/** The calendar fields of an instant in a zone (month 1-12, weekday 0 = Sunday). */
export interface WallClockFields {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

export interface CronTimeZone {
  readonly name: string;
  fieldsAt(epochMs: number): WallClockFields;
  /** The instant of a wall-clock time; in a DST gap or overlap, as Go's time.Date resolves it (the offset in force before the transition). */
  instantOf(year: number, month: number, day: number, hour: number, minute: number): number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(name: string): Intl.DateTimeFormat {
  let formatter = formatters.get(name);
  if (formatter !== undefined) return formatter;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new UnknownTimeZoneError(name);
  }
  if (formatters.size >= CRON_TIME_ZONE_CACHE_MAX) {
    const oldest = formatters.keys().next();
    if (oldest.done !== true) formatters.delete(oldest.value);
  }
  formatters.set(name, formatter);
  return formatter;
}

const UTC_ZONE: CronTimeZone = {
  name: 'UTC',
  fieldsAt(epochMs) {
    const d = new Date(epochMs);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), weekday: d.getUTCDay() };
  },
  instantOf(year, month, day, hour, minute) {
    return Date.UTC(year, month - 1, day, hour, minute);
  },
};

/** The zone named `name` ('' or 'UTC' or 'Etc/UTC': UTC). Throws UnknownTimeZoneError. */
export function cronTimeZone(name: string): CronTimeZone {
  if (name === '' || name === 'UTC') return UTC_ZONE;
  // Go's LoadLocation refuses "Local" here in the sense that a CronJob must name a zone.
  if (name === 'Local') throw new UnknownTimeZoneError(name);
  const formatter = formatterFor(name);
  const fieldsAt = (epochMs: number): WallClockFields => {
    const parts: Record<string, number> = {};
    for (const part of formatter.formatToParts(new Date(epochMs))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const year = parts['year'] ?? 1970;
    const month = parts['month'] ?? 1;
    const day = parts['day'] ?? 1;
    return { year, month, day, hour: parts['hour'] ?? 0, minute: parts['minute'] ?? 0, second: parts['second'] ?? 0, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
  };
  const offsetAtMs = (epochMs: number): number => {
    const f = fieldsAt(epochMs);
    const secondMs = Math.floor(epochMs / 1000) * 1000;
    return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - secondMs;
  };
  return {
    name,
    fieldsAt,
    instantOf(year, month, day, hour, minute) {
      const wall = Date.UTC(year, month - 1, day, hour, minute);
      // Offsets differ by at most 14 h from UTC, so these two readings bracket any transition
      // near the wall time: an overlap resolves to its first occurrence, a gap to the instant
      // past it (the wall time read with the earlier offset).
      const before = offsetAtMs(wall - 14 * 3600_000);
      const after = offsetAtMs(wall + 14 * 3600_000);
      const withBefore = wall - before;
      if (offsetAtMs(withBefore) === before) return withBefore;
      const withAfter = wall - after;
      if (offsetAtMs(withAfter) === after) return withAfter;
      return withBefore;
    },
  };
}
