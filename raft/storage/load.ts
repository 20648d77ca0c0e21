/**
 * Reading the Raft state out of LevelDB at open, verifying all of it before any of it is
 * served. One pass over the prefix collects every record (checking each record's frame and
 * CRC as it goes); the cross-record checks run after, when all of it is known.
 */
import type { Level } from 'level';
import { MemoryStorage } from '../core/index.js';
import type { Entry, HardState, Snapshot } from '../core/index.js';
import { EMPTY_HARD_STATE } from '../core/index.js';
import { CorruptStorageError, toStorageError } from './errors.js';
import type { CompactionPoint, RaftKeys, SnapshotRecord } from './records.js';
import {
  BadRecordError,
  checkFormat,
  checksum,
  decodeChunk,
  decodeCompaction,
  decodeEntry,
  decodeHardState,
  decodeSnapshotRecord,
  encodeFormat,
} from './records.js';

/** The member's LevelDB as this folder opens it: byte keys and values. */
export type RaftLevelDb = Level<Uint8Array, Uint8Array>;

/** Records read per iterator step at open. */
const READ_BATCH_RECORDS = 1024;

export interface LoadedRaftState {
  /** The whole durable state, in memory: the read cache. */
  readonly cache: MemoryStorage;
  /** Keys of the stored snapshot's data chunks (so a new snapshot can delete them). */
  readonly snapshotChunkKeys: Uint8Array[];
  /** Keys of chunks of no stored snapshot: a staging that a crash cut short (see records.ts). */
  readonly staleChunkKeys: Uint8Array[];
}

interface RawChunk {
  readonly key: Uint8Array;
  readonly keyNumber: number;
  readonly snapshotIndex: number;
  readonly n: number;
  readonly data: Uint8Array;
}

/**
 * Loads and verifies the Raft records under `keys`. A store without any writes a format
 * record (synced) and comes back empty. Throws CorruptStorageError naming `location` on any
 * violation, and maps LevelDB's own errors with toStorageError.
 */
export async function loadRaftState(db: RaftLevelDb, keys: RaftKeys, location: string): Promise<LoadedRaftState> {
  const corrupt = (detail: string): CorruptStorageError => new CorruptStorageError(location, detail);
  const decode = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof BadRecordError) throw new CorruptStorageError(location, `${what} ${err.message}`, undefined, { cause: err });
      throw err;
    }
  };

  let format: Uint8Array | undefined;
  let hardStateValue: Uint8Array | undefined;
  let compactionValue: Uint8Array | undefined;
  let snapshotValue: Uint8Array | undefined;
  const entries: Entry[] = [];
  const chunks: RawChunk[] = [];
  /** Chunks keyed by snapshot (records.ts), by snapshot index, each list in chunk order. */
  const snapshotChunks = new Map<number, RawChunk[]>();
  let records = 0;

  const it = db.iterator({ gte: keys.allLo, lt: keys.allHi, keyEncoding: 'view', valueEncoding: 'view' });
  try {
    for (;;) {
      const batch = await it.nextv(READ_BATCH_RECORDS);
      if (batch.length === 0) break;
      for (const [key, value] of batch) {
        records++;
        const index = keys.entryIndex(key);
        if (index !== undefined) {
          const e = decode(`entry ${index}`, () => decodeEntry(value));
          if (e.index !== index) throw corrupt(`entry record under ${keys.describe(key)} holds entry ${e.index}`);
          entries.push(e);
          continue;
        }
        const n = keys.chunkNumber(key);
        const sc = n === undefined ? keys.snapshotChunkOf(key) : undefined;
        if (n !== undefined) {
          const c = decode(`snapshot chunk ${n}`, () => decodeChunk(value));
          chunks.push({ key, keyNumber: n, ...c });
        } else if (sc !== undefined) {
          const c = decode(`chunk ${sc.n} of snapshot ${sc.snapshotIndex}`, () => decodeChunk(value));
          if (c.snapshotIndex !== sc.snapshotIndex) throw corrupt(`chunk record under ${keys.describe(key)} belongs to snapshot ${c.snapshotIndex}`);
          let list = snapshotChunks.get(sc.snapshotIndex);
          if (list === undefined) snapshotChunks.set(sc.snapshotIndex, (list = []));
          list.push({ key, keyNumber: sc.n, ...c });
        } else if (equal(key, keys.format)) format = value;
        else if (equal(key, keys.hardState)) hardStateValue = value;
        else if (equal(key, keys.compaction)) compactionValue = value;
        else if (equal(key, keys.snapshotMeta)) snapshotValue = value;
        else throw corrupt(`unknown key ${keys.describe(key)} under the Raft prefix`);
      }
    }
  } catch (err) {
    throw toStorageError(err, location);
  } finally {
    await it.close();
  }

  if (format === undefined) {
    if (records > 0) throw corrupt(`format record ${keys.describe(keys.format)} is missing but ${records} Raft records are present`);
    try {
      await db.put(keys.format, encodeFormat(), { keyEncoding: 'view', valueEncoding: 'view', sync: true });
    } catch (err) {
      throw toStorageError(err, location);
    }
    return { cache: new MemoryStorage(), snapshotChunkKeys: [], staleChunkKeys: [] };
  }
  decode('format record', () => checkFormat(format));

  const hardState: HardState = hardStateValue ? decode('hard state record', () => decodeHardState(hardStateValue)) : EMPTY_HARD_STATE;
  const compaction: CompactionPoint = compactionValue ? decode('compaction record', () => decodeCompaction(compactionValue)) : { index: 0, term: 0 };
  const snapRecord = snapshotValue ? decode('snapshot metadata record', () => decodeSnapshotRecord(snapshotValue)) : undefined;

  const lastIndex = checkLog(entries, compaction, hardState, corrupt);
  // The stored snapshot's chunks are keyed by its index, or, written before that, by number alone.
  const keyed = snapRecord ? snapshotChunks.get(snapRecord.metadata.index) : undefined;
  const own = keyed ?? chunks;
  const snapshot = snapRecord ? assembleSnapshot(snapRecord, own, corrupt) : undefined;
  if (!snapRecord && chunks.length > 0) throw corrupt(`${chunks.length} snapshot chunks are present without a snapshot metadata record`);
  const staleChunkKeys: Uint8Array[] = [];
  for (const list of snapshotChunks.values()) if (list !== own) for (const c of list) staleChunkKeys.push(c.key);
  if (keyed !== undefined) for (const c of chunks) staleChunkKeys.push(c.key);
  if (!snapshot && compaction.index > 0) throw corrupt(`the log is compacted through ${compaction.index} but there is no snapshot`);
  if (snapshot) {
    const { index, term } = snapshot.metadata;
    if (index < compaction.index) throw corrupt(`snapshot ${index} is older than the compaction point ${compaction.index}`);
    if (index > lastIndex) throw corrupt(`snapshot ${index} is beyond the last index ${lastIndex}`);
    const logTerm = index === compaction.index ? compaction.term : entries[index - compaction.index - 1]!.term;
    if (logTerm !== term) throw corrupt(`snapshot ${index} has term ${term} but the log has term ${logTerm} at ${index}`);
  }
  const snapIndex = snapshot?.metadata.index ?? 0;
  if (hardState.commit < snapIndex) throw corrupt(`hard state commit ${hardState.commit} is below the snapshot index ${snapIndex}`);
  if (hardState.commit > lastIndex) throw corrupt(`hard state commit ${hardState.commit} is beyond the last index ${lastIndex}`);

  return { cache: buildCache(hardState, compaction, entries, snapshot), snapshotChunkKeys: snapshot ? own.map((c) => c.key) : [], staleChunkKeys };
}

