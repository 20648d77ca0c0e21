import { assert } from '../../core/index.js';
import type { Backend, BackendEntry } from './backend.js';
import { decodeRecord, encodeRecord, revFloor, revKey } from './codec.js';
import { MvccCorruptionError } from './corruption.js';
import type { KeyValue } from './types.js';

/** One revision record: what a write left at (main, sub). A tombstone's kv has only key and modRevision. */
export interface HistoryRecord {
  readonly main: number;
  readonly sub: number;
  readonly tombstone: boolean;
  readonly kv: KeyValue;
  /** The stored revision key and record, when the record came from the backend (saves re-encoding). */
  readonly stored?: BackendEntry;
}

/**
 * The revision records (etcd's key bucket): the newest, not yet flushed, in memory; all others in
 * the backend. Reads of the history go through here and see both, as of the moment they start.
 *
 * Invariants: the memory part holds exactly the records with main > flushedRev, in (main, sub)
 * order; every record with main <= flushedRev is in the backend, until compaction deletes it.
 *
 * Reads of the backend are pinned: a compaction waits for the reads that were running when it was
 * applied before it deletes anything, so a read never misses a record it was entitled to.
 *
 * Every record read from the backend is checked (codec.ts); a damaged one is reported to
 * `onCorruption` (the store fails) and the read throws MvccCorruptionError instead of returning it.
 */
export class RevisionLog {
  private kvs: KeyValue[] = [];
  private subs: number[] = [];
  private tombs: boolean[] = [];
  private flushedRevision = 0;
  private readonly pins = new Set<Promise<unknown>>();

  constructor(
    private readonly backend: Backend,
    private readonly scanChunk: number,
    private readonly location: string,
    private readonly onCorruption: (err: MvccCorruptionError) => void,
  ) {}

  /** Every record with main <= this is in the backend. */
  get flushedRev(): number {
    return this.flushedRevision;
  }

  get unflushedCount(): number {
    return this.kvs.length;
  }

  append(kv: KeyValue, sub: number, tombstone: boolean): void {
    const n = this.kvs.length;
    if (n > 0) {
      const last = this.kvs[n - 1]!.modRevision;
      assert(last < kv.modRevision || (last === kv.modRevision && this.subs[n - 1]! < sub), 'revision log: records appended out of order');
    }
    assert(kv.modRevision > this.flushedRevision, 'revision log: record at or below the flushed revision');
    this.kvs.push(kv);
    this.subs.push(sub);
    this.tombs.push(tombstone);
  }

  /** The backend puts for the first `count` memory records (all, by default). */
  encodeForFlush(count = this.kvs.length): BackendEntry[] {
    const out: BackendEntry[] = new Array<BackendEntry>(count);
    for (let i = 0; i < count; i++) {
      const kv = this.kvs[i]!;
      const key = revKey(kv.modRevision, this.subs[i]!, this.tombs[i]!);
      out[i] = [key, encodeRecord(key, kv)];
    }
    return out;
  }

  /** The main revision of the count-th memory record (the last one a flush of `count` writes). */
  mainAt(count: number): number {
    return this.kvs[count - 1]!.modRevision;
  }

  /** The first `count` memory records are now in the backend, and so is everything up to throughRev. */
  markFlushed(count: number, throughRev: number): void {
    assert(count <= this.kvs.length, 'revision log: flushed more records than held');
    assert(count === 0 || this.kvs[count - 1]!.modRevision <= throughRev, 'revision log: flushed records beyond throughRev');
    assert(count === this.kvs.length || this.kvs[count]!.modRevision > throughRev, 'revision log: unflushed records at or below throughRev');
    this.kvs.splice(0, count);
    this.subs.splice(0, count);
    this.tombs.splice(0, count);
    this.flushedRevision = Math.max(this.flushedRevision, throughRev);
  }

  /** Forgets the memory part: after load or restore, the backend holds everything up to `flushedRev`. */
  reset(flushedRev: number): void {
    this.kvs = [];
    this.subs = [];
    this.tombs = [];
    this.flushedRevision = flushedRev;
  }

  /** The put record at (main, sub) if it is still in memory. */
  memoryGet(main: number, sub: number): KeyValue | undefined {
    if (main <= this.flushedRevision) return undefined;
    let i = this.firstIndexOf(main);
    for (; i < this.kvs.length && this.kvs[i]!.modRevision === main; i++) {
      if (this.subs[i] === sub) return this.tombs[i] ? undefined : this.kvs[i];
    }
    return undefined;
  }

  /** The put record at (main, sub), from memory or the backend; the caller pins backend reads. */
  async get(main: number, sub: number): Promise<KeyValue> {
    const kv = this.memoryGet(main, sub);
    if (kv !== undefined) return kv;
    const key = revKey(main, sub, false);
    const bytes = await this.backend.get(key);
    assert(bytes !== undefined, () => `revision log: record (${main}, ${sub}) is missing from the backend`);
    return this.decode(key, bytes).kv;
  }

  /**
   * Records with main in [fromRev, toRev], in order, in chunks of at most `scanChunk` (the
   * memory part in one more chunk); as of the call. The caller pins the scan.
   */
  async *scan(fromRev: number, toRev: number): AsyncIterable<HistoryRecord[]> {
    const flushedAtStart = this.flushedRevision;
    const memory: HistoryRecord[] = [];
    for (let i = this.firstIndexOf(fromRev); i < this.kvs.length; i++) {
      const kv = this.kvs[i]!;
      if (kv.modRevision > toRev) break;
      memory.push({ main: kv.modRevision, sub: this.subs[i]!, tombstone: this.tombs[i]!, kv });
    }
    const backendTo = Math.min(toRev, flushedAtStart);
    if (fromRev <= backendTo) {
      for await (const chunk of this.backend.iterate({ gte: revFloor(fromRev), lt: revFloor(backendTo + 1) }, this.scanChunk)) {
        yield chunk.map((entry) => ({ ...this.decode(entry[0], entry[1]), stored: entry }));
      }
    }
    if (memory.length > 0) yield memory;
  }

  /** Runs a backend read pinned: compactions applied while it runs wait for it before deleting. */
  pinned<T>(read: () => Promise<T>): Promise<T> {
    const p = read();
    this.pins.add(p);
    const unpin = (): void => {
      this.pins.delete(p);
    };
    void p.then(unpin, unpin);
    return p;
  }

  /** The reads running now, for a compaction to wait for. */
  runningReads(): Promise<unknown>[] {
    return [...this.pins];
  }

  /** A record read from the backend, checked. */
  private decode(key: Uint8Array, bytes: Uint8Array): HistoryRecord {
    try {
      return decodeRecord(key, bytes, this.location);
    } catch (err) {
      if (err instanceof MvccCorruptionError) this.onCorruption(err);
      throw err;
    }
  }

  /** First memory index whose main >= rev. */
  private firstIndexOf(rev: number): number {
    let lo = 0;
    let hi = this.kvs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.kvs[mid]!.modRevision < rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
