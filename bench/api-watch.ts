import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiBenchClient, ApiBenchWatch } from './api-client.js';
import { BENCH_RUN_LABEL } from './api-namespace.js';
import { runBounded, runOpenLoop } from './api-open-loop.js';
import type { OpenLoopResult } from './api-open-loop.js';
import { ApiLatencyRecorder } from './api-stats.js';
import type { ApiLatencySummary } from './api-stats.js';

/** The annotation each change writes: the change's sequence number, which names it in every event. */
export const WATCH_SEQ_ANNOTATION = 'bench.flotilla.io/seq';
/** ConfigMaps the changes are spread over (each change patches one of them). */
export const WATCH_OBJECTS = 100;
/** After the last write, how long delivery may make no progress before what is missing counts as lost. */
export const WATCH_DRAIN_IDLE_MS = 30_000;
const DRAIN_POLL_MS = 20;
/** Lost changes named in the result. */
const LOST_SAMPLE = 10;
const SETUP_CONCURRENCY = 32;

export interface WatchPhaseOptions {
  readonly watchers: number;
  readonly ratePerS: number;
  /** Changes to make in all. */
  readonly changes: number;
  readonly signal?: AbortSignal;
}

export interface WatchPhaseResult {
  readonly watchers: number;
  /** Changes written successfully: each of them every watcher must see. */
  readonly changes: number;
  /** Events delivered (first sighting of a change by a watcher). */
  readonly events: number;
  /** Delivery delay from the scheduled start of the change's write (the primary figure). */
  readonly p50DelayMs: number;
  readonly p90DelayMs: number;
  readonly p99DelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Delivery delay from the write's response instead (0 for an event that came first): the
   * fan-out alone, without the write's own latency.
   */
  readonly afterWrite: ApiLatencySummary;
  /** (watcher, change) pairs never delivered: must be 0. */
  readonly lost: number;
  /** Watchers that missed at least one change. */
  readonly watchersMissing: number;
  /** Sequence numbers of some lost changes (at most LOST_SAMPLE), to look for in the server's logs. */
  readonly lostSample: readonly number[];
  /** Events a watcher saw twice. */
  readonly duplicates: number;
  /** Watch streams that ended (or sent an ERROR event) before the phase closed them. */
  readonly streamsEnded: number;
  /** The writes (merge patches) that made the changes, timed open-loop. */
  readonly write: OpenLoopResult;
  /** Why the first stream ended, when one did. */
  readonly firstStreamError?: string;
}

/** One watcher's stream and counters; what it saw is its row of the arrival matrix. */
interface Watcher {
  readonly row: number;
  events: number;
  duplicates: number;
  ended: string | undefined;
  stream: ApiBenchWatch | undefined;
}

const SEQ_MARKER = `"${WATCH_SEQ_ANNOTATION}":"`;

interface WatchEventJson {
  readonly type?: string;
  readonly object?: { readonly message?: string; readonly metadata?: { readonly annotations?: Record<string, string> } };
}

/**
 * The watch benchmark: `watchers` watches of one namespace's ConfigMaps from the resourceVersion
 * of a list, then `changes` merge patches at `ratePerS`, each carrying its sequence number in an
 * annotation. A change's delivery delay is the time from its scheduled write start to the arrival
 * of its event at a watcher; every watcher must see every change that was written.
 */