/**
 * Entries must run contiguously from the compaction point with non-decreasing terms, none
 * beyond the hard state's term (a node persists a term before any entry of it). Returns the
 * last index.
 */
function checkLog(entries: readonly Entry[], c: CompactionPoint, hs: HardState, corrupt: (d: string) => Error): number {
  let prevIndex = c.index;
  let prevTerm = c.term;
  for (const e of entries) {
    if (e.index <= c.index) throw corrupt(`entry ${e.index} is at or below the compaction point ${c.index}`);
    if (e.index !== prevIndex + 1) throw corrupt(`log gap after ${prevIndex} (the next entry is ${e.index})`);
    if (e.term < prevTerm) throw corrupt(`entry ${e.index} has term ${e.term}, lower than the term ${prevTerm} of entry ${prevIndex}`);
    prevIndex = e.index;
    prevTerm = e.term;
  }
  if (prevTerm > hs.term) throw corrupt(`entry ${prevIndex} has term ${prevTerm}, beyond the hard state term ${hs.term}`);
  return prevIndex;
}

/** Joins the chunks (which come in key order) and checks them against the metadata record. */
function assembleSnapshot(rec: SnapshotRecord, chunks: readonly RawChunk[], corrupt: (d: string) => Error): Snapshot {
  const { index } = rec.metadata;
  const data = new Uint8Array(rec.dataBytes);
  let offset = 0;
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!;
    if (c.keyNumber !== k) throw corrupt(`snapshot ${index} chunk ${k} is missing`);
    if (c.n !== k) throw corrupt(`snapshot chunk record under chunk key ${k} holds chunk ${c.n}`);
    if (c.snapshotIndex !== index) throw corrupt(`snapshot chunk ${k} belongs to snapshot ${c.snapshotIndex}, not to the stored snapshot ${index}`);
    if (offset + c.data.length > data.length) throw corrupt(`snapshot ${index} chunks hold more than the ${rec.dataBytes} bytes its metadata records`);
    data.set(c.data, offset);
    offset += c.data.length;
  }
  if (chunks.length !== rec.chunkCount) throw corrupt(`snapshot ${index} has ${chunks.length} chunks where its metadata records ${rec.chunkCount}`);
  if (offset !== rec.dataBytes) throw corrupt(`snapshot ${index} data is ${offset} bytes where its metadata records ${rec.dataBytes}`);
  if (checksum(data) !== rec.dataCrc) throw corrupt(`snapshot ${index} data checksum mismatch`);
  return { metadata: rec.metadata, data };
}

/**
 * Rebuilds the MemoryStorage the writes produced: its dummy entry sits at the compaction
 * point, which trails the snapshot when createSnapshot ran ahead of compact.
 */
function buildCache(hs: HardState, c: CompactionPoint, entries: readonly Entry[], snapshot: Snapshot | undefined): MemoryStorage {
  const cache = new MemoryStorage();
  if (snapshot) {
    const atCompaction = snapshot.metadata.index === c.index;
    cache.applySnapshot(atCompaction ? snapshot : { metadata: { index: c.index, term: c.term, confState: snapshot.metadata.confState }, data: new Uint8Array(0) });
    cache.append(entries);
    if (!atCompaction) cache.createSnapshot(snapshot.metadata.index, snapshot.metadata.confState, snapshot.data);
  } else {
    cache.append(entries);
  }
  cache.setHardState(hs);
  return cache;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
