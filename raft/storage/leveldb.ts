import { assert } from '../../core/index.js';
import { CompactedError, SnapshotOutOfDateError } from '../core/index.js';
import type { MemoryStorage } from '../core/index.js';
import type { ConfState, Entry, HardState, Snapshot } from '../core/index.js';
import { isEmptySnapshot } from '../core/index.js';
import type { DurableStorage } from './contract.js';
import { toStorageError } from './errors.js';
import type { RaftLevelDb } from './load.js';
import { loadRaftState } from './load.js';
import { chunkCount, checksum, encodeChunk, encodeCompaction, encodeEntries, encodeHardState, encodeSnapshotRecord, RaftKeys, SNAPSHOT_CHUNK_BYTES } from './records.js';

export interface LevelRaftStorageOptions {
  /**
   * Prefix of every Raft key in the LevelDB (default "r/"). The other users of the same
   * LevelDB (the MVCC state machine) must keep out of it: no key of theirs may start with it.
   */
  readonly prefix?: string;
}

/** Snapshot chunks per staging batch (1 MB): small enough for Raft saves to slip in between. */
const STAGE_BATCH_CHUNKS = 4;
/**
 * Pace of staging: at most this many bytes a second, so that a large snapshot (and LevelDB's
 * compaction of it) does not take the disk from the Raft saves' fsyncs for its whole length.
 */
const STAGE_BYTES_PER_SECOND = 32 * 1024 * 1024;

type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** Chunk n of a snapshot's data. */
function chunkData(data: Uint8Array, n: number): Uint8Array {
  return data.subarray(n * SNAPSHOT_CHUNK_BYTES, (n + 1) * SNAPSHOT_CHUNK_BYTES);
}

/** Byte encodings the LevelDB must default to: writes pass none per operation (it costs). */
const BYTE_ENCODINGS: ReadonlySet<string> = new Set(['view', 'buffer']);

/**
 * DurableStorage on the member's LevelDB (see records.ts for the key layout).
 *
 * Every write (save, createSnapshot, compact) is one synced LevelDB batch, so it is atomic and
 * durable when it resolves; the in-memory state is updated only after the batch succeeds, so a
 * failed write (DiskFullError, say) leaves both disk and memory as they were.
 *
 * Reads are served from memory and never touch the disk: the whole durable state is held in a
 * MemoryStorage (hard state, the snapshot with its data, and every entry after the compaction
 * point). Bound: the cache holds exactly what the LevelDB holds, so its size is the snapshot
 * plus the entries the member has not compacted yet; the member's compaction policy (snapshot
 * every N applied entries, keep M behind for slow followers) is what bounds it, to about N+M
 * entries. The same bound applies to the log read at open.
 *
 * Not safe for concurrent writes: the driver awaits each write before the next (asserted).
 */
export class LevelRaftStorage implements DurableStorage {
  /** A write is in flight. */
  private writing = false;
  private closed = false;
  /** The snapshot data stageSnapshot wrote, which createSnapshot then only has to point to. */
  private staged: { readonly index: number; readonly data: Uint8Array; readonly crc: number; readonly keys: Uint8Array[]; readonly complete: boolean } | undefined;
  /** A stageSnapshot in progress. */
  private staging: Promise<void> | undefined;

  private constructor(
    private readonly db: RaftLevelDb,
    private readonly keys: RaftKeys,
    /** The LevelDB's directory, named in every error. */
    readonly location: string,
    private readonly cache: MemoryStorage,
    /** Keys of the chunk records the stored snapshot's data occupies. */
    private snapshotChunkKeys: Uint8Array[],
    /** Keys of chunks of no stored snapshot, deleted with the next one (see records.ts). */
    private staleChunkKeys: Uint8Array[],
    /** Whether close() closes the LevelDB (it does when open() opened it). */
    private readonly ownsDb: boolean,
  ) {}

