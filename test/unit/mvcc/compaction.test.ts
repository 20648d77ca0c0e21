// Compaction: what reads see before and after, what the backend keeps, resuming after a restart,
// and reads in flight that a compaction must not pull the records from under.
import t from 'tap';
import { FutureRevisionError, MemoryBackend, MvccStore, RevisionCompactedError } from '../../../raft/index.js';
import { Applier, caught, GatedBackend, kvPairs, onEachBackend, openStore, recordCount, rejected, settle } from './helpers.js';

/** a@1=1 a@2=2 a@3=3 b@4=1 del a@5 c@6=1 c@7=2 */
function writeHistory(a: Applier): void {
  a.put('a', '1');
  a.put('a', '2');
  a.put('a', '3');
  a.put('b', '1');
  a.del('a');
  a.put('c', '1');
  a.put('c', '2');
}

onEachBackend(t, 'reads before and after compaction; the backend keeps exactly the records reads can need', async (t, kind) => {
  const { host, a } = await openStore(t, kind);
  writeHistory(a);
  await a.store.flush();
  t.equal(await recordCount(host.backend), 7);
  const before = await Promise.all([3, 4, 5, 6, 7].map((rev) => a.all(rev)));
  t.same(a.compact(3).header.revision, 7);
  t.equal(a.store.compactRevision, 3);
  t.type(await rejected(a.all(2)), RevisionCompactedError, 'below the compacted revision');
  await a.store.compactionDone();
  t.same(await Promise.all([3, 4, 5, 6, 7].map((rev) => a.all(rev))), before, 'reads at and after it are unchanged');
  t.same(await a.all(3), ['a=3']);
  t.equal(await recordCount(host.backend), 5, 'a@1 and a@2 are gone');
  a.compact(5);
  await a.store.compactionDone();
  t.same(await a.all(5), ['b=1']);
  t.equal(await recordCount(host.backend), 3, 'a, deleted at the compaction point, is gone entirely (tombstone too)');
  t.equal(a.store.indexedKeys, 2, 'and so is its key index entry');
  a.compact(7);
  await a.store.compactionDone();
  t.same(await a.all(7), ['b=1', 'c=2']);
  t.equal(await recordCount(host.backend), 2);
  t.type(caught(() => a.compact(7)), RevisionCompactedError, 'at the compacted revision');
  t.type(caught(() => a.compact(8)), FutureRevisionError, 'past the current revision');
  t.end();
});

onEachBackend(t, 'hashKV does not depend on how far the background compaction got; a cut-short compaction resumes at open', async (t, kind) => {
  const done = await openStore(t, kind);
  const cut = await openStore(t, kind);
  for (const { a } of [done, cut]) {
    for (let i = 0; i < 300; i++) a.put(`k${i % 17}`, `${i}`);
    a.del('k3');
    await a.store.flush();
  }
  done.a.compact(200);
  cut.a.compact(200);
  const closing = cut.a.store.close(); // stops the compaction before it deletes anything
  await done.a.store.compactionDone();
  await closing;
  const full = await recordCount(cut.host.backend);
  t.equal(full, 301, 'the cut-short store still holds every record');
  t.ok((await recordCount(done.host.backend)) < 120, 'the finished one does not');
  t.equal((await cut.a.store.hashKV()).hash, (await done.a.store.hashKV()).hash, 'same hash, whatever the physical progress');
  t.equal((await cut.a.store.hashKV(250)).hash, (await done.a.store.hashKV(250)).hash);
  await cut.host.restart();
  const reopened = await MvccStore.open(cut.host.backend);
  t.equal(reopened.compactRevision, 200);
  await reopened.compactionDone();
  t.equal(await recordCount(cut.host.backend), await recordCount(done.host.backend), 'resumed and finished at open');
  t.equal((await reopened.hashKV()).hash, (await done.a.store.hashKV()).hash);
  t.type(await rejected(reopened.hashKV(200)), RevisionCompactedError, 'hashKV at the compacted revision (etcd)');
  t.end();
});

void t.test('a read in flight keeps its records until it is done, even when a compaction is applied meanwhile', async (t) => {
  const gated = new GatedBackend(new MemoryBackend());
  const a = new Applier(await MvccStore.open(gated));
  for (let i = 1; i <= 5; i++) a.put('k', String(i));
  await a.store.flush();
  gated.closeGate();
  const read = a.get('k', { revision: 2 });
  await settle();
  t.equal(gated.readsWaiting, 1, 'the historical read waits in the backend');
  a.compact(4);
  await settle();
  t.equal(await recordCount(gated), 5, 'the compaction waits for it');
  gated.openGate();
  t.same(kvPairs((await read).kvs), ['k=2'], 'the read saw its record');
  await a.store.compactionDone();
  t.equal(await recordCount(gated), 2);
  t.type(await rejected(a.get('k', { revision: 2 })), RevisionCompactedError);
  t.end();
});

onEachBackend(t, 'dbSizeInUse shrinks with compaction; dbSize covers it', async (t, kind) => {
  const { a } = await openStore(t, kind);
  const value = 'x'.repeat(256);
  for (let i = 0; i < 1000; i++) a.put(`key${i % 10}`, value);
  await a.store.flush();
  const inUse = a.store.dbSizeInUse();
  t.ok(inUse > 1000 * 256, `in use ${inUse}`);
  t.ok((await a.store.dbSize()) >= inUse);
  a.compact(1000);
  await a.store.compactionDone();
  t.ok(a.store.dbSizeInUse() < inUse / 50, `in use after compaction ${a.store.dbSizeInUse()}`);
  t.end();
});

onEachBackend(t, 'a compaction is paced: it pauses between batches, and deletes batch by batch', async (t, kind) => {
  const { host, a } = await openStore(t, kind, { limits: { compactionBatchRecords: 50, compactionSleepMs: 100 } });
  for (let i = 0; i < 300; i++) a.put(`k${i % 10}`, `${i}`);
  await a.store.flush();
  t.equal(await recordCount(host.backend), 300);
  const started = performance.now();
  a.compact(290);
  // Six batches of 50, 100 ms apart: once the first batch's deletes are in, most records are still there.
  let midway = 300;
  while (midway === 300) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    midway = await recordCount(host.backend);
  }
  t.ok(midway > 100, `deleted batch by batch (${midway} records left after the first)`);
  await a.store.compactionDone();
  const tookMs = performance.now() - started;
  t.ok(tookMs >= 5 * 100, `five pauses of at least 100 ms between six batches (took ${tookMs.toFixed(0)} ms)`);
  t.equal(await recordCount(host.backend), 20, 'what is left: each key at 290 and after');
  t.same(await a.all(), Array.from({ length: 10 }, (_, i) => `k${i}=${290 + i}`).sort());
  t.end();
});
