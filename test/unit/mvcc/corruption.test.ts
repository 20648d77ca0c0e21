// Damaged data is never served: every backend value carries a checksum (codec.ts), checked at open
// (the store refuses to open), on later reads of the history (the read fails, and so does the
// store), and in snapshots (restore refuses them). Damage is made under the store, as a disk
// would: a raw LevelDB put on the prefixed key, or a put into the MemoryBackend.
import { join } from 'node:path';
import { Level } from 'level';
import t from 'tap';
import type { Backend } from '../../../raft/index.js';
import { bytesToKey, crc32c, LevelBackend, MemoryBackend, MvccCorruptionError, MvccStore } from '../../../raft/index.js';
import type { BackendKind, Tap, Teardown } from './helpers.js';
import { Applier, BACKENDS, dec, enc, rejected, settle, STORE_PREFIX, tempDir, WatchLog } from './helpers.js';

/** A store's backend and a way to damage it from beneath, as a disk would. */
interface Disk {
  readonly location: string;
  backend: Backend;
  /** Every stored entry, as the store's backend sees it (unprefixed keys). */
  entries(): Promise<(readonly [Uint8Array, Uint8Array])[]>;
  /** Stores `value` under `key` (unprefixed) behind the store's back. */
  poke(key: Uint8Array, value: Uint8Array): Promise<void>;
  /** What a restart sees: the backend reopened. */
  reopen(): Promise<Backend>;
}

async function disk(t: Teardown, kind: BackendKind): Promise<Disk> {
  if (kind === 'memory') {
    const memory = new MemoryBackend();
    return {
      location: 'memory://corruption-test',
      backend: memory,
      entries: () => entriesOf(memory),
      poke: (key, value) => memory.batch([[key, value]], []),
      reopen: () => Promise.resolve(memory),
    };
  }
  const dir = join(tempDir(t, 'mvcc-corrupt'), 'db');
  let db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  t.teardown(() => db.close());
  const d: Disk = {
    location: dir,
    backend: new LevelBackend(db, STORE_PREFIX, { location: dir }),
    entries: () => entriesOf(d.backend),
    poke: (key, value) => db.put(Uint8Array.of(...STORE_PREFIX, ...key), value),
    reopen: async () => {
      await db.close();
      db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
      await db.open();
      d.backend = new LevelBackend(db, STORE_PREFIX, { location: dir });
      return d.backend;
    },
  };
  return d;
}

async function entriesOf(b: Backend): Promise<(readonly [Uint8Array, Uint8Array])[]> {
  const out: (readonly [Uint8Array, Uint8Array])[] = [];
  for await (const chunk of b.iterate({}, 100)) out.push(...chunk);
  return out;
}

/** The value with one bit of its last byte flipped (a copy). */
function flipped(value: Uint8Array): Uint8Array {
  const out = value.slice();
  out[out.length - 1]! ^= 0x01;
  return out;
}

/** A store with a few revisions, a lease and its meta, flushed and closed. */
async function populated(t: Teardown, kind: BackendKind): Promise<Disk> {
  const d = await disk(t, kind);
  const a = new Applier(await MvccStore.open(d.backend, { location: d.location }));
  a.put('a', 'first'); // revision 1: record k1_0
  a.put('a', 'second');
  a.grant(7, 60); // lease record l7
  a.put('b', 'leased', { lease: 7 });
  a.del('b'); // revision 4: tombstone k4_0t
  await a.store.close();
  return d;
}

/** Opens the store on the reopened backend; the rejection it must fail with. */
async function openRejected(d: Disk, options: { location?: string } = { location: d.location }): Promise<unknown> {
  return rejected(MvccStore.open(await d.reopen(), options));
}

function isCorruption(t: Tap, err: unknown, location: string, record: RegExp): void {
  t.type(err, MvccCorruptionError, 'MvccCorruptionError');
  if (!(err instanceof MvccCorruptionError)) return;
  t.equal(err.location, location, 'naming the location');
  t.match(err.detail, record, 'and the record');
  t.equal(err.message, `${err.detail} in ${location}`);
}

