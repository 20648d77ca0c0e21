// Open refuses a damaged Raft state with a CorruptStorageError that says what and where.
// Each case writes a valid state, damages it with raw LevelDB writes (or by removing a LevelDB
// file), and reopens.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Test } from 'tap';
import t from 'tap';
import type { RaftLevelDb } from '../../../raft/index.js';
import { CorruptStorageError, LevelRaftStorage, SNAPSHOT_CHUNK_BYTES } from '../../../raft/index.js';
import { bytes, CS, ent, hs, layout, range, rejection, tempDir } from './helpers.js';

type Tap = Test;

/** A valid state: entries 1..60 (terms 1 then 2 from 43), commit 50, a 2-chunk snapshot at 30, compacted to 20. */
async function buildValid(dir: string): Promise<void> {
  const { storage } = await LevelRaftStorage.open(dir);
  await storage.save({ hardState: hs(2, 50), entries: [...range(1, 42, 1), ...range(43, 60, 2)] });
  await storage.createSnapshot(30, CS, bytes(SNAPSHOT_CHUNK_BYTES + 10, 1));
  await storage.compact(20);
  await storage.close();
}

const template = join(tempDir(t, 'raft-storage-template'), 'db');
let built: Promise<void> | undefined;

/** A copy of the valid state in a fresh dir (built once, copied per case: LevelDB is closed). */
async function valid(t: Parameters<typeof tempDir>[0]): Promise<string> {
  await (built ??= buildValid(template));
  const dir = join(tempDir(t), 'db');
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Opens the LevelDB raw (no Raft checks), runs fn, closes. */
async function damage(dir: string, fn: (db: RaftLevelDb) => Promise<void>): Promise<void> {
  const { Level } = await import('level');
  const db: RaftLevelDb = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

/** Reopens, which must fail with a CorruptStorageError naming the data dir. */
async function openError(t: Tap, dir: string): Promise<CorruptStorageError | undefined> {
  const err = await rejection(LevelRaftStorage.open(dir));
  t.type(err, CorruptStorageError);
  if (!(err instanceof CorruptStorageError)) return undefined;
  t.equal(err.location, dir);
  return err;
}

const cases: Array<[name: string, fn: (db: RaftLevelDb) => Promise<void>, message: RegExp]> = [
  [
    'a flipped byte in an entry',
    async (db) => {
      const v = (await db.get(layout.entryKey(42)))!;
      const copy = new Uint8Array(v);
      copy[copy.length - 1]! ^= 0x01;
      await db.put(layout.entryKey(42), copy);
    },
    /^entry 42 checksum mismatch in \S+db$/,
  ],
  ['an entry deleted from the middle', (db) => db.del(layout.entryKey(42)), /^log gap after 41 \(the next entry is 43\) in /],
  ['the first entries deleted', (db) => db.batch([{ type: 'del', key: layout.entryKey(21) }, { type: 'del', key: layout.entryKey(22) }]), /^log gap after 20 \(the next entry is 23\)/],
  ['a garbage format record', (db) => db.put(layout.key('f'), new Uint8Array([1, 2, 3, 4, 5, 6])), /^format record checksum mismatch in /],
  ['a format record of another version', (db) => db.put(layout.key('f'), layout.format(2)), /^format record has version 2; this build reads version 1 only/],
  ['the format record deleted', (db) => db.del(layout.key('f')), /^format record r\/f is missing but \d+ Raft records are present/],
  [
    'hard state commit beyond the last index (the log tail lost)',
    (db) => db.batch([...range(49, 60, 2)].map((e) => ({ type: 'del' as const, key: layout.entryKey(e.index) }))),
    /^hard state commit 50 is beyond the last index 48 in /,
  ],
  ['a hard state record with a bad checksum', async (db) => db.put(layout.key('h'), (await db.get(layout.key('h')))!.map((b, k) => (k === 10 ? b ^ 0xff : b))), /^hard state record checksum mismatch/],
  ['an entry term that goes down', (db) => db.put(layout.entryKey(44), layout.entry(ent(44, 1))), /^entry 44 has term 1, lower than the term 2 of entry 43/],
  ['an entry term beyond the hard state term', (db) => db.put(layout.key('h'), layout.hardState(hs(1, 50))), /^entry 60 has term 2, beyond the hard state term 1/],
  ['an entry value stored under another index', async (db) => db.put(layout.entryKey(42), (await db.get(layout.entryKey(41)))!), /^entry record under r\/e\/<42> holds entry 41/],
  ['an entry at or below the compaction point', (db) => db.put(layout.entryKey(20), layout.entry(ent(20, 1))), /^entry 20 is at or below the compaction point 20/],
  ['a flipped byte in a snapshot chunk', async (db) => db.put(layout.chunkKey(30, 1), (await db.get(layout.chunkKey(30, 1)))!.map((b, k) => (k === 20 ? b ^ 1 : b))), /^chunk 1 of snapshot 30 checksum mismatch/],
  ['a snapshot chunk whose data does not match the metadata checksum', (db) => db.put(layout.chunkKey(30, 1), layout.chunk(30, 1, bytes(10, 99))), /^snapshot 30 data checksum mismatch/],
  ['a snapshot chunk deleted', (db) => db.del(layout.chunkKey(30, 0)), /^snapshot 30 chunk 0 is missing/],
  ['a chunk of another snapshot under the stored one’s key', (db) => db.put(layout.chunkKey(30, 1), layout.chunk(25, 1, bytes(10, 1))), /^chunk record under r\/x\/<30><1> belongs to snapshot 25/],
  ['a chunk record under another chunk’s key', async (db) => db.put(layout.chunkKey(30, 0), (await db.get(layout.chunkKey(30, 1)))!), /^snapshot chunk record under chunk key 0 holds chunk 1/],
  ['an extra chunk beyond the stored snapshot’s', (db) => db.put(layout.chunkKey(30, 2), layout.chunk(30, 2, bytes(10, 1))), /^snapshot 30 chunks hold more than the \d+ bytes its metadata records/],
  ['the snapshot deleted from a compacted log', (db) => db.batch([{ type: 'del', key: layout.key('s') }, { type: 'del', key: layout.chunkKey(30, 0) }, { type: 'del', key: layout.chunkKey(30, 1) }]), /^the log is compacted through 20 but there is no snapshot/],
  ['an unknown key under the Raft prefix', (db) => db.put(layout.key('x\u0001'), new Uint8Array(1)), /^unknown key r\/x\\x01 under the Raft prefix/],
];

/** Moves the stored snapshot's chunks (at 30) to the keys chunks had before they were keyed by snapshot. */
async function toLegacyChunks(db: RaftLevelDb): Promise<void> {
  for (const n of [0, 1]) {
    const v = (await db.get(layout.chunkKey(30, n)))!;
    await db.batch([
      { type: 'put', key: layout.legacyChunkKey(n), value: v },
      { type: 'del', key: layout.chunkKey(30, n) },
    ]);
  }
}

const legacyCases: Array<[name: string, fn: (db: RaftLevelDb) => Promise<void>, message: RegExp]> = [
  ['a flipped byte in a snapshot chunk', async (db) => db.put(layout.legacyChunkKey(1), (await db.get(layout.legacyChunkKey(1)))!.map((b, k) => (k === 20 ? b ^ 1 : b))), /^snapshot chunk 1 checksum mismatch/],
  ['a snapshot chunk deleted', (db) => db.del(layout.legacyChunkKey(0)), /^snapshot 30 chunk 0 is missing/],
  ['a stale chunk of an older snapshot', (db) => db.put(layout.legacyChunkKey(2), layout.chunk(25, 2, bytes(10, 1))), /^snapshot chunk 2 belongs to snapshot 25, not to the stored snapshot 30/],
  ['chunks without a snapshot metadata record', (db) => db.del(layout.key('s')), /^2 snapshot chunks are present without a snapshot metadata record/],
];

for (const [name, fn, message] of legacyCases) {
  void t.test(`chunks keyed by number alone (the earlier layout): ${name}`, async (t) => {
    const dir = await valid(t);
    await damage(dir, async (db) => {
      await toLegacyChunks(db);
      await fn(db);
    });
    const err = await openError(t, dir);
    t.match(err?.message, message);
  });
}

void t.test('chunks keyed by number alone (the earlier layout) still load, and the next snapshot replaces them', async (t) => {
  const dir = await valid(t);
  const before = await LevelRaftStorage.open(dir);
  const data = before.storage.snapshot().data;
  await before.storage.close();
  await damage(dir, toLegacyChunks);
  const { storage, db } = await LevelRaftStorage.open(dir);
  t.same(storage.snapshot().data, data, 'the same snapshot, read from the old keys');
  await storage.createSnapshot(40, CS, bytes(10, 4));
  t.equal(await db.get(layout.legacyChunkKey(0)), undefined, 'old chunk 0 deleted with the new snapshot');
  t.equal(await db.get(layout.legacyChunkKey(1)), undefined, 'old chunk 1 deleted');
  t.ok(await db.get(layout.chunkKey(40, 0)));
  await storage.close();
  const again = await LevelRaftStorage.open(dir);
  t.same(again.storage.snapshot().data, bytes(10, 4));
  await again.storage.close();
});

void t.test('chunks of a snapshot that was never recorded (a staging cut short) are not damage, and go with the next snapshot', async (t) => {
  const dir = await valid(t);
  await damage(dir, (db) => db.batch([0, 1, 2].map((n) => ({ type: 'put' as const, key: layout.chunkKey(45, n), value: layout.chunk(45, n, bytes(10, n)) }))));
  const { storage, db } = await LevelRaftStorage.open(dir);
  t.equal(storage.snapshot().metadata.index, 30, 'the stored snapshot is still the one at 30');
  await storage.createSnapshot(40, CS, bytes(10, 4));
  for (const n of [0, 1, 2]) t.equal(await db.get(layout.chunkKey(45, n)), undefined, `leftover chunk ${n} deleted`);
  for (const n of [0, 1]) t.equal(await db.get(layout.chunkKey(30, n)), undefined, `chunk ${n} of the replaced snapshot deleted`);
  await storage.close();
});

for (const [name, fn, message] of cases) {
  void t.test(name, async (t) => {
    const dir = await valid(t);
    await damage(dir, fn);
    const err = await openError(t, dir);
    t.match(err?.message, message);
  });
}

void t.test('the valid state opens, and keys of other users of the LevelDB are ignored', async (t) => {
  const dir = await valid(t);
  await damage(dir, (db) => db.put(new TextEncoder().encode('k/anything'), new Uint8Array(3)));
  const { storage } = await LevelRaftStorage.open(dir);
  t.equal(storage.firstIndex(), 21);
  t.equal(storage.lastIndex(), 60);
  await storage.close();
});

void t.test("LevelDB's own corruption (a table file lost) is a CorruptStorageError naming the file", async (t) => {
  const dir = await valid(t);
  // Reopening replays LevelDB's write-ahead log into a table file.
  await (await LevelRaftStorage.open(dir)).storage.close();
  const tables = readdirSync(dir).filter((f) => f.endsWith('.ldb'));
  t.ok(tables.length > 0, 'a table file exists');
  for (const f of tables) rmSync(join(dir, f));
  const err = await openError(t, dir);
  t.match(err?.message, /LevelDB reports corruption \(.*missing files.*\.ldb\)/);
  t.match(err?.file, /\.ldb$/);
});
