import { assert } from '../../core/index.js';
import type { Backend } from './backend.js';
import { bytesToKey } from './bytes.js';
import { decodeRecord, revFloor } from './codec.js';
import type { KeyIndex } from './key-index.js';

/** What the background half of a compaction works on (the store). */
export interface CompactionTarget {
  readonly backend: Backend;
  readonly index: KeyIndex;
  /** Where the backend is, for MvccCorruptionError: compaction reads every record <= rev, and checks it. */
  readonly location: string;
  /** Records examined per batch; each batch's deletes are flushed before the next. */
  readonly batchRecords: number;
  /** The least pause between batches; each pause is also at least twice its batch's duration. */
  readonly sleepMs: number;
  /** Resolves after `ms` (the store's timer). */
  pause(ms: number): Promise<void>;
  /** True once the compaction must stop: the store is closing, or a restore replaced the state. */
  stopped(): boolean;
  /** Queues the delete of a revision record (`bytes`: its key and value length) for the next flush. */
  deleteRecord(revKey: Uint8Array, bytes: number): void;
  flush(): Promise<void>;
}

/**
 * The background half of compacting at `rev` (etcd's scheduleCompaction): walks every record
 * <= rev in batches, compacts its key's history at rev (dropping a history that empties), and
 * deletes the records that left the history. Returns false when stopped before the end; the
 * compaction is then redone at the next open (its scheduled mark is past its finished one).
 *
 * Batches are paced (CompactionTarget.sleepMs): the pause comes before the next batch is
 * examined, so none follows the last one.
 *
 * Every record <= rev must be in the backend when it starts (the caller flushes first). Applies
 * may go on meanwhile: they only add revisions > rev, which compaction at rev never touches.
 */
export async function compactBackend(target: CompactionTarget, rev: number): Promise<boolean> {
  let pauseMs = 0;
  for await (const chunk of target.backend.iterate({ gte: revFloor(0), lt: revFloor(rev + 1) }, target.batchRecords)) {
    if (pauseMs > 0) await target.pause(pauseMs);
    if (target.stopped()) return false;
    const started = performance.now();
    for (const [k, v] of chunk) {
      const { main, sub, kv } = decodeRecord(k, v, target.location);
      const key = bytesToKey(kv.key);
      const h = target.index.get(key);
      if (h !== undefined) {
        h.compact(rev);
        if (h.isEmpty()) {
          assert(h.latest === undefined, () => `mvcc: compaction emptied the history of live key ${JSON.stringify(key)}`);
          target.index.remove(key);
        }
      }
      if (h === undefined || !h.has(main, sub)) target.deleteRecord(k, k.length + v.length);
    }
    await target.flush();
    pauseMs = Math.max(target.sleepMs, 2 * (performance.now() - started));
  }
  return !target.stopped();
}
