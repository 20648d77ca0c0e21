// Per-container restart back-off, as kubelet's (flowcontrol.Backoff keyed by pod and container):
// the first restart is immediate; a container that exits again before its back-off has passed
// since it finished waits in CrashLoopBackOff; each restart doubles the back-off up to the cap;
// a container that ran longer than the reset window starts over.

import type { CrashLoopBackoffPolicy } from '../pod-worker-contract.js';

interface BackoffEntry {
  delayMs: number;
  /** When the back-off last advanced (the restart it allowed). */
  lastUpdateMs: number;
}

/** Containers of one pod with back-off state; bounded by the pod's container count. */
export class CrashLoopBackoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(private readonly policy: CrashLoopBackoffPolicy) {}

  /**
   * The time until `name`, which finished at `finishedAtMs`, may restart; 0 when it may restart
   * now. A container that finished more than `resetAfterMs` after its last restart has its
   * back-off forgotten.
   */
  remainingMs(name: string, finishedAtMs: number, nowMs: number): number {
    const entry = this.entries.get(name);
    if (entry === undefined) return 0;
    if (finishedAtMs - entry.lastUpdateMs > this.policy.resetAfterMs) {
      this.entries.delete(name);
      return 0;
    }
    return Math.max(0, finishedAtMs + entry.delayMs - nowMs);
  }

  /** The current back-off of `name` (what the CrashLoopBackOff message shows). */
  delayMs(name: string): number {
    return this.entries.get(name)?.delayMs ?? 0;
  }

  /** Records a restart of `name` at `nowMs`: the next one waits twice as long (capped). */
  next(name: string, nowMs: number): void {
    const entry = this.entries.get(name);
    const delayMs = entry === undefined ? this.policy.initialMs : Math.min(entry.delayMs * 2, this.policy.maxMs);
    this.entries.set(name, { delayMs, lastUpdateMs: nowMs });
  }

  forget(name: string): void {
    this.entries.delete(name);
  }
}

/** A duration as Go's time.Duration prints it (`10s`, `1m20s`, `5m0s`, `1.5s`). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const secondsText = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, '')}s`;
  if (hours > 0) return `${hours}h${minutes}m${secondsText}`;
  if (minutes > 0) return `${minutes}m${secondsText}`;
  return secondsText;
}