export async function runWatchPhase(client: ApiBenchClient, namespace: string, runId: string, o: WatchPhaseOptions): Promise<WatchPhaseResult> {
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  const objects = Math.max(1, Math.min(WATCH_OBJECTS, o.changes));
  const setup = await runBounded(objects, SETUP_CONCURRENCY, async (i) => {
    await client.requestJson('POST', path, [201], {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `bench-watch-${i}`, labels: { [BENCH_RUN_LABEL]: runId } }, data: { seq: '' } },
    });
  });
  if (setup.errors > 0) throw new Error(`could not create the ConfigMaps to watch: ${setup.firstError ?? ''}`);
  const list = await client.requestJson<{ metadata?: { resourceVersion?: string } }>('GET', path, [200]);
  const fromRv = list.metadata?.resourceVersion ?? '';

  const changes = o.changes;
  const plannedMs = new Float64Array(changes);
  /** Write latency of each successful change; NaN while unwritten or when the write failed. */
  const writeMs = new Float64Array(changes).fill(NaN);
  /** Row per watcher, column per change: delay from the scheduled write start; NaN = not seen. */
  const arrivalMs = new Float64Array(o.watchers * changes).fill(NaN);
  const watchers: Watcher[] = Array.from({ length: o.watchers }, (_, i) => ({ row: i * changes, events: 0, duplicates: 0, ended: undefined, stream: undefined }));

  const onLine = (w: Watcher, line: string, receivedMs: number): void => {
    const seq = seqOf(line);
    if (seq === undefined) {
      const ev = JSON.parse(line) as WatchEventJson;
      if (ev.type === 'ERROR') w.ended ??= `ERROR event: ${ev.object?.message ?? line.slice(0, 200)}`;
      return;
    }
    if (seq < 0 || seq >= changes) return;
    if (!Number.isNaN(arrivalMs[w.row + seq]!)) {
      w.duplicates++;
      return;
    }
    arrivalMs[w.row + seq] = receivedMs - plannedMs[seq]!;
    w.events++;
  };

  try {
    const watchPath = `${path}?watch=true&resourceVersion=${encodeURIComponent(fromRv)}`;
    await Promise.all(
      watchers.map(async (w) => {
        w.stream = await client.openWatch(watchPath, {
          onLine: (line, receivedMs) => onLine(w, line, receivedMs),
          onEnd: (err) => (w.ended ??= err ? err.message : 'the server ended the stream'),
        });
      }),
    );

    const write = await runOpenLoop({ ratePerS: o.ratePerS, count: changes, ...(o.signal ? { signal: o.signal } : {}) }, async (i, scheduledMs) => {
      plannedMs[i] = scheduledMs;
      await client.requestJson('PATCH', `${path}/bench-watch-${i % objects}`, [200], {
        body: { metadata: { annotations: { [WATCH_SEQ_ANNOTATION]: String(i) } } },
        contentType: 'application/merge-patch+json',
      });
      writeMs[i] = performance.now() - scheduledMs;
    });
    await drain(watchers, arrivalMs, writeMs, o.signal);

    const fromWrite = new ApiLatencyRecorder(Math.max(1, o.watchers * changes));
    const afterWrite = new ApiLatencyRecorder(Math.max(1, o.watchers * changes));
    let lost = 0;
    let watchersMissing = 0;
    const lostChanges = new Set<number>();
    for (const w of watchers) {
      const lostBefore = lost;
      for (let i = 0; i < changes; i++) {
        const written = writeMs[i]!;
        const arrived = arrivalMs[w.row + i]!;
        if (Number.isNaN(written)) continue;
        if (Number.isNaN(arrived)) {
          lost++;
          if (lostChanges.size < LOST_SAMPLE) lostChanges.add(i);
          continue;
        }
        fromWrite.record(arrived);
        afterWrite.record(Math.max(0, arrived - written));
      }
      if (lost > lostBefore) watchersMissing++;
    }
    const d = fromWrite.summary();
    const firstStreamError = watchers.find((w) => w.ended !== undefined)?.ended;
    return {
      watchers: o.watchers,
      changes: write.count,
      events: watchers.reduce((n, w) => n + w.events, 0),
      p50DelayMs: d.p50Ms,
      p90DelayMs: d.p90Ms,
      p99DelayMs: d.p99Ms,
      maxDelayMs: d.maxMs,
      afterWrite: afterWrite.summary(),
      lost,
      watchersMissing,
      lostSample: [...lostChanges].sort((a, b) => a - b),
      duplicates: watchers.reduce((n, w) => n + w.duplicates, 0),
      streamsEnded: watchers.filter((w) => w.ended !== undefined).length,
      write,
      ...(firstStreamError !== undefined ? { firstStreamError } : {}),
    };
  } finally {
    for (const w of watchers) w.stream?.close();
  }
}

/**
 * Waits until every open watcher saw every successfully written change, or delivery stalls for
 * WATCH_DRAIN_IDLE_MS. Counting events is not enough: a write that timed out may still have been
 * applied, and its event must not stand in for a missing one.
 */
async function drain(watchers: readonly Watcher[], arrivalMs: Float64Array, writeMs: Float64Array, signal: AbortSignal | undefined): Promise<void> {
  const changes = writeMs.length;
  // Per watcher, every successful change below this index was seen; events come mostly in order.
  const seenThrough = new Array<number>(watchers.length).fill(0);
  let lastTotal = -1;
  let lastProgressMs = performance.now();
  for (;;) {
    let total = 0;
    let done = true;
    watchers.forEach((w, k) => {
      total += w.events;
      if (w.ended !== undefined) return;
      let i = seenThrough[k]!;
      while (i < changes && (Number.isNaN(writeMs[i]!) || !Number.isNaN(arrivalMs[w.row + i]!))) i++;
      seenThrough[k] = i;
      if (i < changes) done = false;
    });
    if (done || signal?.aborted) return;
    const now = performance.now();
    if (total !== lastTotal) {
      lastTotal = total;
      lastProgressMs = now;
    } else if (now - lastProgressMs > WATCH_DRAIN_IDLE_MS) {
      return;
    }
    await sleep(DRAIN_POLL_MS);
  }
}

/**
 * The sequence number an event carries, found without parsing the whole event (100 watchers at
 * 1,000 changes/s are 100,000 events/s for this one process). Falls back to a full parse when
 * the compact form is not there; undefined for events without the annotation.
 */
function seqOf(line: string): number | undefined {
  const at = line.indexOf(SEQ_MARKER);
  if (at >= 0) {
    const start = at + SEQ_MARKER.length;
    const end = line.indexOf('"', start);
    const n = Number(line.slice(start, end));
    return end > start && Number.isInteger(n) ? n : undefined;
  }
  if (!line.includes(WATCH_SEQ_ANNOTATION)) return undefined;
  const raw = (JSON.parse(line) as WatchEventJson).object?.metadata?.annotations?.[WATCH_SEQ_ANNOTATION];
  const n = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(n) ? n : undefined;
}