  /**
   * Opens (creating if missing) the member's LevelDB in `dir` and loads the Raft state from it.
   * Returns the storage and the LevelDB, which the MVCC state machine shares (under its own
   * prefix). The storage owns the LevelDB: its close() closes it, so the other users must be
   * done with it first. Throws CorruptStorageError when the state fails verification.
   */
  static async open(dir: string, options: LevelRaftStorageOptions = {}): Promise<{ storage: LevelRaftStorage; db: RaftLevelDb }> {
    // Loaded here, not at import, so that importing raft/ (the simulator, the benches) does not
    // load LevelDB's native addon.
    const { Level } = await import('level');
    const db: RaftLevelDb = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    try {
      await db.open();
    } catch (err) {
      throw toStorageError(err, dir);
    }
    try {
      return { storage: await LevelRaftStorage.create(db, dir, options, true), db };
    } catch (err) {
      // The load error is the one to report; a failure to close on top of it adds nothing.
      await db.close().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Loads the Raft state from a LevelDB opened by someone else (with 'view' key and value
   * encodings). close() leaves that LevelDB open.
   */
  static async load(db: RaftLevelDb, options: LevelRaftStorageOptions = {}): Promise<LevelRaftStorage> {
    const encodings = [db.keyEncoding().commonName, db.valueEncoding().commonName];
    assert(encodings.every((e) => BYTE_ENCODINGS.has(e)), () => `the Raft storage needs a LevelDB with 'view' key and value encodings, not ${encodings.join('/')}`);
    return LevelRaftStorage.create(db, db.location, options, false);
  }

  private static async create(db: RaftLevelDb, location: string, options: LevelRaftStorageOptions, ownsDb: boolean): Promise<LevelRaftStorage> {
    const keys = new RaftKeys(options.prefix ?? 'r/');
    const { cache, snapshotChunkKeys, staleChunkKeys } = await loadRaftState(db, keys, location);
    return new LevelRaftStorage(db, keys, location, cache, snapshotChunkKeys, staleChunkKeys, ownsDb);
  }

  // ---- Storage: reads, from memory ----

  initialState(): { hardState: HardState; confState: ConfState } {
    return this.cache.initialState();
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    return this.cache.entries(lo, hi, maxBytes);
  }

  term(i: number): number {
    return this.cache.term(i);
  }

  lastIndex(): number {
    return this.cache.lastIndex();
  }

  firstIndex(): number {
    return this.cache.firstIndex();
  }

  snapshot(): Snapshot {
    return this.cache.snapshot();
  }

  // ---- Writes ----

  /**
   * Persists a Ready's hard state, entries and snapshot as one batch, synced unless
   * `sync: false` (a commit-only change; see DurableStorage). A snapshot
   * replaces the whole log (and the previous snapshot); entries then append after it,
   * replacing any persisted entries from their first index on (the conflicting suffix).
   * Entries at or below the compaction point are skipped, as MemoryStorage.append does, and
   * an empty snapshot (index 0) is ignored. Asserts what Raft guarantees of a Ready (no gap
   * before the entries, no committed entry overwritten, commit within [snapshot, last index],
   * no term beyond the hard state's, no hard state going backwards), so that what is written
   * always passes the checks made at open.
   */
  async save(update: { hardState?: HardState; entries: readonly Entry[]; snapshot?: Snapshot; sync?: boolean }): Promise<void> {
    this.beginWrite();
    try {
      const c = this.cache;
      const ops: BatchOp[] = [];
      const oldFirst = c.firstIndex();
      const oldLast = c.lastIndex();
      let dummy = oldFirst - 1;
      let last = oldLast;
      let snapIndex = c.snapshot().metadata.index;
      const snapshot = update.snapshot !== undefined && !isEmptySnapshot(update.snapshot) ? update.snapshot : undefined;
      if (snapshot) {
        const { index, term } = snapshot.metadata;
        if (index < snapIndex) throw new SnapshotOutOfDateError(index, snapIndex);
        this.putSnapshot(ops, snapshot);
        ops.push({ type: 'put', key: this.keys.compaction, value: encodeCompaction({ index, term }) });
        dummy = last = snapIndex = index;
      }

      let ents = update.entries;
      const skip = ents.length > 0 ? dummy + 1 - ents[0]!.index : 0;
      if (skip > 0) ents = ents.slice(skip);
      let putLo = 0;
      let putHi = -1;
      if (ents.length > 0) {
        putLo = ents[0]!.index;
        assert(putLo <= last + 1, () => `missing log entry [last: ${last}, append at: ${putLo}]`);
        assert(putLo > last || putLo > c.hardState.commit, () => `entry ${putLo} would overwrite a committed entry (commit ${c.hardState.commit})`);
        const keys = this.keys.entries(putLo, ents.length);
        const values = encodeEntries(ents);
        for (let k = 0; k < ents.length; k++) {
          assert(ents[k]!.index === putLo + k, () => `entries to save are not contiguous at ${ents[k]!.index}`);
          ops.push({ type: 'put', key: keys[k]!, value: values[k]! });
        }
        putHi = putLo + ents.length - 1;
        last = putHi;
      }
      // Entries persisted earlier that this save discards: the suffix after the new entries
      // (a conflict), or, under a new snapshot, the whole old log.
      const dropLo = snapshot ? oldFirst : ents.length > 0 ? putHi + 1 : oldLast + 1;
      for (let i = dropLo; i <= oldLast; i++) if (i < putLo || i > putHi) ops.push({ type: 'del', key: this.keys.entry(i) });

      const hs = update.hardState ?? c.hardState;
      assert(hs.commit >= snapIndex && hs.commit <= last, () => `hard state commit ${hs.commit} is outside [snapshot ${snapIndex}, last index ${last}]`);
      const lastTerm = ents.length > 0 ? ents[ents.length - 1]!.term : snapshot ? snapshot.metadata.term : 0;
      assert(lastTerm <= hs.term, () => `entry or snapshot term ${lastTerm} is beyond the hard state term ${hs.term}`);
      if (update.hardState) {
        assert(hs.term >= c.hardState.term && hs.commit >= c.hardState.commit, () => `hard state goes backwards: ${JSON.stringify(c.hardState)} -> ${JSON.stringify(hs)}`);
        ops.push({ type: 'put', key: this.keys.hardState, value: encodeHardState(hs) });
      }

      // Only a commit-only hard state may skip the sync; entries, a snapshot, a term or a vote never do.
      const sync = update.sync !== false || ents.length > 0 || snapshot !== undefined || hs.term !== c.hardState.term || hs.vote !== c.hardState.vote;
      await this.write(ops, sync);

      if (snapshot) {
        c.applySnapshot(snapshot);
        this.snapshotReplaced(snapshot.metadata.index, snapshot.data.length);
      }
      c.append(ents);
      if (update.hardState) c.setHardState(update.hardState);
    } finally {
      this.writing = false;
    }
  }

  /**
   * Stores a snapshot of the state machine at `index` (applied, so committed and in the log)
   * durably, replacing the previous one; the log is left alone until compact().
   */
  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    this.beginWrite();
    try {
      const c = this.cache;
      const cur = c.snapshot().metadata.index;
      if (index <= cur) throw new SnapshotOutOfDateError(index, cur);
      assert(index <= c.lastIndex(), () => `snapshot ${index} is beyond last index ${c.lastIndex()}`);
      assert(index <= c.hardState.commit, () => `snapshot ${index} is beyond the commit index ${c.hardState.commit}`);
      const snapshot: Snapshot = { metadata: { index, term: c.term(index), confState }, data };
      const ops: BatchOp[] = [];
      this.putSnapshot(ops, snapshot);
      await this.write(ops);
      this.snapshotReplaced(index, data.length);
      return c.createSnapshot(index, confState, data);
    } finally {
      this.writing = false;
    }
  }

  /**
   * Discards entries up to and including `index` (at most the snapshot's index) in one synced
   * batch; its size is the number of entries discarded, bounded like the cache.
   */
  async compact(index: number): Promise<void> {
    this.beginWrite();
    try {
      const c = this.cache;
      const dummy = c.firstIndex() - 1;
      if (index <= dummy) throw new CompactedError(index, dummy + 1);
      assert(index <= c.lastIndex(), () => `compact ${index} is beyond last index ${c.lastIndex()}`);
      const snapIndex = c.snapshot().metadata.index;
      assert(index <= snapIndex, () => `compact ${index} is beyond the snapshot at ${snapIndex}`);
      const ops: BatchOp[] = [{ type: 'put', key: this.keys.compaction, value: encodeCompaction({ index, term: c.term(index) }) }];
      for (let i = dummy + 1; i <= index; i++) ops.push({ type: 'del', key: this.keys.entry(i) });
      await this.write(ops);
      c.compact(index);
    } finally {
      this.writing = false;
    }
  }

  /**
   * Writes the data of a snapshot at `index` ahead of createSnapshot(index, …, data) with the same
   * `data`, in unsynced batches of a few chunks, paced (STAGE_BYTES_PER_SECOND), so that a large
   * state does not hold LevelDB's single write queue (and every Raft save behind it) for the whole
   * of it: a 66 MB state written in one batch held a member's saves for 1.3-1.7 s. The chunks go
   * under keys of their own; the stored snapshot stays whole until createSnapshot's synced batch
   * switches the metadata to them (which also makes them durable: LevelDB syncs its log in
   * order). Runs beside save() and compact(), whose keys it does not touch; one staging at a time.
   * A createSnapshot before it finished writes the chunks itself. A staging that a crash cuts
   * short leaves chunks that load() reports as stale and the next snapshot deletes.
   */
  async stageSnapshot(index: number, data: Uint8Array): Promise<void> {
    assert(!this.closed, () => `stageSnapshot on the closed Raft storage in ${this.location}`);
    assert(this.staging === undefined, 'concurrent stageSnapshot calls');
    if (index <= this.cache.snapshot().metadata.index) return;
    const run = async (): Promise<void> => {
      if (this.staged !== undefined) {
        // An earlier staging that no snapshot used: its chunks go with the next snapshot.
        this.staleChunkKeys.push(...this.staged.keys);
        this.staged = undefined;
      }
      const count = chunkCount(data.length);
      const keys: Uint8Array[] = [];
      let crc = 0;
      const started = performance.now();
      for (let n = 0; n < count; n += STAGE_BATCH_CHUNKS) {
        const aheadMs = (n * SNAPSHOT_CHUNK_BYTES * 1000) / STAGE_BYTES_PER_SECOND - (performance.now() - started);
        if (aheadMs >= 1) await new Promise((resolve) => setTimeout(resolve, aheadMs));
        const ops: BatchOp[] = [];
        for (let k = n; k < Math.min(count, n + STAGE_BATCH_CHUNKS); k++) {
          crc = checksum(chunkData(data, k), crc);
          const op = this.chunkPut(index, data, k);
          keys.push(op.key);
          ops.push(op);
        }
        // Recorded before the write: a failed batch may still have landed, and its chunks must go too.
        this.staged = { index, data, crc, keys: [...keys], complete: false };
        await this.write(ops, false);
      }
      this.staged = { index, data, crc, keys, complete: true };
    };
    this.staging = run().finally(() => (this.staging = undefined));
    return this.staging;
  }

  /** Closes the LevelDB if open() opened it; reads still answer from memory afterwards. */
  async close(): Promise<void> {
    assert(!this.writing, 'close() while a write is in flight');
    if (this.closed) return;
    await this.staging?.catch(() => undefined);
    this.closed = true;
    if (this.ownsDb) await this.db.close();
  }

  // ---- Internals ----

  private beginWrite(): void {
    assert(!this.closed, () => `write to the closed Raft storage in ${this.location}`);
    assert(!this.writing, 'concurrent writes to the Raft storage: await each before the next');
    this.writing = true;
  }

  /**
   * The metadata record and the data chunks (none when stageSnapshot wrote them), and deletes
   * for the replaced snapshot's chunks and for stale ones.
   */
  private putSnapshot(ops: BatchOp[], s: Snapshot): void {
    const { data } = s;
    const { index } = s.metadata;
    const count = chunkCount(data.length);
    // Only a finished staging of this very data stands in for writing the chunks.
    const staged = this.staged?.complete === true && this.staged.index === index && this.staged.data === data ? this.staged : undefined;
    ops.push({ type: 'put', key: this.keys.snapshotMeta, value: encodeSnapshotRecord({ metadata: s.metadata, dataBytes: data.length, dataCrc: staged?.crc ?? checksum(data), chunkCount: count }) });
    if (staged === undefined) for (let n = 0; n < count; n++) ops.push(this.chunkPut(index, data, n));
    const old = [...this.snapshotChunkKeys, ...this.staleChunkKeys, ...(this.staged !== undefined && this.staged !== staged ? this.staged.keys : [])];
    for (const key of old) {
      // A key of the new snapshot's own may be listed as old: the same index stored again (a
      // follower installing the leader's snapshot at the index of its own), or a staging of it.
      const c = this.keys.snapshotChunkOf(key);
      if (c === undefined || c.snapshotIndex !== index || c.n >= count) ops.push({ type: 'del', key });
    }
  }

  /** The put of chunk n of snapshot `index`'s data. */
  private chunkPut(index: number, data: Uint8Array, n: number): BatchOp & { type: 'put' } {
    return { type: 'put', key: this.keys.snapshotChunk(index, n), value: encodeChunk(index, n, chunkData(data, n)) };
  }

  /** After a batch from putSnapshot landed: the new snapshot's chunks are the stored ones. */
  private snapshotReplaced(index: number, bytes: number): void {
    this.snapshotChunkKeys = Array.from({ length: chunkCount(bytes) }, (_, n) => this.keys.snapshotChunk(index, n));
    this.staleChunkKeys = [];
    this.staged = undefined;
  }

  /**
   * One atomic LevelDB batch, synced unless told otherwise. A chained batch, because abstract-level's array batch
   * costs about ten times more event-loop time per operation (measured: 1.5 ms against 0.15 ms
   * for 100 entries), and this is on the path of every Raft write.
   */
  private async write(ops: readonly BatchOp[], sync = true): Promise<void> {
    if (ops.length === 0) return;
    const batch = this.db.batch();
    try {
      for (const op of ops) {
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
    } catch (err) {
      await batch.close();
      throw err;
    }
    try {
      await batch.write({ sync });
    } catch (err) {
      throw toStorageError(err, this.location);
    }
  }
}
