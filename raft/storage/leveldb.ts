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

type BatchOp = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

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

  private constructor(
    private readonly db: RaftLevelDb,
    private readonly keys: RaftKeys,
    /** The LevelDB's directory, named in every error. */
    readonly location: string,
    private readonly cache: MemoryStorage,
    /** Chunk records the stored snapshot's data occupies. */
    private snapshotChunks: number,
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
    const { cache, snapshotChunks } = await loadRaftState(db, keys, location);
    return new LevelRaftStorage(db, keys, location, cache, snapshotChunks, ownsDb);
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
        this.snapshotChunks = chunkCount(snapshot.data.length);
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
      this.snapshotChunks = chunkCount(data.length);
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

  /** Closes the LevelDB if open() opened it; reads still answer from memory afterwards. */
  async close(): Promise<void> {
    assert(!this.writing, 'close() while a write is in flight');
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDb) await this.db.close();
  }

  // ---- Internals ----

  private beginWrite(): void {
    assert(!this.closed, () => `write to the closed Raft storage in ${this.location}`);
    assert(!this.writing, 'concurrent writes to the Raft storage: await each before the next');
    this.writing = true;
  }

  /** Metadata, data chunks, and deletes for the old snapshot's extra chunks. */
  private putSnapshot(ops: BatchOp[], s: Snapshot): void {
    const { data } = s;
    const count = chunkCount(data.length);
    ops.push({ type: 'put', key: this.keys.snapshotMeta, value: encodeSnapshotRecord({ metadata: s.metadata, dataBytes: data.length, dataCrc: checksum(data), chunkCount: count }) });
    for (let n = 0; n < count; n++) {
      const chunk = data.subarray(n * SNAPSHOT_CHUNK_BYTES, (n + 1) * SNAPSHOT_CHUNK_BYTES);
      ops.push({ type: 'put', key: this.keys.chunk(n), value: encodeChunk(s.metadata.index, n, chunk) });
    }
    for (let n = count; n < this.snapshotChunks; n++) ops.push({ type: 'del', key: this.keys.chunk(n) });
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
