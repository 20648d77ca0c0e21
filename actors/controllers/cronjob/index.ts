// Public surface of the CronJob controller: the controller, and the cron schedule parser it uses.
export { cronJobController, cronJobsForJob } from './cronjob-controller.js';
export { makeCronJobReconciler, CRONJOB_MAX_MISSED_SCHEDULES, CRONJOB_NEXT_SCHEDULE_SLACK_MS, CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION, cronJobNameForSchedule } from './cronjob-reconciler.js';
export { mostRecentScheduleTime } from './missed-schedules.js';
export type { MissedSchedules } from './missed-schedules.js';
export { CRON_SEARCH_YEARS_MAX, CronScheduleParseError, parseCronSchedule } from './cron-schedule.js';
export type { CronSchedule } from './cron-schedule.js';
export { CRON_TIME_ZONE_CACHE_MAX, cronTimeZone, UnknownTimeZoneError } from './cron-time-zone.js';
export type { CronTimeZone, WallClockFields } from './cron-time-zone.js';
