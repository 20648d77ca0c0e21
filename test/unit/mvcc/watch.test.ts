// Watches: live events, catch-up from the history, slow consumers, compaction, progress, restore.
import t from 'tap';
import type { WatchResponse } from '../../../raft/index.js';
import { MemoryBackend, MvccStore } from '../../../raft/index.js';
import { ALL_FROM, Applier, dec, enc, eventSummary, onEachBackend, openStore, settle, WatchLog } from './helpers.js';

/** Checks that no revision's events are split over two responses. */
function revisionsWhole(responses: readonly WatchResponse[]): boolean {
  const seen = new Set<number>();
  for (const r of responses) {
    const mine = new Set(r.events.map((e) => e.kv.modRevision));
    for (const rev of mine) if (seen.has(rev)) return false;
    for (const rev of mine) seen.add(rev);
  }
  return true;
}

onEachBackend(t, 'live events: ranges and single keys, filters, prevKv, deletes, batched per dispatch', async (t, kind) => {
  const { a } = await openStore(t, kind);
  const all = new WatchLog();
  const one = new WatchLog();
  const noPut = new WatchLog();
  const prev = new WatchLog();
  a.store.watch({ key: enc('a'), rangeEnd: enc('b') }, 1, all.send);
  a.store.watch({ key: enc('a1') }, 2, one.send);
  a.store.watch({ key: enc('a'), rangeEnd: enc('b'), filters: ['NOPUT'] }, 3, noPut.send);
  a.store.watch({ key: enc('a'), rangeEnd: enc('b'), prevKv: true }, 4, prev.send);
  t.same(all.responses, [{ header: { clusterId: 0, memberId: 0, revision: 0, raftTerm: 0 }, watchId: 1, created: true, events: [] }], 'created first');
  a.put('a1', '1'); // 1
  a.put('a2', '1'); // 2
  a.put('b', '1'); // 3: outside
  a.put('a1', '2'); // 4
  a.del('a1'); // 5
  const r6 = a.txn({ compare: [], success: [{ requestPut: { key: enc('a3'), value: enc('x') } }, { requestPut: { key: enc('a4'), value: enc('y') } }], failure: [] }); // 6
  t.notOk(r6 instanceof Promise);
  t.equal(all.responses.length, 1, 'nothing is delivered inside apply');
  await settle(a.store);
  t.same(all.events(), ['PUT a1@1', 'PUT a2@2', 'PUT a1@4', 'DELETE a1@5', 'PUT a3@6', 'PUT a4@6']);
  t.equal(all.responses.length, 2, 'the revisions applied in one go travel in one response');
  t.equal(all.responses[1]!.header.revision, 6);
  t.same(one.events(), ['PUT a1@1', 'PUT a1@4', 'DELETE a1@5']);
  t.same(noPut.events(), ['DELETE a1@5']);
  t.same(prev.responses.flatMap(eventSummary), ['PUT a1@1=1', 'PUT a2@2=1', 'PUT a1@4=2 prev=1', 'DELETE a1@5 prev=2', 'PUT a3@6=x', 'PUT a4@6=y']);
  const delEvent = all.responses[1]!.events[3]!;
  t.same(
    { ...delEvent.kv, key: dec(delEvent.kv.key), value: delEvent.kv.value.length },
    { key: 'a1', createRevision: 0, modRevision: 5, version: 0, value: 0, lease: 0 },
    'a DELETE carries the key and the delete revision, nothing else',
  );
  t.notOk('prevKv' in all.responses[1]!.events[2]!, 'no prevKv unless asked');
  t.end();
});

/** The n-th write of a deterministic mix: puts, deletes, and now and then a 3-key txn (one revision, three events). */
async function writeOp(a: Applier, n: number): Promise<void> {
  if (n % 10 === 0) {
    await a.txn({ compare: [], success: [0, 1, 2].map((i) => ({ requestPut: { key: enc(`k${(n + i) % 40}`), value: enc(`${n}`) } })), failure: [] });
  } else if (n % 7 === 0) {
    a.del(`k${n % 40}`);
  } else {
    a.put(`k${n % 40}`, `${n}`);
  }
}

