// Shared pieces of the MVCC store tests: byte helpers, stores on both backends (LevelDB in a temp
// dir that is removed afterwards), an applier that numbers Raft entries, and readable summaries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import type { Test } from 'tap';
import type {
  Backend,
  BackendEntry,
  BackendRange,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  KeyValue,
  LeaseGrantResponse,
  MvccStoreOptions,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  TxnRequest,
  TxnResponse,
  WatchResponse,
} from '../../../raft/index.js';
import { LevelBackend, MemoryBackend, MvccStore } from '../../../raft/index.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const enc = (s: string): Uint8Array => encoder.encode(s);
export const dec = (b: Uint8Array): string => decoder.decode(b);
/** etcd's "\0" range end: every key >= key. */
export const ALL_FROM = Uint8Array.of(0);

/** `key=value` of each KeyValue. */
export function kvPairs(kvs: readonly KeyValue[]): string[] {
  return kvs.map((kv) => `${dec(kv.key)}=${dec(kv.value)}`);
}

/** Every field of a KeyValue, in one readable string. */
export function kvFull(kv: KeyValue | undefined): string {
  if (kv === undefined) return '<none>';
  return `${dec(kv.key)}=${dec(kv.value)} c${kv.createRevision} m${kv.modRevision} v${kv.version} l${kv.lease}`;
}

export function eventSummary(resp: WatchResponse): string[] {
  return resp.events.map((e) => `${e.type} ${dec(e.kv.key)}@${e.kv.modRevision}${e.type === 'PUT' ? `=${dec(e.kv.value)}` : ''}${e.prevKv !== undefined ? ` prev=${dec(e.prevKv.value)}` : ''}`);
}

export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

export async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return undefined;
}