const RECORDS: readonly { what: string; key: (k: Uint8Array) => boolean; name: RegExp }[] = [
  { what: 'a revision record', key: (k) => bytesToKey(k) === bytesToKey(revKey(1, 0)), name: /^MVCC record k1_0 checksum mismatch$/ },
  { what: 'a tombstone record', key: (k) => k[0] === 0x6b && k.length === 19, name: /^MVCC record k4_0t checksum mismatch$/ },
  { what: 'a lease record', key: (k) => bytesToKey(k) === `l${'\0'.repeat(7)}\u0007`, name: /^MVCC record l7 checksum mismatch$/ },
  { what: 'a meta record', key: (k) => dec(k) === 'mrevision', name: /^MVCC record mrevision checksum mismatch$/ },
  { what: 'the format record', key: (k) => dec(k) === 'mformat', name: /^MVCC record mformat checksum mismatch$/ },
];

/** Revision key k<main>_<sub>, as codec.ts lays it out. */
function revKey(main: number, sub: number): Uint8Array {
  const out = new Uint8Array(18);
  out[0] = 0x6b;
  new DataView(out.buffer).setUint32(5, main);
  out[9] = 0x5f;
  new DataView(out.buffer).setUint32(14, sub);
  return out;
}

for (const kind of BACKENDS) {
  for (const rec of RECORDS) {
    void t.test(`a flipped byte in ${rec.what}: open refuses, naming the location and the record [${kind}]`, async (t) => {
      const d = await populated(t, kind);
      const entry = (await d.entries()).find(([k]) => rec.key(k));
      t.ok(entry, `the backend holds ${rec.what}`);
      if (entry === undefined) return;
      await d.poke(entry[0], flipped(entry[1]));
      isCorruption(t, await openRejected(d), d.location, rec.name);
    });
  }

  void t.test(`a damaged key is caught too: the checksum covers it [${kind}]`, async (t) => {
    const d = await populated(t, kind);
    const [, v] = (await d.entries()).find(([key]) => bytesToKey(key) === bytesToKey(revKey(1, 0)))!;
    const moved = revKey(1, 0);
    moved[17] = 9; // k1_0's record under k1_9: a flipped bit in the key
    await d.poke(moved, v);
    isCorruption(t, await openRejected(d), d.location, /^MVCC record k1_9 checksum mismatch$/);
  });

  void t.test(`a range at an old revision that meets a damaged record fails, and so does the store [${kind}]`, async (t) => {
    const d = await populated(t, kind);
    const a = new Applier(await MvccStore.open(await d.reopen(), { location: d.location }));
    t.same((await a.get('a', { revision: 1 })).kvs.map((kv) => dec(kv.value)), ['first'], 'the history reads before the damage');
    const [k, v] = (await d.entries()).find(([key]) => bytesToKey(key) === bytesToKey(revKey(1, 0)))!;
    await d.poke(k, flipped(v));
    const err = await rejected(a.get('a', { revision: 1 }));
    isCorruption(t, err, d.location, /^MVCC record k1_0 checksum mismatch$/);
    t.equal(await rejected(a.get('a')), err, 'the store failed: later reads fail with the same error');
    t.throws(() => a.put('c', 'x'), MvccCorruptionError, 'and so do applies');
  });

  void t.test(`a watch catching up over a damaged record is canceled and never sees it [${kind}]`, async (t) => {
    const d = await populated(t, kind);
    const store = await MvccStore.open(await d.reopen(), { location: d.location });
    const [k, v] = (await d.entries()).find(([key]) => bytesToKey(key) === bytesToKey(revKey(1, 0)))!;
    await d.poke(k, flipped(v));
    const log = new WatchLog();
    store.watch({ key: enc('a'), startRevision: 1 }, 1, log.send);
    await settle(store);
    t.same(log.events(), [], 'no event was delivered');
    t.ok(
      log.responses.some((r) => r.canceled === true),
      'the watcher is canceled',
    );
    t.type(await rejected(store.range({ key: enc('a') })), MvccCorruptionError, 'and the store failed');
  });
}

