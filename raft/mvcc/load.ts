import type { Backend } from './backend.js';
import { bytesToKey, copyBytes } from './bytes.js';
import { BUCKET_KEY, BUCKET_LEASE, bucketRange, decodeLeaseKey, decodeRecord, decodeRevKey, decodeU64, META } from './codec.js';
import type { KeyIndex } from './key-index.js';

/** What a backend holds, besides the key index that loadState rebuilds. */
export interface LoadedState {
  readonly consistentIndex: number;
  /** The revision the last flush recorded. */
  readonly metaRevision: number;
  /** The newest revision among the records. */
  readonly newestRecord: number;
  readonly scheduledCompact: number;
  readonly finishedCompact: number;
  /** [id, ttlSeconds] of every lease. */
  readonly leases: [number, number][];
  /** Bytes of the records and leases. */
  readonly bytes: number;
}

/**
 * Rebuilds the key index from every revision record in the backend, in revision order (etcd's
 * store.restore), and reads the meta and leases. Records that a compaction cut short left behind
 * (garbage) may enter the index; the compaction that resumes at open removes them again.
 */
export async function loadState(backend: Backend, index: KeyIndex, scanChunk: number): Promise<LoadedState> {
  index.clear();
  const meta = async (key: Uint8Array): Promise<number> => {
    const v = await backend.get(key);
    return v === undefined ? 0 : decodeU64(v);
  };
  const consistentIndex = await meta(META.consistentIndex);
  const metaRevision = await meta(META.revision);
  const scheduledCompact = await meta(META.scheduledCompact);
  const finishedCompact = await meta(META.finishedCompact);
  let bytes = 0;
  const leases: [number, number][] = [];
  for await (const chunk of backend.iterate(bucketRange(BUCKET_LEASE), scanChunk)) {
    for (const [k, v] of chunk) {
      leases.push([decodeLeaseKey(k), decodeU64(v)]);
      bytes += k.length + v.length;
    }
  }
  let newestRecord = 0;
  for await (const chunk of backend.iterate(bucketRange(BUCKET_KEY), scanChunk)) {
    for (const [k, v] of chunk) {
      const { main, sub, tombstone } = decodeRevKey(k);
      bytes += k.length + v.length;
      newestRecord = Math.max(newestRecord, main);
      const kv = decodeRecord(v);
      const key = bytesToKey(kv.key);
      if (tombstone) {
        const h = index.get(key);
        // A tombstone whose generation a cut-short compaction half deleted is garbage.
        if (h?.latest === undefined) continue;
        h.tombstone(main, sub);
        h.latest = undefined;
      } else {
        const h = index.getOrCreate(key);
        h.put(main, sub);
        // An owned key: later versions reuse it, and it must not keep this record's buffer
        // (this version's value) alive as long as the key lives.
        h.latest = { ...kv, key: copyBytes(kv.key) };
      }
    }
  }
  return { consistentIndex, metaRevision, newestRecord, scheduledCompact, finishedCompact, leases, bytes };
}
