import { setTimeout as sleep } from 'node:timers/promises';
import { ApiLatencyRecorder } from './api-stats.js';
import type { ApiLatencySummary } from './api-stats.js';

export interface OpenLoopOptions {
  /** Operations started per second, on a fixed timeline. */
  readonly ratePerS: number;
  /** How many operations to start in all. */
  readonly count: number;
  /**
   * The most operations in flight at once. Past it, starts wait for a completion; their
   * latency still counts from the scheduled start, so the wait shows in the figures.
   */
  readonly maxInFlight?: number;
  /** Stops scheduling new operations; those in flight complete. */
  readonly signal?: AbortSignal;
}

export interface OpenLoopResult extends ApiLatencySummary {
  /** Operations started (less than `count` only when aborted). */
  readonly started: number;
  /** Completed operations per second, from the first scheduled start to the last completion (at least the schedule's span). */
  readonly rate: number;
  readonly seconds: number;
  /** The message of the first failed operation, to say why there were errors. */
  readonly firstError?: string;
}

/** Default bound of operations in flight: ten seconds' worth at 200/s. */
export const OPEN_LOOP_MAX_IN_FLIGHT = 2_000;

/**
 * Runs `op(i, scheduledMs)` for i = 0…count-1, op i scheduled at start + i/rate (a performance.now()
 * time) whatever happened to earlier ones (open loop). Latency is measured from the scheduled
 * start, not the actual send, so a stall of the server (or of this process) is charged to every
 * operation it delayed instead of being hidden by sending less (coordinated omission). A rejected op counts as an error, not a sample.
 */
export async function runOpenLoop(o: OpenLoopOptions, op: (i: number, scheduledMs: number) => Promise<void>): Promise<OpenLoopResult> {
  if (!(o.ratePerS > 0)) throw new RangeError(`rate must be positive, got ${o.ratePerS}`);
  const maxInFlight = o.maxInFlight ?? OPEN_LOOP_MAX_IN_FLIGHT;
  const intervalMs = 1000 / o.ratePerS;
  const recorder = new ApiLatencyRecorder();
  let inFlight = 0;
  /** Resolved when an operation completes while starts wait for a slot. */
  let slotFreed: (() => void) | undefined;
  const all: Promise<void>[] = [];
  const t0 = performance.now();
  let lastEndMs = t0;
  let started = 0;
  let firstError: string | undefined;
  for (let i = 0; i < o.count; i++) {
    if (o.signal?.aborted) break;
    const scheduledMs = t0 + i * intervalMs;
    const waitMs = scheduledMs - performance.now();
    if (waitMs >= 1) await sleep(waitMs);
    // One waiter for a slot: a Promise.race over thousands in flight, per start, cost the bench more CPU than its requests.
    while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (slotFreed = resolve));
    started++;
    inFlight++;
    const p: Promise<void> = op(i, scheduledMs).then(
      () => {
        const end = performance.now();
        recorder.record(end - scheduledMs);
        lastEndMs = Math.max(lastEndMs, end);
      },
      (err: unknown) => {
        recorder.errors++;
        firstError ??= messageOf(err);
        lastEndMs = Math.max(lastEndMs, performance.now());
      },
    );
    all.push(
      p.finally(() => {
        inFlight--;
        const wake = slotFreed;
        slotFreed = undefined;
        wake?.();
      }),
    );
  }
  await Promise.all(all);
  // The schedule spans started/rate seconds: finishing early must not read as a higher rate.
  const seconds = Math.max(lastEndMs - t0, started * intervalMs) / 1000;
  return {
    ...recorder.summary(),
    started,
    rate: seconds > 0 ? Math.round((recorder.count / seconds) * 10) / 10 : 0,
    seconds: Math.round(seconds * 100) / 100,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

/**
 * Runs `op(i)` for i = 0…count-1 with at most `concurrency` in flight (closed loop): for setting
 * up and tearing down, where throughput matters and latency is not the figure.
 */
export async function runBounded(count: number, concurrency: number, op: (i: number) => Promise<void>, signal?: AbortSignal): Promise<OpenLoopResult> {
  const recorder = new ApiLatencyRecorder();
  let next = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count && !signal?.aborted; i = next++) {
      const s = performance.now();
      try {
        await op(i);
        recorder.record(performance.now() - s);
      } catch (err) {
        recorder.errors++;
        firstError ??= messageOf(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, () => worker()));
  const seconds = (performance.now() - t0) / 1000;
  return {
    ...recorder.summary(),
    started: Math.min(next, count),
    rate: seconds > 0 ? Math.round((recorder.count / seconds) * 10) / 10 : 0,
    seconds: Math.round(seconds * 100) / 100,
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