export function tempDir(t: Teardown, name = 'mvcc'): string {
  const dir = mkdtempSync(join(tmpdir(), `flotilla-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export type BackendKind = 'memory' | 'level';
export const BACKENDS: readonly BackendKind[] = ['memory', 'level'];

/** The key prefix of the store in a shared LevelDB (next to Raft's "r/"). */
export const STORE_PREFIX = enc('m/');

/**
 * A backend that survives "restarts": memory keeps its MemoryBackend; level closes and reopens
 * the LevelDB in its directory (what a process restart sees).
 */
export class BackendHost {
  private db: Level<Uint8Array, Uint8Array> | undefined;
  private memory: MemoryBackend | undefined;
  backend!: Backend;

  private constructor(
    readonly kind: BackendKind,
    private readonly dir: string,
  ) {}

  static async create(t: Teardown, kind: BackendKind): Promise<BackendHost> {
    const host = new BackendHost(kind, kind === 'level' ? tempDir(t) : '');
    await host.open();
    t.teardown(() => host.shutdown());
    return host;
  }

  private fence: FencedBackend | undefined;

  async open(): Promise<Backend> {
    let inner: Backend;
    if (this.kind === 'memory') {
      this.memory ??= new MemoryBackend();
      inner = this.memory;
    } else {
      this.db = new Level<Uint8Array, Uint8Array>(join(this.dir, 'db'), { keyEncoding: 'view', valueEncoding: 'view' });
      await this.db.open();
      // Raft's log shares the LevelDB under another prefix: the store must not see or touch it.
      await this.db.put(enc('r/sentinel'), enc('raft'));
      inner = new LevelBackend(this.db, STORE_PREFIX);
    }
    this.fence = new FencedBackend(inner);
    this.backend = this.fence;
    return this.backend;
  }

  /**
   * A crash as the store sees it, at this instant: the backend keeps what resolved batches wrote
   * and nothing else; the old store (still running in this process) can no longer reach it.
   */
  async restart(): Promise<Backend> {
    this.fence?.cut();
    if (this.memory !== undefined) this.memory = this.memory.copy();
    await this.shutdown();
    return this.open();
  }

  async shutdown(): Promise<void> {
    if (this.db !== undefined) {
      const sentinel = await this.db.get(enc('r/sentinel'));
      if (sentinel === undefined || dec(sentinel) !== 'raft') throw new Error('the store touched a key outside its prefix');
      await this.db.close();
      this.db = undefined;
    }
  }
}

/** A backend that stops at cut(): what a dead process's store can no longer do. */
class FencedBackend implements Backend {
  private dead = false;

  constructor(private readonly inner: Backend) {}

  cut(): void {
    this.dead = true;
  }

  private check(): void {
    if (this.dead) throw new Error('the process crashed');
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    this.check();
    return this.inner.get(key);
  }

  async batch(puts: readonly BackendEntry[], dels: readonly Uint8Array[], options?: { readonly sync?: boolean }): Promise<void> {
    this.check();
    return this.inner.batch(puts, dels, options);
  }

  async *iterate(range: BackendRange, chunkSize: number): AsyncIterable<BackendEntry[]> {
    this.check();
    for await (const chunk of this.inner.iterate(range, chunkSize)) {
      this.check();
      yield chunk;
    }
  }

  approximateSize(): Promise<number> {
    return this.inner.approximateSize();
  }
}

/** A store and the Raft indexes of its entries. */
export class Applier {
  index: number;

  constructor(
    public store: MvccStore,
    index = store.consistentIndex(),
  ) {
    this.index = index;
  }

  next(): number {
    return ++this.index;
  }

  put(key: string, value: string, extra: Partial<PutRequest> = {}): PutResponse {
    return this.store.applyPut({ key: enc(key), value: enc(value), ...extra }, this.next());
  }

  del(key: string, rangeEnd?: string | Uint8Array, extra: Partial<DeleteRangeRequest> = {}): DeleteRangeResponse {
    const end = typeof rangeEnd === 'string' ? enc(rangeEnd) : rangeEnd;
    return this.store.applyDeleteRange({ key: enc(key), ...(end !== undefined ? { rangeEnd: end } : {}), ...extra }, this.next());
  }

  txn(req: TxnRequest): TxnResponse | Promise<TxnResponse> {
    return this.store.applyTxn(req, this.next());
  }

  compact(revision: number): CompactionResponse {
    return this.store.applyCompact({ revision }, this.next());
  }

  grant(id: number, ttl: number): LeaseGrantResponse {
    return this.store.applyLeaseGrant({ ID: id, TTL: ttl }, this.next());
  }

  revoke(id: number): void {
    this.store.applyLeaseRevoke(id, this.next());
  }

  async get(key: string, extra: Partial<RangeRequest> = {}): Promise<RangeResponse> {
    return this.store.range({ key: enc(key), ...extra });
  }

  /** key=value of every live key. */
  async all(revision = 0): Promise<string[]> {
    return kvPairs((await this.store.range({ key: ALL_FROM, rangeEnd: ALL_FROM, revision })).kvs);
  }
}

export async function openStore(t: Teardown, kind: BackendKind, options: MvccStoreOptions = {}): Promise<{ host: BackendHost; a: Applier }> {
  const host = await BackendHost.create(t, kind);
  const store = await MvccStore.open(host.backend, options);
  return { host, a: new Applier(store) };
}

/** Runs `fn` as a subtest on each backend. */
export function onEachBackend(t: Tap, name: string, fn: (t: Tap, kind: BackendKind) => Promise<void>): void {
  for (const kind of BACKENDS) void t.test(`${name} [${kind}]`, (tt) => fn(tt, kind));
}

export type Tap = Test;

/**
 * A backend wrapper whose reads wait until released: lets a test hold a history read in flight
 * while it applies more (compaction, restore) and check the read still answers correctly.
 */
export class GatedBackend implements Backend {
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  readsWaiting = 0;

  constructor(private readonly inner: Backend) {}

  closeGate(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  openGate(): void {
    this.open?.();
    this.gate = undefined;
    this.open = undefined;
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    // The read happens when the gate opens: whatever ran meanwhile (a compaction) is seen.
    if (this.gate !== undefined) {
      this.readsWaiting++;
      await this.gate;
      this.readsWaiting--;
    }
    return this.inner.get(key);
  }

  batch(puts: readonly BackendEntry[], dels: readonly Uint8Array[], options?: { readonly sync?: boolean }): Promise<void> {
    return this.inner.batch(puts, dels, options);
  }

  iterate(range: BackendRange, chunkSize: number): AsyncIterable<BackendEntry[]> {
    return this.inner.iterate(range, chunkSize);
  }

  approximateSize(): Promise<number> {
    return this.inner.approximateSize();
  }
}

/** Collects a watcher's responses. */
export class WatchLog {
  readonly responses: WatchResponse[] = [];
  /** What send returns: false makes the watcher hold events until resume(). */
  accept = true;

  readonly send = (resp: WatchResponse): boolean => {
    this.responses.push(resp);
    return this.accept;
  };

  /** Every event, as `TYPE key@rev`, in delivery order. */
  events(): string[] {
    return this.responses.flatMap((r) => r.events.map((e) => `${e.type} ${dec(e.kv.key)}@${e.kv.modRevision}`));
  }

  revisions(): number[] {
    return this.responses.flatMap((r) => r.events.map((e) => e.kv.modRevision));
  }
}

/** Revision records in a backend (the 'k' bucket). */
export async function recordCount(backend: Backend): Promise<number> {
  let n = 0;
  for await (const chunk of backend.iterate({ gte: Uint8Array.of(0x6b), lt: Uint8Array.of(0x6c) }, 1000)) n += chunk.length;
  return n;
}

/** Lets queued microtasks (watch dispatch) and backend callbacks run. */
export async function settle(store?: MvccStore): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  if (store !== undefined) await store.watchersIdle();
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
