// Which scheduled time a CronJob should run now, as kube's mostRecentScheduleTime: the latest
// activation in (earliest, now], and how many were missed. Past CRONJOB_MAX_MISSED_SCHEDULES
// missed activations the walk stops counting and jumps near `now` (a controller that was down for
// days, or a clock off by years, must not enumerate every minute since).

import type { CronSchedule } from './cron-schedule.js';

/** More missed activations than this are "many": kube logs it and starts only the latest. */
export const CRONJOB_MAX_MISSED_SCHEDULES = 100;
/** Windows tried when jumping back from `now` to find the latest activation (each doubles). */
const LATEST_SEARCH_WINDOWS_MAX = 40;

export interface MissedSchedules {
  /** The latest activation in (earliestMs, nowMs], if any. */
  readonly mostRecentMs: number | undefined;
  /** Activations in (earliestMs, nowMs]: 0, their count up to the bound, or 'many'. */
  readonly missed: number | 'many';
}

export function mostRecentScheduleTime(schedule: CronSchedule, earliestMs: number, nowMs: number): MissedSchedules {
  let count = 0;
  let mostRecentMs: number | undefined;
  for (let t = schedule.next(earliestMs); t !== undefined && t <= nowMs; t = schedule.next(t)) {
    mostRecentMs = t;
    count++;
    if (count > CRONJOB_MAX_MISSED_SCHEDULES) return { mostRecentMs: latestActivation(schedule, earliestMs, nowMs), missed: 'many' };
  }
  return { mostRecentMs, missed: count };
}

/** The latest activation in (earliestMs, nowMs], found from windows ending at now that double until one holds an activation. */
function latestActivation(schedule: CronSchedule, earliestMs: number, nowMs: number): number | undefined {
  let windowMs = 60_000;
  for (let i = 0; i < LATEST_SEARCH_WINDOWS_MAX; i++) {
    const fromMs = Math.max(earliestMs, nowMs - windowMs);
    let latest: number | undefined;
    for (let t = schedule.next(fromMs); t !== undefined && t <= nowMs; t = schedule.next(t)) latest = t;
    if (latest !== undefined || fromMs === earliestMs) return latest;
    windowMs *= 2;
  }
  return undefined;
}