/** A format record of another version, framed as codec.ts frames values (type 4 = format). */
function formatRecord(version: number): Uint8Array {
  const body = Uint8Array.of(4, ...enc('flotilla-mvcc'), 0, 0, 0, version);
  const out = new Uint8Array(4 + body.length);
  out.set(body, 4);
  new DataView(out.buffer).setUint32(0, crc32c(crc32c(0, enc('mformat')), body));
  return out;
}

void t.test('a store of another on-disk format is refused: "unsupported MVCC format"', async (t) => {
  const d = await populated(t, 'memory');
  await d.backend.batch([], [enc('mformat')]);
  const missing = await openRejected(d, { location: 'old-dir' });
  t.type(missing, MvccCorruptionError);
  t.match((missing as Error).message, /^unsupported MVCC format \(no format record: written before format 2; this build reads format 2 only\) in old-dir$/);
  await d.backend.batch([[enc('mformat'), formatRecord(1)]], []);
  const v1 = await openRejected(d, { location: 'old-dir' });
  t.type(v1, MvccCorruptionError);
  t.match((v1 as Error).message, /^unsupported MVCC format \(format version 1;/);
  await d.backend.batch([[enc('mformat'), formatRecord(2)]], []);
  t.ok(await MvccStore.open(d.backend), 'format 2 opens');
});

void t.test('the location defaults to the backend\'s, and to a generic name', async (t) => {
  const d = await populated(t, 'level');
  const [k, v] = (await d.entries()).find(([key]) => dec(key) === 'mrevision')!;
  await d.poke(k, flipped(v));
  t.equal((await openRejected(d, {}) as MvccCorruptionError).location, d.location, 'LevelBackend({ location })');
  const memory = new MemoryBackend();
  await memory.batch([[k, v]], []);
  t.equal((await rejected(MvccStore.open(memory)) as MvccCorruptionError).location, 'the MVCC backend');
});

void t.test('restore refuses a damaged snapshot with MvccCorruptionError and keeps its state', async (t) => {
  const source = new Applier(await MvccStore.open(new MemoryBackend()));
  for (let i = 0; i < 20; i++) source.put(`k${i}`, `snap-value-${i}`);
  await source.store.flush();
  const snap = await source.store.snapshot();
  const target = new Applier(await MvccStore.open(new MemoryBackend(), { location: 'target-dir' }));
  target.put('mine', 'kept');

  const payload = snap.slice();
  payload[payload.length - 3]! ^= 0x01;
  const err = await rejected(target.store.restore(payload, source.index));
  t.type(err, MvccCorruptionError, 'a flipped byte anywhere: the payload checksum');
  t.match((err as Error).message, /^MVCC snapshot checksum mismatch in a snapshot being restored into target-dir$/);

  // A record damaged before the payload checksum was computed (by the sender's disk): caught by its own.
  const needle = enc('snap-value-7');
  const at = Buffer.from(snap).indexOf(needle);
  t.ok(at > 0, 'the value is in the snapshot');
  const inner = snap.slice();
  inner[at + needle.length - 1]! ^= 0x01;
  new DataView(inner.buffer).setUint32(0, crc32c(0, inner.subarray(4)));
  const err2 = await rejected(target.store.restore(inner, source.index));
  t.type(err2, MvccCorruptionError, 'a damaged record under a valid payload checksum');
  t.match((err2 as Error).message, /^MVCC record k8_0 checksum mismatch in a snapshot being restored into target-dir$/);

  t.same((await target.all()).sort(), ['mine=kept'], 'the refused restores changed nothing');
  await target.store.restore(snap, source.index);
  t.same(await target.all(), await source.all(), 'the intact snapshot restores');
});
