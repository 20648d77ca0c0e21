// LevelRaftStorage: what a save, snapshot or compaction writes is what a reopen reads.
import { join } from 'node:path';
import t from 'tap';
import { AssertionError } from '../../../core/index.js';
import type { RaftLevelDb, Snapshot } from '../../../raft/index.js';
import { CompactedError, LevelRaftStorage, MemoryStorage, SnapshotOutOfDateError, SNAPSHOT_CHUNK_BYTES } from '../../../raft/index.js';
import { bytes, CS, dump, ent, hs, layout, range, rejection, tempDir } from './helpers.js';

/** Opens, runs fn, closes; returns what fn returns. */
async function withStorage<T>(dir: string, fn: (s: LevelRaftStorage) => Promise<T>): Promise<T> {
  const { storage } = await LevelRaftStorage.open(dir);
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

/** Raw LevelDB keys present for entries lo..hi. */
async function presentEntryKeys(dir: string, lo: number, hi: number): Promise<number[]> {
  const { db, storage } = await LevelRaftStorage.open(dir);
  try {
    const out: number[] = [];
    for (let i = lo; i <= hi; i++) if ((await db.get(layout.entryKey(i))) !== undefined) out.push(i);
    return out;
  } finally {
    await storage.close();
  }
}

void t.test('a fresh storage is empty, like a fresh MemoryStorage, and writes its format record', async (t) => {
  const dir = join(tempDir(t), 'db');
  const { storage, db } = await LevelRaftStorage.open(dir);
  t.same(dump(storage), dump(new MemoryStorage()));
  t.ok(await db.get(layout.key('f')), 'format record written');
  t.equal(storage.location, dir);
  await storage.close();
  t.equal(db.status, 'closed', 'close() closes the LevelDB open() opened');
  const again = await LevelRaftStorage.open(dir);
  t.same(dump(again.storage), dump(new MemoryStorage()));
  await again.storage.close();
});

void t.test('save then reopen: hard state, entries of both types and sizes', async (t) => {
  const dir = join(tempDir(t), 'db');
  const model = new MemoryStorage();
  const entries = [...range(1, 40, 1), ent(41, 2, 'conf-change', new Uint8Array([1, 2, 3])), ent(42, 2, 'normal', new Uint8Array(0)), ent(43, 2, 'normal', bytes(100_000, 5))];
  await withStorage(dir, async (s) => {
    await s.save({ hardState: hs(1, 0), entries: entries.slice(0, 1) });
    await s.save({ hardState: hs(2, 20, 2), entries: entries.slice(1) });
    await s.save({ hardState: hs(2, 43, 2), entries: [] });
  });
  model.append(entries);
  model.setHardState(hs(2, 43, 2));
  await withStorage(dir, async (s) => {
    t.same(dump(s), dump(model));
    const got = s.entries(41, 44, Infinity);
    t.equal(got[0]!.type, 'conf-change');
    t.same([...got[2]!.data], [...entries[42]!.data]);
    t.equal(Object.getPrototypeOf(got[0]!.data), Uint8Array.prototype, 'entry data is a plain Uint8Array, not a Buffer');
  });
});

void t.test('a conflicting suffix is truncated, in LevelDB too, and stays truncated across reopen', async (t) => {
  const dir = join(tempDir(t), 'db');
  await withStorage(dir, async (s) => {
    await s.save({ hardState: hs(1, 3), entries: range(1, 10, 1) });
    await s.save({ hardState: hs(2, 3), entries: range(6, 7, 2) });
    t.equal(s.lastIndex(), 7);
    t.equal(s.term(6), 2);
  });
  const model = new MemoryStorage();
  model.append(range(1, 10, 1));
  model.append(range(6, 7, 2));
  model.setHardState(hs(2, 3));
  await withStorage(dir, async (s) => t.same(dump(s), dump(model)));
  t.same(await presentEntryKeys(dir, 1, 12), [1, 2, 3, 4, 5, 6, 7], 'entries 8..10 deleted in the same batch');
});

void t.test('createSnapshot and compact survive reopen; old snapshot chunks are deleted', async (t) => {
  const dir = join(tempDir(t), 'db');
  const big = bytes(2 * SNAPSHOT_CHUNK_BYTES + 1234, 9);
  const model = new MemoryStorage();
  await withStorage(dir, async (s) => {
    await s.save({ hardState: hs(3, 12), entries: [...range(1, 6, 2), ...range(7, 15, 3)] });
    const snap = await s.createSnapshot(5, CS, big);
    t.same(snap.metadata, { index: 5, term: 2, confState: CS });
  });
  model.append([...range(1, 6, 2), ...range(7, 15, 3)]);
  model.setHardState(hs(3, 12));
  model.createSnapshot(5, CS, big);
  await withStorage(dir, async (s) => {
    t.same(dump(s), dump(model), 'snapshot ahead of compaction: the log still starts at 1');
    await s.compact(3);
    model.compact(3);
    t.same(dump(s), dump(model));
  });
  await withStorage(dir, async (s) => {
    t.same(dump(s), dump(model), 'compaction point 3 trails the snapshot at 5');
    t.equal(s.term(3), 2, 'the compaction point still answers its term');
    await s.createSnapshot(12, { voters: [1, 2], learners: [] }, bytes(10, 1));
    model.createSnapshot(12, { voters: [1, 2], learners: [] }, bytes(10, 1));
    await s.compact(12);
    model.compact(12);
  });
  const { storage, db } = await LevelRaftStorage.open(dir);
  t.same(dump(storage), dump(model));
  t.ok(await db.get(layout.chunkKey(12, 0)));
  for (const n of [0, 1, 2]) t.equal(await db.get(layout.chunkKey(5, n)), undefined, `chunk ${n} of the old snapshot deleted`);
  t.equal(await db.get(layout.entryKey(12)), undefined, 'compacted entries deleted');
  t.ok(await db.get(layout.entryKey(13)));
  await storage.close();
});

void t.test('stageSnapshot writes the data beside other writes; createSnapshot then records it', async (t) => {
  const dir = join(tempDir(t), 'db');
  const first = bytes(SNAPSHOT_CHUNK_BYTES + 5, 1);
  const data = bytes(9 * SNAPSHOT_CHUNK_BYTES + 77, 2); // 10 chunks: three staging batches
  const { storage, db } = await LevelRaftStorage.open(dir);
  await storage.save({ hardState: hs(2, 30), entries: range(1, 30, 2) });
  await storage.createSnapshot(10, CS, first);
  const staging = storage.stageSnapshot(20, data);
  // Raft saves and compaction go on meanwhile.
  await storage.save({ hardState: hs(2, 31), entries: [ent(31, 2)] });
  await storage.compact(5);
  await staging;
  t.same(storage.snapshot().data, first, 'staging does not change the stored snapshot');
  t.ok(await db.get(layout.chunkKey(20, 9)), 'the staged chunks are written');
  t.ok(await db.get(layout.chunkKey(10, 1)), 'the stored snapshot is still whole');
  const snap = await storage.createSnapshot(20, CS, data);
  t.same(snap.metadata, { index: 20, term: 2, confState: CS });
  t.equal(await db.get(layout.chunkKey(10, 0)), undefined, 'the replaced snapshot’s chunks are deleted');
  await storage.close();
  const again = await LevelRaftStorage.open(dir);
  t.same(again.storage.snapshot().metadata, { index: 20, term: 2, confState: CS });
  t.same(again.storage.snapshot().data, data, 'the staged data is what a reopen reads');
  t.equal(again.storage.lastIndex(), 31);
  t.equal(again.storage.firstIndex(), 6);
  await again.storage.close();
});

void t.test('a createSnapshot before its staging finished writes the chunks itself', async (t) => {
  const dir = join(tempDir(t), 'db');
  const data = bytes(12 * SNAPSHOT_CHUNK_BYTES + 3, 5);
  const { storage, db } = await LevelRaftStorage.open(dir);
  await storage.save({ hardState: hs(2, 20), entries: range(1, 20, 2) });
  const staging = storage.stageSnapshot(15, data);
  await storage.createSnapshot(15, CS, data);
  const present = await Promise.all(Array.from({ length: 13 }, async (_, n) => (await db.get(layout.chunkKey(15, n))) !== undefined));
  t.same(present, Array(13).fill(true), 'every chunk is there once createSnapshot resolved, before the (paced) staging got to it');
  await staging;
  await storage.close();
  const again = await LevelRaftStorage.open(dir);
  t.ok(Buffer.from(again.storage.snapshot().data).equals(Buffer.from(data)), 'the whole snapshot is on disk');
  await again.storage.close();
});

void t.test('a snapshot installed at the index of the stored one keeps its chunks (same keys, not deleted as old)', async (t) => {
  const dir = join(tempDir(t), 'db');
  const data = bytes(2 * SNAPSHOT_CHUNK_BYTES + 9, 6);
  await withStorage(dir, async (s) => {
    await s.save({ hardState: hs(2, 15), entries: range(1, 20, 2) });
    await s.createSnapshot(15, CS, bytes(3 * SNAPSHOT_CHUNK_BYTES, 1));
    await s.save({ hardState: hs(2, 15), entries: [], snapshot: { metadata: { index: 15, term: 2, confState: CS }, data } });
  });
  await withStorage(dir, async (s) => {
    t.ok(Buffer.from(s.snapshot().data).equals(Buffer.from(data)), 'the installed snapshot, whole');
  });
});

void t.test('a staging that no snapshot records is cleaned up by the next one', async (t) => {
  const dir = join(tempDir(t), 'db');
  const { storage, db } = await LevelRaftStorage.open(dir);
  await storage.save({ hardState: hs(2, 20), entries: range(1, 30, 2) });
  await storage.stageSnapshot(10, bytes(2 * SNAPSHOT_CHUNK_BYTES, 1));
  await storage.stageSnapshot(5, bytes(10, 1)); // superseded by a later one before it was recorded
  await storage.stageSnapshot(3, bytes(10, 1));
  t.ok(await db.get(layout.chunkKey(10, 1)));
  // A follower installs the leader's snapshot instead.
  const snap: Snapshot = { metadata: { index: 25, term: 2, confState: CS }, data: bytes(10, 7) };
  await storage.save({ hardState: hs(2, 25), entries: [], snapshot: snap });
  for (const [index, n] of [[10, 0], [10, 1], [5, 0], [3, 0]] as const) t.equal(await db.get(layout.chunkKey(index, n)), undefined, `staged chunk ${n} of ${index} deleted`);
  await storage.stageSnapshot(25, bytes(10, 8));
  t.same(await db.get(layout.chunkKey(25, 0)), layout.chunk(25, 0, bytes(10, 7)), 'staging at the stored snapshot’s index writes nothing');
  t.same(storage.snapshot().data, bytes(10, 7));
  await storage.close();
  const again = await LevelRaftStorage.open(dir);
  t.same(again.storage.snapshot().data, bytes(10, 7));
  await again.storage.close();
});

void t.test('saving a snapshot (a follower installing one) replaces the whole log', async (t) => {
  const dir = join(tempDir(t), 'db');
  const snap: Snapshot = { metadata: { index: 20, term: 4, confState: CS }, data: bytes(SNAPSHOT_CHUNK_BYTES + 1, 3) };
  const model = new MemoryStorage();
  await withStorage(dir, async (s) => {
    await s.save({ hardState: hs(2, 5), entries: range(1, 25, 2) });
    await s.save({ hardState: hs(4, 20), entries: [ent(19, 4), ent(20, 4), ent(21, 4), ent(22, 4)], snapshot: snap });
  });
  model.append(range(1, 25, 2));
  model.applySnapshot(snap);
  model.append([ent(19, 4), ent(20, 4), ent(21, 4), ent(22, 4)]);
  model.setHardState(hs(4, 20));
  await withStorage(dir, async (s) => {
    t.same(dump(s), dump(model));
    t.equal(s.firstIndex(), 21);
    t.equal(s.lastIndex(), 22);
  });
  t.same(await presentEntryKeys(dir, 1, 30), [21, 22], 'every entry of the old log is gone');
});

void t.test('load() shares a LevelDB opened by another user, under its own prefix', async (t) => {
  const dir = join(tempDir(t), 'db');
  const { storage: first, db } = await LevelRaftStorage.open(dir, { prefix: 'raft/' });
  await first.save({ hardState: hs(1, 1), entries: range(1, 3, 1) });
  // The MVCC state machine's keys, before and after the Raft prefix in key order.
  await db.put(new TextEncoder().encode('k/a'), new Uint8Array([1]));
  await db.put(new TextEncoder().encode('z'), new Uint8Array([2]));
  const second = await LevelRaftStorage.load(db, { prefix: 'raft/' });
  t.same(dump(second), dump(first));
  await second.save({ hardState: hs(1, 3), entries: [ent(4, 1)] });
  await second.close();
  t.equal(db.status, 'open', 'close() leaves a shared LevelDB open');
  t.same(await db.get(new TextEncoder().encode('k/a')), new Uint8Array([1]));
  const { Level } = await import('level');
  const utf8 = new Level(join(dir, '..', 'utf8'));
  t.type(await rejection(LevelRaftStorage.load(utf8 as unknown as RaftLevelDb)), AssertionError, 'load() refuses a LevelDB without byte encodings');
  await utf8.close();
  const other = await LevelRaftStorage.load(db, { prefix: 'other/' });
  t.equal(other.lastIndex(), 0, 'another prefix is another, empty, Raft state');
  await first.close();
});

void t.test('errors and assertions mirror MemoryStorage and the DurableStorage contract', async (t) => {
  const dir = join(tempDir(t), 'db');
  const { storage: s } = await LevelRaftStorage.open(dir);
  await s.save({ hardState: hs(2, 8), entries: range(1, 10, 2) });
  await s.createSnapshot(6, CS, bytes(5, 5));
  await s.compact(4);
  t.type(await rejection(s.compact(4)), CompactedError);
  t.type(await rejection(s.compact(7)), AssertionError, 'compaction beyond the snapshot');
  t.type(await rejection(s.createSnapshot(6, CS, bytes(5, 5))), SnapshotOutOfDateError);
  t.type(await rejection(s.createSnapshot(9, CS, bytes(5, 5))), AssertionError, 'snapshot beyond the commit index');
  const old: Snapshot = { metadata: { index: 5, term: 2, confState: CS }, data: new Uint8Array(0) };
  t.type(await rejection(s.save({ hardState: hs(2, 8), entries: [], snapshot: old })), SnapshotOutOfDateError);
  t.type(await rejection(s.save({ entries: [ent(12, 2)] })), AssertionError, 'a gap before the new entries');
  t.type(await rejection(s.save({ hardState: hs(3, 8), entries: [ent(8, 3)] })), AssertionError, 'overwriting a committed entry');
  t.type(await rejection(s.save({ hardState: hs(2, 12), entries: [] })), AssertionError, 'commit beyond the last index');
  t.type(await rejection(s.save({ entries: [ent(11, 3)] })), AssertionError, 'an entry term beyond the hard state term');
  const p = s.save({ hardState: hs(2, 9), entries: [] });
  t.type(await rejection(s.save({ hardState: hs(2, 10), entries: [] })), AssertionError, 'concurrent writes');
  await p;
  const before = dump(s);
  await s.close();
  t.type(await rejection(s.save({ hardState: hs(2, 10), entries: [] })), AssertionError, 'write after close');
  t.same(dump(s), before, 'failed writes changed nothing');
  const { storage: again } = await LevelRaftStorage.open(dir);
  t.same(dump(again), before);
  await again.close();
});