onEachBackend(t, 'catch-up from the history (backend and memory) then live, in order, without gaps or duplicates', async (t, kind) => {
  const { a } = await openStore(t, kind, { limits: { catchUpBatchRecords: 97, maxEventsPerWatchResponse: 50 } });
  for (let n = 1; n <= 2500; n++) {
    await writeOp(a, n);
    if (n % 700 === 0) await a.store.flush();
  }
  const log = new WatchLog();
  a.store.watch({ key: ALL_FROM, rangeEnd: ALL_FROM, startRevision: 1 }, 7, log.send);
  // Writes go on while the watcher catches up.
  for (let n = 2501; n <= 3500; n++) {
    await writeOp(a, n);
    if (n % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (n === 3000) await a.store.flush();
  }
  await settle(a.store);

  // The reference: the same writes on a store whose watcher was there from the start (all live).
  const twin = new Applier(await MvccStore.open(new MemoryBackend()));
  const reference = new WatchLog();
  twin.store.watch({ key: ALL_FROM, rangeEnd: ALL_FROM }, 1, reference.send);
  for (let n = 1; n <= 3500; n++) await writeOp(twin, n);
  await settle(twin.store);

  t.equal(a.store.revision, twin.store.revision);
  const got = log.events();
  const expected = reference.events();
  t.equal(got.length, expected.length, 'as many events as the live reference');
  t.ok(got.join('\n') === expected.join('\n'), 'the same events in the same order');
  t.ok(revisionsWhole(log.responses), 'no revision split across responses');
  t.ok(log.responses.every((r) => r.events.length <= 52), 'responses bounded (50, plus the rest of a revision)');
  t.ok(log.responses.length > 40, 'the catch-up came in many rounds');
  t.equal(a.store.watcherCount, 1);
  t.end();
});

onEachBackend(t, 'a slow consumer: held events up to the bound, then catch-up from the history; nothing lost', async (t, kind) => {
  const { a } = await openStore(t, kind, { limits: { watcherBufferEvents: 50 } });
  const log = new WatchLog();
  const w = a.store.watch({ key: enc('k'), rangeEnd: enc('l') }, 1, log.send);
  a.put('k0', '0');
  log.accept = false;
  await settle(a.store);
  t.equal(log.responses.length, 2, 'created + first events; the consumer said stop');
  for (let i = 1; i <= 30; i++) a.put(`k${i % 5}`, `${i}`);
  await settle(a.store);
  t.equal(log.responses.length, 2, 'nothing sent while blocked');
  log.accept = true;
  w.resume();
  await settle(a.store);
  t.same(log.revisions(), Array.from({ length: 31 }, (_, i) => i + 1), 'the held events, after resume');
  log.accept = false;
  a.put('k9', 'x');
  await settle(a.store);
  for (let i = 0; i < 300; i++) a.put(`k${i % 7}`, `${i}`);
  await a.store.flush();
  for (let i = 0; i < 100; i++) a.put(`k${i % 3}`, `${i}`);
  await settle(a.store);
  const sentWhileBlocked = log.responses.length;
  log.accept = true;
  w.resume();
  await settle(a.store);
  t.ok(sentWhileBlocked <= 4, 'blocked watchers do not get responses');
  t.same(log.revisions(), Array.from({ length: 432 }, (_, i) => i + 1), 'past the bound: re-read from the history, no gap, no duplicate');
  t.ok(revisionsWhole(log.responses));
  a.put('k1', 'live');
  await settle(a.store);
  t.equal(log.revisions().at(-1), 433, 'live again afterwards');
  t.end();
});

onEachBackend(t, 'watching from a compacted revision: created, then canceled with compactRevision', async (t, kind) => {
  const { a } = await openStore(t, kind);
  for (let i = 1; i <= 10; i++) a.put('k', String(i));
  a.compact(5);
  await a.store.compactionDone();
  const old = new WatchLog();
  a.store.watch({ key: enc('k'), startRevision: 3 }, 1, old.send);
  t.same(
    old.responses.map((r) => ({ created: r.created, canceled: r.canceled, compactRevision: r.compactRevision })),
    [
      { created: true, canceled: undefined, compactRevision: undefined },
      { created: undefined, canceled: true, compactRevision: 5 },
    ],
  );
  t.equal(a.store.watcherCount, 0);
  const fromCompacted = new WatchLog();
  a.store.watch({ key: enc('k'), startRevision: 5 }, 2, fromCompacted.send);
  await settle(a.store);
  t.same(fromCompacted.revisions(), [5, 6, 7, 8, 9, 10], 'the compacted revision itself is still watchable');
  t.end();
});

onEachBackend(t, 'a blocked watcher that fell behind a compaction is canceled with compactRevision on resume', async (t, kind) => {
  const { a } = await openStore(t, kind, { limits: { watcherBufferEvents: 5 } });
  const log = new WatchLog();
  const w = a.store.watch({ key: enc('k') }, 1, log.send);
  a.put('k', '1');
  log.accept = false;
  await settle(a.store);
  for (let i = 2; i <= 20; i++) a.put('k', String(i));
  await settle(a.store);
  a.compact(15);
  log.accept = true;
  w.resume();
  await settle(a.store);
  const last = log.responses.at(-1)!;
  t.same({ canceled: last.canceled, compactRevision: last.compactRevision }, { canceled: true, compactRevision: 15 });
  t.same(log.revisions(), [1]);
  t.end();
});

onEachBackend(t, 'progress: immediate when synced, after the catch-up when not; periodic for progressNotify', async (t, kind) => {
  const { a } = await openStore(t, kind, { limits: { catchUpBatchRecords: 10 } });
  for (let i = 1; i <= 100; i++) a.put(`k${i % 10}`, String(i));
  await a.store.flush();
  const synced = new WatchLog();
  const ws = a.store.watch({ key: enc('k'), rangeEnd: enc('l') }, 1, synced.send);
  ws.requestProgress();
  t.same(synced.responses.at(-1), { header: { clusterId: 0, memberId: 0, revision: 100, raftTerm: 0 }, watchId: 1, events: [] });
  const behind = new WatchLog();
  behind.accept = false;
  const wb = a.store.watch({ key: enc('k'), rangeEnd: enc('l'), startRevision: 1 }, 2, behind.send);
  await settle(a.store);
  wb.requestProgress();
  t.ok(behind.responses.every((r) => r.created === true || r.events.length > 0), 'no progress while behind');
  behind.accept = true;
  wb.resume();
  await settle(a.store);
  const lastTwo = behind.responses.slice(-2);
  t.equal(lastTwo[0]!.events.at(-1)!.kv.modRevision, 100, 'every event first');
  t.same({ events: lastTwo[1]!.events.length, revision: lastTwo[1]!.header.revision }, { events: 0, revision: 100 }, 'then the progress');
  const periodic = new WatchLog();
  a.store.watch({ key: enc('p'), progressNotify: true }, 3, periodic.send);
  const busy = new WatchLog();
  a.store.watch({ key: enc('k1'), progressNotify: true }, 4, busy.send);
  a.put('k1', 'x');
  await settle(a.store);
  a.store.notifyWatchProgress();
  t.same(periodic.responses.at(-1), { header: { clusterId: 0, memberId: 0, revision: 101, raftTerm: 0 }, watchId: 3, events: [] }, 'an idle watcher gets a progress notification');
  t.equal(busy.responses.at(-1)!.events.length, 1, 'a watcher that got events since the last round does not');
  a.store.notifyWatchProgress();
  t.equal(busy.responses.at(-1)!.events.length, 0, 'the next round it does');
  t.end();
});

onEachBackend(t, 'cancel, future start revisions, and prevKv on catch-up events', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.put('k', '1');
  a.put('k', '2');
  await a.store.flush();
  a.put('k', '3');
  const hist = new WatchLog();
  a.store.watch({ key: enc('k'), startRevision: 1, prevKv: true }, 1, hist.send);
  await settle(a.store);
  t.same(hist.responses.flatMap(eventSummary), ['PUT k@1=1', 'PUT k@2=2 prev=1', 'PUT k@3=3 prev=2']);
  const fromCurrent = new WatchLog();
  a.store.watch({ key: enc('k'), startRevision: 3 }, 3, fromCurrent.send);
  await settle(a.store);
  t.same(fromCurrent.revisions(), [3], 'from exactly the current revision: its event, from the history');
  const future = new WatchLog();
  const wf = a.store.watch({ key: enc('k'), startRevision: 6 }, 2, future.send);
  for (let i = 4; i <= 7; i++) a.put('k', String(i));
  await settle(a.store);
  t.same(future.revisions(), [6, 7]);
  wf.cancel();
  t.same(future.responses.at(-1), { header: { clusterId: 0, memberId: 0, revision: 7, raftTerm: 0 }, watchId: 2, canceled: true, events: [] });
  a.put('k', '8');
  await settle(a.store);
  t.same(future.revisions(), [6, 7], 'nothing after cancel');
  t.equal(a.store.watcherCount, 2);
  t.end();
});

