/** A fixed clock reading for printer tests, and timestamps relative to it. */
export const NOW_MS = Date.parse('2024-05-01T12:00:00Z');

/** The RFC 3339 timestamp `ms` milliseconds before NOW_MS, at second precision as kube stores it. */
export function ago(ms: number): string {
  return new Date(NOW_MS - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
