// A write that fails for lack of space is a DiskFullError and changes nothing, on disk or in
// memory. The first test injects LevelDB's error; the second fills a real (tiny) tmpfs, and
// runs only where the test may mount one (as root).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RaftLevelDb } from '../../../raft/index.js';
import { DiskFullError, LevelRaftStorage } from '../../../raft/index.js';
import { bytes, dump, ent, hs, range, rejection, tempDir } from './helpers.js';

/** The error classic-level gives when the write-ahead log cannot grow (seen on a full tmpfs). */
function levelNoSpace(dir: string): Error {
  return Object.assign(new Error(`IO error: ${dir}/000003.log: No space left on device`), { code: 'LEVEL_IO_ERROR' });
}

/** Makes every batch written to `db` fail with `err`; returns the undo. */
function failBatches(db: RaftLevelDb, err: Error): () => void {
  const original = db.batch.bind(db);
  const failing = { put: () => failing, del: () => failing, write: () => Promise.reject(err), close: () => Promise.resolve() };
  (db as { batch: unknown }).batch = () => failing;
  return () => {
    (db as { batch: unknown }).batch = original;
  };
}

void t.test('an injected ENOSPC from LevelDB: DiskFullError naming the file, nothing changed', async (t) => {
  const dir = join(tempDir(t), 'db');
  const { storage, db } = await LevelRaftStorage.open(dir);
  await storage.save({ hardState: hs(1, 5), entries: range(1, 10, 1) });
  await storage.createSnapshot(4, { voters: [1], learners: [] }, bytes(100, 1));
  const before = dump(storage);

  const undo = failBatches(db, levelNoSpace(dir));
  const writes: Array<[string, () => Promise<unknown>]> = [
    ['save', () => storage.save({ hardState: hs(2, 8), entries: range(8, 12, 2) })],
    ['createSnapshot', () => storage.createSnapshot(5, { voters: [1], learners: [] }, bytes(10, 2))],
    ['compact', () => storage.compact(3)],
  ];
  for (const [name, write] of writes) {
    const err = await rejection(write());
    t.type(err, DiskFullError, name);
    t.equal((err as DiskFullError).file, `${dir}/000003.log`);
    t.equal((err as DiskFullError).location, dir);
    t.same(dump(storage), before, `a failed ${name} changed nothing in memory`);
  }
  undo();

  await storage.save({ hardState: hs(2, 8), entries: range(8, 12, 2) });
  t.equal(storage.lastIndex(), 12, 'writes work again once the disk has room');
  await storage.close();
});

void t.test('errors other than disk full and corruption pass through unchanged', async (t) => {
  const dir = join(tempDir(t), 'db');
  const { storage, db } = await LevelRaftStorage.open(dir);
  const other = Object.assign(new Error('IO error: something else'), { code: 'LEVEL_IO_ERROR' });
  failBatches(db, other);
  t.equal(await rejection(storage.save({ hardState: hs(1, 0), entries: [ent(1, 1)] })), other);
  await storage.close();
});

/** Mounts a tmpfs of `size` at a new dir; undefined where that is not allowed. */
function mountTmpfs(t: Parameters<typeof tempDir>[0], size: string): string | undefined {
  const dir = join(tempDir(t, 'raft-storage-tmpfs'), 'mnt');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  t.teardown(() => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
  return dir;
}

const root = process.platform === 'linux' && process.getuid?.() === 0;

void t.test('a really full disk: the failed save is not visible after reopening', { skip: root ? false : 'needs root to mount a tmpfs' }, async (t) => {
  const mnt = mountTmpfs(t, '4m');
  if (mnt === undefined) {
    t.pass('skipped: mounting a tmpfs is not allowed here');
    return;
  }
  const dir = join(mnt, 'db');
  const filler = join(mnt, 'filler');
  let { storage }: { storage: LevelRaftStorage; db?: RaftLevelDb } = await LevelRaftStorage.open(dir);
  writeFileSync(filler, new Uint8Array(3 * 1024 * 1024));
  let err: unknown;
  let acked = dump(storage);
  for (let i = 1; i < 10_000 && err === undefined; i += 8) {
    const big = Array.from({ length: 8 }, (_, k) => ent(i + k, 1, 'normal', bytes(8 * 1024, i + k)));
    err = await rejection(storage.save({ hardState: hs(1, i - 1), entries: big }));
    if (err === undefined) acked = dump(storage);
  }
  t.type(err, DiskFullError);
  t.match((err as Error).message, /^no space left on device writing the Raft log in \S+\.log$/);
  t.same(dump(storage), acked, 'memory holds what the last successful save wrote');
  await storage.close();
  rmSync(filler);
  ({ storage } = await LevelRaftStorage.open(dir));
  t.same(dump(storage), acked, 'so does the disk, once there is room to open it');
  await storage.save({ hardState: hs(1, storage.lastIndex()), entries: [ent(storage.lastIndex() + 1, 1)] });
  await storage.close();
});
