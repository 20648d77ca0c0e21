/**
 * Kubernetes' `duration.HumanDuration`: a duration with two or three significant figures, the
 * way kubectl prints AGE ("45s", "3m2s", "5h", "2d4h", "3y12d"). Thresholds follow apimachinery:
 * seconds below 2 minutes, minutes and seconds below 10 minutes, minutes below 3 hours, hours
 * and minutes below 8 hours, hours below 2 days, days and hours below 8 days, days below 2 years,
 * years and days below 8 years, then years.
 */
export function humanDuration(durationMs: number): string {
  // Go truncates toward zero when it converts a Duration to whole seconds.
  const seconds = Math.trunc(durationMs / 1000);
  // A clock up to a second ahead of the server still reads as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    const dy = days % 365;
    return dy === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/**
 * The AGE of something that happened at `sinceMs`, as kubectl prints it: "<unknown>" for a
 * missing (zero) timestamp, else `humanDuration(now - since)`.
 */
export function translateTimestampSince(sinceMs: number | undefined, nowMs: number): string {
  if (sinceMs === undefined) return '<unknown>';
  return humanDuration(nowMs - sinceMs);
}
