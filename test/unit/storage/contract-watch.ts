/** Contract: watch — initial state, history, predicates, compaction, bookmarks, flow control. */
import type { Test } from 'tap';
import type { StorageObject, StorageWatchEvent, StorageWatchOptions } from '../../../core/index.js';
import { INITIAL_EVENTS_END_ANNOTATION, StorageInvalidResourceVersionError, StorageWatchOverflowError } from '../../../core/index.js';
import type { StorageFixture } from './contract-helpers.js';
import { freshScope, labelsOf, nameOf, podObject, rvOf, specOf } from './contract-helpers.js';
import { settle, WatchRecorder } from './watch-recorder.js';

/** [type, name] of each event, the usual thing to compare. */
function brief(events: readonly StorageWatchEvent[]): [string, string][] {
  return events.map((e) => [e.type, e.type === 'BOOKMARK' || e.type === 'ERROR' ? '' : nameOf(e.object)]);
}

export async function watchContract(t: Test, fx: StorageFixture): Promise<void> {
  const s = fx.storage;
  const watch = async (t: Test, key: string, options: StorageWatchOptions): Promise<WatchRecorder & { stop: () => void; pause: () => void; resume: () => void }> => {
    const w = new WatchRecorder(fx.waitMs);
    const handle = await s.watch(key, options, w.onEvent, w.onError);
    t.teardown(() => handle.stop());
    return Object.assign(w, { stop: () => handle.stop(), pause: () => handle.pause(), resume: () => handle.resume() });
  };

  for (const resourceVersion of ['', '0']) {
    await t.test(`resourceVersion '${resourceVersion}': the current state as ADDED, then every change`, async (t) => {
      const scope = freshScope();
      const a = await s.create(`${scope}/pods/ns/a`, podObject('a'));
      const b = await s.create(`${scope}/pods/ns/b`, podObject('b'));
      const w = await watch(t, `${scope}/pods`, { resourceVersion, recursive: true });
      const initial = await w.take(2);
      t.same(brief(initial), [['ADDED', 'a'], ['ADDED', 'b']]);
      t.same(initial.map((e) => rvOf(e.object)), [rvOf(a), rvOf(b)], 'each at its own revision');
      const c = await s.create(`${scope}/pods/ns/c`, podObject('c'));
      await s.guaranteedUpdate(`${scope}/pods/ns/a`, (o) => ({ ...o!, spec: { n: 1 } }));
      await s.delete(`${scope}/pods/ns/b`);
      const live = await w.take(3);
      t.same(brief(live), [['ADDED', 'c'], ['MODIFIED', 'a'], ['DELETED', 'b']]);
      t.equal(rvOf(live[0]!.object), rvOf(c));
      t.ok(rvOf(live[1]!.object) < rvOf(live[2]!.object), 'in revision order');
    });
  }

  await t.test('resourceVersion N: the changes after N, replayed from history, then live', async (t) => {
    const scope = freshScope();
    const key = `${scope}/pods/ns/a`;
    const v1 = await s.create(key, podObject('a', {}, { n: 1 }));
    const v2 = await s.guaranteedUpdate(key, (o) => ({ ...o!, spec: { n: 2 } }));
    await s.create(`${scope}/pods/ns/b`, podObject('b'));
    const w = await watch(t, `${scope}/pods`, { resourceVersion: String(rvOf(v1)), recursive: true });
    const replay = await w.take(2);
    t.same(brief(replay), [['MODIFIED', 'a'], ['ADDED', 'b']], 'no initial state: only what happened after N');
    t.equal(rvOf(replay[0]!.object), rvOf(v2));
    t.equal(specOf(replay[0]!.object).n, 2);
    await s.create(`${scope}/pods/ns/c`, podObject('c'));
    t.same(brief([await w.next()]), [['ADDED', 'c']]);
  });

  await t.test('DELETED carries the last state, stamped with the deleting revision', async (t) => {
    const scope = freshScope();
    const created = await s.create(`${scope}/pods/ns/a`, podObject('a', {}, { last: 'state' }));
    const w = await watch(t, `${scope}/pods`, { resourceVersion: String(rvOf(created)), recursive: true });
    const deleted = await s.delete(`${scope}/pods/ns/a`);
    const e = await w.next();
    t.equal(e.type, 'DELETED');
    t.same(specOf(e.object), { last: 'state' });
    t.equal(rvOf(e.object), rvOf(deleted));
    t.ok(rvOf(e.object) > rvOf(created));
  });

  await t.test('a predicate turns changes across the selection into ADDED and DELETED', async (t) => {
    const scope = freshScope();
    const web = (o: StorageObject): boolean => labelsOf(o).app === 'web';
    const start = await s.currentRevision();
    const w = await watch(t, `${scope}/pods`, { resourceVersion: String(start), recursive: true, predicate: web });
    const relabel = (name: string, app: string): Promise<StorageObject> =>
      s.guaranteedUpdate(`${scope}/pods/ns/${name}`, (o) => ({ ...o!, metadata: { ...(o!.metadata as object), labels: { app } } }));
    await s.create(`${scope}/pods/ns/a`, podObject('a', { app: 'web' }));
    await s.create(`${scope}/pods/ns/b`, podObject('b', { app: 'db' }));
    await relabel('b', 'web');
    const aLeaves = await relabel('a', 'db');
    await s.guaranteedUpdate(`${scope}/pods/ns/a`, (o) => ({ ...o!, spec: { unseen: true } }));
    await s.guaranteedUpdate(`${scope}/pods/ns/b`, (o) => ({ ...o!, spec: { seen: true } }));
    await s.delete(`${scope}/pods/ns/a`);
    await s.delete(`${scope}/pods/ns/b`);
    const events = await w.take(5);
    t.same(brief(events), [
      ['ADDED', 'a'],
      ['ADDED', 'b'],
      ['DELETED', 'a'],
      ['MODIFIED', 'b'],
      ['DELETED', 'b'],
    ]);
    t.equal(labelsOf(events[2]!.object).app, 'web', 'an object leaving the selection is DELETED in its last matching state');
    t.equal(rvOf(events[2]!.object), rvOf(aLeaves), '… at the revision it left');
    await settle();
    t.equal(w.pending, 0, 'nothing for changes outside the selection');
  });

  await t.test('a watch of one key sees that key only', async (t) => {
    const scope = freshScope();
    const start = await s.currentRevision();
    const w = await watch(t, `${scope}/pods/ns/a`, { resourceVersion: String(start), recursive: false });
    await s.create(`${scope}/pods/ns/ab`, podObject('ab'));
    await s.create(`${scope}/pods/ns/a/x`, podObject('x'));
    await s.create(`${scope}/pods/ns/a`, podObject('a'));
    t.same(brief([await w.next()]), [['ADDED', 'a']]);
  });

  await t.test('a compacted resourceVersion ends the watch with one ERROR event: 410 Expired', async (t) => {
    const scope = freshScope();
    const old = rvOf(await s.create(`${scope}/pods/ns/a`, podObject('a')));
    await s.create(`${scope}/pods/ns/b`, podObject('b'));
    await s.create(`${scope}/pods/ns/c`, podObject('c'));
    const compactedAt = await s.currentRevision();
    await s.compact(compactedAt);
    const w = await watch(t, `${scope}/pods`, { resourceVersion: String(old - 1), recursive: true });
    const e = await w.next();
    t.equal(e.type, 'ERROR');
    t.match(e.object, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
    t.match(String(e.object.message), new RegExp(`^too old resource version: ${old - 1} \\(\\d+\\)$`));
    await s.create(`${scope}/pods/ns/d`, podObject('d'));
    await settle();
    t.equal(w.pending, 0, 'nothing after the ERROR event');
    t.same(w.errors, []);
    const fresh = await watch(t, `${scope}/pods`, { resourceVersion: String(compactedAt), recursive: true });
    await s.create(`${scope}/pods/ns/e`, podObject('e'));
    const next = await fresh.next();
    t.same(brief([next]), [['ADDED', 'd']], 'watching from the compacted revision itself works');
  });

  await t.test('bookmarks: only with allowWatchBookmarks, carrying only the resourceVersion', async (t) => {
    const scope = freshScope();
    const start = await s.currentRevision();
    const plain = await watch(t, `${scope}/pods`, { resourceVersion: String(start), recursive: true });
    const marked = await watch(t, `${scope}/pods`, { resourceVersion: String(start), recursive: true, allowWatchBookmarks: true });
    const a = await s.create(`${scope}/pods/ns/a`, podObject('a'));
    // Against a real store the interval is real time: on a loaded machine a bookmark (at the
    // watch's start) may come before the create's event.
    let first = await marked.next();
    while (first.type === 'BOOKMARK') first = await marked.next();
    t.same(brief([first]), [['ADDED', 'a']]);
    await fx.elapse(fx.bookmarkIntervalMs * 2);
    const bookmark = await marked.next();
    t.equal(bookmark.type, 'BOOKMARK');
    t.same(Object.keys(bookmark.object), ['metadata']);
    t.same(Object.keys(bookmark.object.metadata as object), ['resourceVersion']);
    t.ok(rvOf(bookmark.object) >= rvOf(a), 'no older than what was delivered');
    await s.create(`${scope}/pods/ns/b`, podObject('b'));
    t.same(brief(await plain.take(2)), [['ADDED', 'a'], ['ADDED', 'b']], 'no bookmark without allowWatchBookmarks');
  });

  await t.test('sendInitialEvents: the state, then a BOOKMARK marking its end; false: no state', async (t) => {
    const scope = freshScope();
    const a = await s.create(`${scope}/pods/ns/a`, podObject('a'));
    const list = await watch(t, `${scope}/pods`, { resourceVersion: '', recursive: true, sendInitialEvents: true, allowWatchBookmarks: true });
    const [added, end] = await list.take(2);
    t.same(brief([added!]), [['ADDED', 'a']]);
    t.equal(end!.type, 'BOOKMARK');
    t.same((end!.object.metadata as { annotations?: unknown }).annotations, { [INITIAL_EVENTS_END_ANNOTATION]: 'true' });
    t.ok(rvOf(end!.object) >= rvOf(a));
    const none = await watch(t, `${scope}/pods`, { resourceVersion: '', recursive: true, sendInitialEvents: false });
    await s.create(`${scope}/pods/ns/b`, podObject('b'));
    t.same(brief([await none.next()]), [['ADDED', 'b']], 'sendInitialEvents=false starts at the latest revision');
    t.same(brief([await list.next()]), [['ADDED', 'b']]);
  });

  await t.test('a malformed resourceVersion is refused before the watch starts', async (t) => {
    await t.rejects(s.watch(freshScope(), { resourceVersion: 'x1', recursive: true }, () => undefined, () => undefined), StorageInvalidResourceVersionError);
  });

  await t.test('pause holds events in order; resume delivers them', async (t) => {
    const scope = freshScope();
    const w = await watch(t, `${scope}/pods`, { resourceVersion: String(await s.currentRevision()), recursive: true });
    w.pause();
    const n = Math.max(1, fx.watchMaxPendingEvents - 1);
    for (let i = 0; i < n; i++) await s.create(`${scope}/pods/ns/p${i}`, podObject(`p${i}`));
    await settle();
    t.equal(w.pending, 0, 'nothing while paused');
    w.resume();
    t.same(brief(await w.take(n)).map(([, name]) => name), Array.from({ length: n }, (_, i) => `p${i}`));
  });

  await t.test('a consumer more than watchMaxPendingEvents behind is ended with StorageWatchOverflowError', async (t) => {
    const scope = freshScope();
    const w = await watch(t, `${scope}/pods`, { resourceVersion: String(await s.currentRevision()), recursive: true });
    w.pause();
    for (let i = 0; i <= fx.watchMaxPendingEvents + 1; i++) await s.create(`${scope}/pods/ns/p${i}`, podObject(`p${i}`));
    const err = await w.error();
    t.ok(err instanceof StorageWatchOverflowError, err.message);
    t.equal(w.events.length, 0, 'the backlog is dropped, not delivered');
  });

  await t.test('stop ends delivery at once', async (t) => {
    const scope = freshScope();
    const rv = String(await s.currentRevision());
    const stopped = await watch(t, `${scope}/pods`, { resourceVersion: rv, recursive: true });
    const running = await watch(t, `${scope}/pods`, { resourceVersion: rv, recursive: true });
    stopped.stop();
    stopped.stop();
    await s.create(`${scope}/pods/ns/a`, podObject('a'));
    t.same(brief([await running.next()]), [['ADDED', 'a']]);
    await settle();
    t.same(stopped.events, []);
    t.same(stopped.errors, []);
  });
}
