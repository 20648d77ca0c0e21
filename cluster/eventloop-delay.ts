// How late the event loop runs a timer, as a cumulative histogram. prom-client's
// nodejs_eventloop_lag_* gauges are percentiles of the window since the previous scrape (the
// scraper resets them), so a seconds-long stall between two scrapes by different scrapers is
// easily missed; a histogram keeps every stall, and its +Inf count minus the 1 s bucket is the
// number of stalls that would cost a Raft election or a lease renewal.
import { Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

/** How often the probe timer is armed. Its delay beyond this is the sample. */
export const EVENT_LOOP_PROBE_INTERVAL_MS = 100;
/** A delay at least this long is reported to onStall (and is worth a log line). */
export const EVENT_LOOP_STALL_THRESHOLD_MS = 1_000;
const DELAY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface EventLoopDelayOptions {
  /** Called after a stall of at least stallThresholdMs, with its length. */
  readonly onStall?: (delayMs: number) => void;
  /** Default EVENT_LOOP_STALL_THRESHOLD_MS. */
  readonly stallThresholdMs?: number;
}

/**
 * Registers `flotilla_eventloop_delay_seconds` on `registry` and starts its probe (an unref'd
 * timer: it never keeps a process alive). Returns a function that stops the probe.
 */
export function monitorEventLoopDelay(registry: Registry, options: EventLoopDelayOptions = {}): () => void {
  const histogram = new Histogram({
    name: 'flotilla_eventloop_delay_seconds',
    help: 'How late the event loop ran a timer armed every 100 ms (its delay beyond the interval), in seconds.',
    buckets: DELAY_BUCKETS_SECONDS,
    registers: [registry],
  });
  const stallThresholdMs = options.stallThresholdMs ?? EVENT_LOOP_STALL_THRESHOLD_MS;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (): void => {
    const armedAtMs = performance.now();
    timer = setTimeout(() => {
      const delayMs = Math.max(0, performance.now() - armedAtMs - EVENT_LOOP_PROBE_INTERVAL_MS);
      histogram.observe(delayMs / 1000);
      if (delayMs >= stallThresholdMs) options.onStall?.(delayMs);
      if (!stopped) arm();
    }, EVENT_LOOP_PROBE_INTERVAL_MS);
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
