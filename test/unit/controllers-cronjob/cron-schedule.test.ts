// The cron parser and next-activation search: field syntax, names, descriptors, the robfig
// day-of-month/day-of-week rule, time zones and DST transitions.
import t from 'tap';
import { CronScheduleParseError, parseCronSchedule, UnknownTimeZoneError } from '../../../actors/index.js';

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string => (ms === undefined ? 'none' : new Date(ms).toISOString());

/** The next `count` activations after `from`. */
function run(schedule: string, from: string, count: number, timeZone = ''): string[] {
  const s = parseCronSchedule(schedule, timeZone);
  const out: string[] = [];
  let cursor = at(from);
  for (let i = 0; i < count; i++) {
    const next = s.next(cursor);
    out.push(iso(next));
    if (next === undefined) break;
    cursor = next;
  }
  return out;
}

void t.test('every minute, steps, ranges and lists', (t) => {
  t.same(run('* * * * *', '2024-01-01T00:00:30Z', 2), ['2024-01-01T00:01:00.000Z', '2024-01-01T00:02:00.000Z']);
  t.same(run('*/15 * * * *', '2024-01-01T00:00:00Z', 3), ['2024-01-01T00:15:00.000Z', '2024-01-01T00:30:00.000Z', '2024-01-01T00:45:00.000Z']);
  t.same(run('5-7,30 1 * * *', '2024-01-01T00:00:00Z', 5), [
    '2024-01-01T01:05:00.000Z',
    '2024-01-01T01:06:00.000Z',
    '2024-01-01T01:07:00.000Z',
    '2024-01-01T01:30:00.000Z',
    '2024-01-02T01:05:00.000Z',
  ]);
  t.same(run('10-50/20 * * * *', '2024-01-01T00:00:00Z', 3), ['2024-01-01T00:10:00.000Z', '2024-01-01T00:30:00.000Z', '2024-01-01T00:50:00.000Z']);
  // `a/n` runs from a to the field's maximum.
  t.same(run('0 20/2 * * *', '2024-01-01T00:00:00Z', 3), ['2024-01-01T20:00:00.000Z', '2024-01-01T22:00:00.000Z', '2024-01-02T20:00:00.000Z']);
  t.end();
});

void t.test('month and weekday names, descriptors', (t) => {
  t.same(run('0 9 * JAN,jul MON-wed', '2024-01-05T00:00:00Z', 3), ['2024-01-08T09:00:00.000Z', '2024-01-09T09:00:00.000Z', '2024-01-10T09:00:00.000Z']);
  t.same(run('@hourly', '2024-01-01T00:30:00Z', 1), ['2024-01-01T01:00:00.000Z']);
  t.same(run('@daily', '2024-01-01T00:30:00Z', 1), ['2024-01-02T00:00:00.000Z']);
  t.same(run('@midnight', '2024-01-01T00:30:00Z', 1), ['2024-01-02T00:00:00.000Z']);
  t.same(run('@weekly', '2024-01-01T00:30:00Z', 1), ['2024-01-07T00:00:00.000Z'], '2024-01-07 is a Sunday');
  t.same(run('@monthly', '2024-01-31T00:30:00Z', 1), ['2024-02-01T00:00:00.000Z']);
  t.same(run('@yearly', '2024-03-01T00:00:00Z', 1), ['2025-01-01T00:00:00.000Z']);
  t.same(run('@annually', '2024-03-01T00:00:00Z', 1), ['2025-01-01T00:00:00.000Z']);
  t.same(run('@every 90s', '2024-01-01T00:00:00.500Z', 2), ['2024-01-01T00:01:30.000Z', '2024-01-01T00:03:00.000Z']);
  t.end();
});

void t.test('day-of-month and day-of-week: OR when both restricted, AND when one is starred', (t) => {
  // 2024-06-13 is a Thursday; the 15th a Saturday.
  t.same(run('0 0 15 * 4', '2024-06-10T00:00:00Z', 3), ['2024-06-13T00:00:00.000Z', '2024-06-15T00:00:00.000Z', '2024-06-20T00:00:00.000Z']);
  t.same(run('0 0 * * 4', '2024-06-10T00:00:00Z', 1), ['2024-06-13T00:00:00.000Z']);
  t.same(run('0 0 29 2 *', '2024-03-01T00:00:00Z', 1), ['2028-02-29T00:00:00.000Z'], 'leap days');
  t.same(run('0 0 30 2 *', '2024-03-01T00:00:00Z', 1), ['none'], 'never matches: gives up');
  t.end();
});

void t.test('time zones and DST (America/New_York)', (t) => {
  // 2024-03-10: 02:00 EST jumps to 03:00 EDT. 2024-11-03: 02:00 EDT falls back to 01:00 EST.
  t.same(run('0 9 * * *', '2024-03-09T00:00:00Z', 2, 'America/New_York'), ['2024-03-09T14:00:00.000Z', '2024-03-10T13:00:00.000Z'], '09:00 local across the change');
  t.same(run('30 2 * * *', '2024-03-09T12:00:00Z', 2, 'America/New_York'), ['2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z'], 'a wall time in the gap is skipped that day');
  t.same(
    run('30 1 * * *', '2024-11-03T00:00:00Z', 3, 'America/New_York'),
    ['2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z', '2024-11-04T06:30:00.000Z'],
    'a wall time in the repeated hour fires twice, as robfig/cron',
  );
  t.same(run('0 * * * *', '2024-03-10T06:30:00Z', 2, 'America/New_York'), ['2024-03-10T07:00:00.000Z', '2024-03-10T08:00:00.000Z'], 'hourly keeps absolute hours');
  t.same(run('CRON_TZ=Asia/Tokyo 0 0 * * *', '2024-01-01T00:00:00Z', 1), ['2024-01-01T15:00:00.000Z'], 'CRON_TZ prefix');
  t.same(run('TZ=Europe/London 0 1 * * *', '2024-06-01T00:00:00Z', 1), ['2024-06-02T00:00:00.000Z'], 'TZ prefix in BST');
  t.same(run('0 0 * * *', '2024-01-01T00:00:00Z', 1, 'Asia/Kolkata'), ['2024-01-01T18:30:00.000Z'], 'half-hour offsets');
  t.end();
});

void t.test('bad schedules and zones are typed errors', (t) => {
  t.throws(() => parseCronSchedule('* * * *'), CronScheduleParseError);
  t.throws(() => parseCronSchedule('61 * * * *'), CronScheduleParseError);
  t.throws(() => parseCronSchedule('@fortnightly'), CronScheduleParseError);
  t.throws(() => parseCronSchedule('* * * * *', 'Mars/Olympus'), UnknownTimeZoneError);
  try {
    parseCronSchedule('1-2-3 * * * *');
    t.fail('should throw');
  } catch (err) {
    t.ok(err instanceof CronScheduleParseError && err.reason.startsWith('too many hyphens'), 'carries the parser message');
  }
  t.end();
});
