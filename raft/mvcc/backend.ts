import { assert } from '../../core/index.js';
import { bytesToKey, keyToBytes, prefixEnd } from './bytes.js';
import { SortedStringMap } from './sorted-map.js';

/** One stored entry: key and value bytes. */
export type BackendEntry = readonly [key: Uint8Array, value: Uint8Array];

/** Bounds of an ordered scan; absent bounds are open. */
export interface BackendRange {
  readonly gte?: Uint8Array;
  readonly gt?: Uint8Array;
  readonly lte?: Uint8Array;
  readonly lt?: Uint8Array;
}

/**
 * An ordered byte-key store: what the MVCC store needs of LevelDB (hashicorp/raft-style seam,
 * with an in-memory version for tests and the simulator).
 *
 * Contract:
 * - `batch` applies its deletes, then its puts, atomically: after a crash either all of it or
 *   none of it is visible. With `sync` it is durable when it resolves.
 * - `iterate` yields the entries in the range in ascending key order, in chunks of at most
 *   `chunkSize`, from one consistent view taken when the iteration starts: batches that resolve
 *   during the scan are not seen.
 * - `get` and `iterate` see every batch that resolved before they were called.
 * - Returned bytes belong to the caller (the backend never writes to them again).
 */
export interface Backend {
  /** Where the data lives (a data dir), for errors that name it; MvccStoreOptions.location overrides it. */
  readonly location?: string;
  get(key: Uint8Array): Promise<Uint8Array | undefined>;
  batch(puts: readonly BackendEntry[], dels: readonly Uint8Array[], options?: { readonly sync?: boolean }): Promise<void>;
  iterate(range: BackendRange, chunkSize: number): AsyncIterable<BackendEntry[]>;
  /** Bytes the data takes on disk (or in memory), approximately. */
  approximateSize(): Promise<number>;
}

// ---- In memory ----

/**
 * The Backend in memory, for tests and the simulator. A scan copies the references of its range
 * when it starts (that is its consistent view), so it costs O(range) memory up front.
 */
export class MemoryBackend implements Backend {
  private readonly entries = new SortedStringMap<Uint8Array>();
  private bytes = 0;
  /** Batches written, for tests that count writes. */
  batchCount = 0;

  get size(): number {
    return this.entries.size;
  }

  /** An independent copy of the contents: what a disk holds at a crash, for the simulator and tests. */
  copy(): MemoryBackend {
    const out = new MemoryBackend();
    this.entries.forEachInRange('', undefined, (k, v) => {
      out.entries.set(k, v);
    });
    out.bytes = this.bytes;
    return out;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.entries.get(bytesToKey(key)));
  }

  batch(puts: readonly BackendEntry[], dels: readonly Uint8Array[]): Promise<void> {
    for (const k of dels) {
      const key = bytesToKey(k);
      const old = this.entries.get(key);
      if (old !== undefined) {
        this.bytes -= key.length + old.length;
        this.entries.delete(key);
      }
    }
    for (const [k, v] of puts) {
      const key = bytesToKey(k);
      const old = this.entries.get(key);
      this.bytes += (old === undefined ? key.length : -old.length) + v.length;
      this.entries.set(key, v);
    }
    this.batchCount++;
    return Promise.resolve();
  }

  async *iterate(range: BackendRange, chunkSize: number): AsyncIterable<BackendEntry[]> {
    assert(chunkSize >= 1, 'iterate: chunkSize must be >= 1');
    const lower = range.gte !== undefined ? bytesToKey(range.gte) : range.gt !== undefined ? bytesToKey(range.gt) : '';
    const upper = range.lt !== undefined ? bytesToKey(range.lt) : range.lte !== undefined ? bytesToKey(range.lte) : undefined;
    const view: [string, Uint8Array][] = [];
    // Scan [lower, ∞) and apply the exclusive/inclusive edges by hand.
    this.entries.forEachInRange(lower, undefined, (k, v) => {
      if (upper !== undefined && (range.lt !== undefined ? k >= upper : k > upper)) return false;
      if (range.gte === undefined && range.gt !== undefined && k === lower) return true;
      view.push([k, v]);
      return true;
    });
    for (let i = 0; i < view.length; i += chunkSize) {
      yield view.slice(i, i + chunkSize).map(([k, v]) => [keyToBytes(k), v] as const);
    }
  }

  approximateSize(): Promise<number> {
    return Promise.resolve(this.bytes);
  }
}

