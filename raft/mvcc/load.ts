import type { Backend } from './backend.js';
import { bytesToKey, copyBytes } from './bytes.js';
import { BUCKET_KEY, BUCKET_LEASE, BUCKET_META, checkAnyValue, checkFormat, decodeLease, decodeMeta, decodeRecord, encodeFormat, META, unknownRecord } from './codec.js';
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

/** The numeric meta records, by latin1 key. */
const META_NUMBERS = new Set([META.consistentIndex, META.revision, META.scheduledCompact, META.finishedCompact].map(bytesToKey));
const FORMAT_KEY = bytesToKey(META.format);

/**
 * Rebuilds the key index from every revision record in the backend, in revision order (etcd's
 * store.restore), and reads the meta and leases. Records that a compaction cut short left behind
 * (garbage) may enter the index; the compaction that resumes at open removes them again.
 *
 * Checks all of it first-hand, in one scan of the whole backend: the format record, then every
 * value's frame and checksum (codec.ts); a key of no known bucket is refused too. Throws
 * MvccCorruptionError naming `location`; nothing of a damaged store is served. An empty backend
 * is a new store: it gets the format record (synced).
 */
export async function loadState(backend: Backend, index: KeyIndex, scanChunk: number, location: string): Promise<LoadedState> {
  index.clear();
  const format = await backend.get(META.format);
  if (format === undefined && (await isEmpty(backend))) {
    await backend.batch([[META.format, encodeFormat()]], [], { sync: true });
    return { consistentIndex: 0, metaRevision: 0, newestRecord: 0, scheduledCompact: 0, finishedCompact: 0, leases: [], bytes: 0 };
  }
  checkFormat(format, location);
  const meta = new Map<string, number>();
  let bytes = 0;
  const leases: [number, number][] = [];
  let newestRecord = 0;
  for await (const chunk of backend.iterate({}, scanChunk)) {
    for (const [k, v] of chunk) {
      const bucket = k[0];
      if (bucket === BUCKET_KEY) {
        const { main, sub, tombstone, kv } = decodeRecord(k, v, location);
        bytes += k.length + v.length;
        newestRecord = Math.max(newestRecord, main);
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
      } else if (bucket === BUCKET_LEASE) {
        leases.push(decodeLease(k, v, location));
        bytes += k.length + v.length;
      } else if (bucket === BUCKET_META && META_NUMBERS.has(bytesToKey(k))) {
        meta.set(bytesToKey(k), decodeMeta(k, v, location));
      } else if (bucket !== BUCKET_META || bytesToKey(k) !== FORMAT_KEY) {
        // A damaged key fails its checksum (which covers the key); an intact one is not ours.
        checkAnyValue(k, v, location);
        throw unknownRecord(k, location);
      }
    }
  }
  const metaNumber = (key: Uint8Array): number => meta.get(bytesToKey(key)) ?? 0;
  return {
    consistentIndex: metaNumber(META.consistentIndex),
    metaRevision: metaNumber(META.revision),
    newestRecord,
    scheduledCompact: metaNumber(META.scheduledCompact),
    finishedCompact: metaNumber(META.finishedCompact),
    leases,
    bytes,
  };
}

async function isEmpty(backend: Backend): Promise<boolean> {
  for await (const chunk of backend.iterate({}, 1)) if (chunk.length > 0) return false;
  return true;
}