void t.test('a consumer may cancel its watcher from inside send: nothing more is sent', async (t) => {
  const a = new Applier(await MvccStore.open(new MemoryBackend(), { limits: { maxEventsPerWatchResponse: 2 } }));
  for (let i = 1; i <= 10; i++) a.put('k', String(i));
  const got: WatchResponse[] = [];
  const w = a.store.watch({ key: enc('k'), startRevision: 1 }, 1, (resp) => {
    got.push(resp);
    if (resp.events.length > 0) w.cancel();
  });
  await settle(a.store);
  t.same(
    got.map((r) => ({ created: r.created === true, canceled: r.canceled === true, events: r.events.length })),
    [
      { created: true, canceled: false, events: 0 },
      { created: false, canceled: false, events: 2 },
      { created: false, canceled: true, events: 0 },
    ],
  );
  t.end();
});

void t.test('restore: open watchers catch up from the restored history', async (t) => {
  const source = new Applier(await MvccStore.open(new MemoryBackend()));
  for (let i = 1; i <= 20; i++) source.put(`k${i % 3}`, String(i));
  const target = new Applier(await MvccStore.open(new MemoryBackend()));
  target.put('k0', 'old');
  const log = new WatchLog();
  target.store.watch({ key: enc('k'), rangeEnd: enc('l') }, 1, log.send);
  await settle(target.store);
  await target.store.restore(await source.store.snapshot(), 50);
  await settle(target.store);
  t.same(log.revisions(), Array.from({ length: 19 }, (_, i) => i + 2), 'revisions 2..20 of the restored history');
  source.compact(10);
  const compacted = new Applier(await MvccStore.open(new MemoryBackend()));
  const late = new WatchLog();
  compacted.store.watch({ key: enc('k'), rangeEnd: enc('l') }, 1, late.send);
  await compacted.store.restore(await source.store.snapshot(), 60);
  await settle(compacted.store);
  t.same({ canceled: late.responses.at(-1)!.canceled, compactRevision: late.responses.at(-1)!.compactRevision }, { canceled: true, compactRevision: 10 });
  t.end();
});