// ---- LevelDB ----

interface ViewEncodings {
  readonly keyEncoding: 'view';
  readonly valueEncoding: 'view';
}

export type LevelBatchOp = { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array } | { readonly type: 'del'; readonly key: Uint8Array };

export interface LevelIteratorOptions extends ViewEncodings {
  readonly gte?: Uint8Array;
  readonly gt?: Uint8Array;
  readonly lte?: Uint8Array;
  readonly lt?: Uint8Array;
}

/**
 * The part of an open `level` (ClassicLevel, abstract-level 2+) database that LevelBackend uses.
 * A `Level` instance satisfies it; so does a sublevel, but for `approximateSize`.
 */
export interface LevelDatabase {
  get(key: Uint8Array, options: ViewEncodings): Promise<Uint8Array | undefined>;
  batch(ops: LevelBatchOp[], options: ViewEncodings & { readonly sync?: boolean }): Promise<void>;
  iterator(options: LevelIteratorOptions): { nextv(size: number): Promise<Array<[Uint8Array, Uint8Array]>>; close(): Promise<void> };
  approximateSize?(start: Uint8Array, end: Uint8Array, options: { readonly keyEncoding: 'view' }): Promise<number>;
}

const VIEW: ViewEncodings = { keyEncoding: 'view', valueEncoding: 'view' };

/**
 * The Backend on LevelDB, under a key prefix, so one LevelDB can hold the store next to Raft's
 * log (another prefix). Takes an open database and never closes it: its owner does. Iterations
 * use LevelDB's implicit snapshot, which gives the Backend's consistent view.
 */
export class LevelBackend implements Backend {
  private readonly prefixEnd: Uint8Array;
  readonly location: string | undefined;

  /** `options.location`: the LevelDB's directory, named by MvccCorruptionError. */
  constructor(
    private readonly db: LevelDatabase,
    private readonly prefix: Uint8Array,
    options: { readonly location?: string } = {},
  ) {
    this.location = options.location;
    assert(prefix.length > 0, 'LevelBackend: the key prefix must not be empty');
    const end = prefixEnd(prefix);
    assert(end !== undefined, 'LevelBackend: the key prefix must not be all 0xff bytes');
    this.prefixEnd = end;
  }

  get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.db.get(this.full(key), VIEW);
  }

  async batch(puts: readonly BackendEntry[], dels: readonly Uint8Array[], options?: { readonly sync?: boolean }): Promise<void> {
    const ops: LevelBatchOp[] = [];
    for (const k of dels) ops.push({ type: 'del', key: this.full(k) });
    for (const [k, v] of puts) ops.push({ type: 'put', key: this.full(k), value: v });
    if (ops.length === 0) return;
    await this.db.batch(ops, { ...VIEW, sync: options?.sync === true });
  }

  async *iterate(range: BackendRange, chunkSize: number): AsyncIterable<BackendEntry[]> {
    assert(chunkSize >= 1, 'iterate: chunkSize must be >= 1');
    const options: { -readonly [K in keyof LevelIteratorOptions]: LevelIteratorOptions[K] } = { ...VIEW };
    if (range.gte !== undefined) options.gte = this.full(range.gte);
    else if (range.gt !== undefined) options.gt = this.full(range.gt);
    else options.gte = this.prefix;
    if (range.lt !== undefined) options.lt = this.full(range.lt);
    else if (range.lte !== undefined) options.lte = this.full(range.lte);
    else options.lt = this.prefixEnd;
    const it = this.db.iterator(options);
    try {
      for (;;) {
        const chunk = await it.nextv(chunkSize);
        if (chunk.length === 0) return;
        yield chunk.map(([k, v]) => [k.subarray(this.prefix.length), v] as const);
      }
    } finally {
      await it.close();
    }
  }

  async approximateSize(): Promise<number> {
    if (this.db.approximateSize === undefined) return 0;
    return this.db.approximateSize(this.prefix, this.prefixEnd, { keyEncoding: 'view' });
  }

  /** The prefixed key; from Node's Buffer pool, as LevelDB copies it before the call resolves. */
  private full(key: Uint8Array): Uint8Array {
    const out = Buffer.allocUnsafe(this.prefix.length + key.length);
    out.set(this.prefix, 0);
    out.set(key, this.prefix.length);
    return out;
  }
}
