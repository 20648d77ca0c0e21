// The Watch stream through a gRPC client built from the same protos: what etcdctl cannot reach
// (watch_id, duplicate ids, progress requests, filters, fragments, progress_notify) and how a
// stream ends (client cancel, slow reader).
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { DUPLICATE_WATCH_ID_REASON, INVALID_WATCH_ID } from '../../../transport/index.js';
import type { WireWatchResponse } from './harness.js';
import { bytes, call, etcdClients, openWatch, startServer, text, waitUntil } from './harness.js';

const created = (id: number) => (r: WireWatchResponse) => r.created && r.watchId === id;
const eventsFor = (id: number) => (r: WireWatchResponse) => r.watchId === id && r.events.length > 0;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void t.test('watch ids belong to the stream: auto from 0, chosen, duplicates refused', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const w = openWatch(t, c);
  w.send({ createRequest: { key: bytes('a') } });
  w.send({ createRequest: { key: bytes('a') } });
  w.send({ createRequest: { key: bytes('a'), watchId: 7 } });
  w.send({ createRequest: { key: bytes('b'), watchId: 7 } });
  w.send({ createRequest: { key: bytes('a') } });
  await w.waitFor((r) => r.canceled);
  await w.waitFor(created(2));
  const creates = w.responses.filter((r) => r.created);
  t.same(
    creates.map((r) => [r.watchId, r.canceled, r.cancelReason]),
    [
      [0, false, ''],
      [1, false, ''],
      [7, false, ''],
      [INVALID_WATCH_ID, true, DUPLICATE_WATCH_ID_REASON],
      [2, false, ''],
    ],
  );
  t.equal(creates[0]?.header.memberId, h.fake.header().memberId, 'headers come from the store');

  await call(c.kv, 'Put', { key: bytes('a'), value: bytes('1') });
  for (const id of [0, 1, 2, 7]) {
    const r = await w.waitFor(eventsFor(id));
    t.same(r.events.map((e) => [e.type, text(e.kv.key), text(e.kv.value)]), [['PUT', 'a', '1']], `watcher ${id} sees the put`);
  }
  t.notOk(
    w.responses.some((r) => r.watchId >= 1000),
    'the store\'s own watch ids never reach the client',
  );
});

void t.test('cancel is answered exactly once, whether or not the store confirms it', async (t) => {
  for (const confirmCancel of [true, false]) {
    await t.test(`store confirms: ${confirmCancel}`, async (t) => {
      const h = await startServer(t, { store: { confirmCancel } });
      const c = etcdClients(t, h);
      const w = openWatch(t, c);
      w.send({ createRequest: { key: bytes('k'), watchId: 5 } });
      w.send({ createRequest: { key: bytes('k') } });
      await w.waitFor(created(0));
      w.send({ cancelRequest: { watchId: 5 } });
      const canceled = await w.waitFor((r) => r.canceled);
      t.equal(canceled.watchId, 5);
      t.equal(canceled.header.clusterId, h.fake.header().clusterId, 'the confirmation carries a header');
      w.send({ cancelRequest: { watchId: 5 } }); // unknown now: no answer
      await call(c.kv, 'Put', { key: bytes('k'), value: bytes('v') });
      await w.waitFor(eventsFor(0));
      await sleep(50);
      t.equal(w.responses.filter((r) => r.watchId === 5 && r.canceled).length, 1, 'one canceled response');
      t.notOk(w.responses.some(eventsFor(5)), 'no events after the cancel');
      t.equal(h.fake.watcherCount, 1, 'the store watcher is gone');
      const before = w.responses.length;
      w.send({ createRequest: { key: bytes('k'), watchId: 5 } });
      t.notOk((await w.waitFor((r) => r.created, before)).canceled, 'a canceled id may be chosen again');
    });
  }
});

void t.test('a progress request is answered once for the stream, with id -1 and the revision', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const w = openWatch(t, c);
  w.send({ progressRequest: {} });
  w.send({}); // an empty request is ignored, as etcd does
  w.send({ createRequest: { key: bytes('x') } });
  w.send({ createRequest: { key: bytes('y') } });
  await w.waitFor(created(1));
  t.equal(w.responses.length, 2, 'no answer to a progress request on a stream without watchers');
  await call(c.kv, 'Put', { key: bytes('z'), value: bytes('1') });
  w.send({ progressRequest: {} });
  const progress = await w.waitFor((r) => r.watchId === INVALID_WATCH_ID);
  t.equal(progress.header.revision, h.fake.revision);
  t.same([progress.created, progress.canceled, progress.events.length], [false, false, 0]);
  await sleep(50);
  t.equal(w.responses.length, 3, 'one response for the stream, not one per watcher');
});

void t.test('filters and prev_kv', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const w = openWatch(t, c);
  w.send({ createRequest: { key: bytes('f'), filters: ['NOPUT'] } });
  w.send({ createRequest: { key: bytes('f'), filters: ['NODELETE'], prevKv: true } });
  w.send({ createRequest: { key: bytes('f'), rangeEnd: bytes('g') } });
  await w.waitFor(created(2));
  await call(c.kv, 'Put', { key: bytes('f'), value: bytes('1') });
  await call(c.kv, 'Put', { key: bytes('f'), value: bytes('2') });
  await call(c.kv, 'DeleteRange', { key: bytes('f') });
  await w.waitFor((r) => r.watchId === 2 && r.events.some((e) => e.type === 'DELETE'));
  await w.waitFor(eventsFor(0));
  const events = (id: number) => w.responses.filter(eventsFor(id)).flatMap((r) => r.events);
  t.same(events(0).map((e) => e.type), ['DELETE'], 'NOPUT');
  t.same(
    events(1).map((e) => [e.type, text(e.kv.value), e.prevKv ? text(e.prevKv.value) : null]),
    [
      ['PUT', '1', null],
      ['PUT', '2', '1'],
    ],
    'NODELETE, with the previous value when there is one',
  );
  t.same(events(2).map((e) => [e.type, e.prevKv]), [['PUT', null], ['PUT', null], ['DELETE', null]], 'no prev_kv unless asked');
});

void t.test('fragment splits a revision over responses under the size limit', async (t) => {
  const maxRequestBytes = 64 * 1024;
  const h = await startServer(t, { server: { maxRequestBytes } });
  const c = etcdClients(t, h);
  const value = Buffer.alloc(20 * 1024, 'v');
  for (let i = 0; i < 5; i++) await call(c.kv, 'Put', { key: bytes(`frag/${i}`), value });
  const w = openWatch(t, c);
  w.send({ createRequest: { key: bytes('frag/'), rangeEnd: bytes('frag0'), prevKv: true, fragment: true } });
  w.send({ createRequest: { key: bytes('frag/'), rangeEnd: bytes('frag0'), prevKv: true } });
  await w.waitFor(created(1));
  await call(c.kv, 'DeleteRange', { key: bytes('frag/'), rangeEnd: bytes('frag0') });
  await w.waitFor((r) => r.watchId === 0 && r.events.length > 0 && !r.fragment);
  await w.waitFor(eventsFor(1));

  const fragments = w.responses.filter(eventsFor(0));
  t.ok(fragments.length >= 2, `${fragments.length} fragments`);
  t.same(
    fragments.map((r) => r.fragment),
    fragments.map((_, i) => i < fragments.length - 1),
    'every fragment but the last is marked',
  );
  t.same(
    fragments.flatMap((r) => r.events.map((e) => text(e.kv.key))),
    ['frag/0', 'frag/1', 'frag/2', 'frag/3', 'frag/4'],
    'all events, in order',
  );
  const whole = w.responses.filter(eventsFor(1));
  t.equal(whole.length, 1, 'without fragment, one response');
  t.equal(whole[0]?.events.length, 5);
  t.equal(whole[0]?.fragment, false);
});

void t.test('progress_notify sends empty responses while nothing happens', async (t) => {
  const h = await startServer(t, { store: { progressNotifyIntervalMs: 50 } });
  const c = etcdClients(t, h);
  const w = openWatch(t, c);
  w.send({ createRequest: { key: bytes('p'), progressNotify: true } });
  const notification = await w.waitFor((r) => r.watchId === 0 && !r.created && r.events.length === 0);
  t.equal(notification.header.revision, h.fake.revision);
});

void t.test('a start revision below the compaction cancels the watcher with compact_revision', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  for (let i = 0; i < 4; i++) await call(c.kv, 'Put', { key: bytes('c'), value: bytes(`${i}`) });
  await call(c.kv, 'Compact', { revision: 4 });
  const w = openWatch(t, c);
  w.send({ createRequest: { key: bytes('c'), startRevision: 2 } });
  const canceled = await w.waitFor((r) => r.canceled);
  t.equal(canceled.watchId, 0);
  t.equal(canceled.compactRevision, 4);
  t.ok(w.responses[0]?.created, 'created first, as etcd');
  w.send({ createRequest: { key: bytes('c'), startRevision: 4 } });
  const replayed = await w.waitFor(eventsFor(1));
  t.same(replayed.events.map((e) => text(e.kv.value)), ['2'], 'from the compaction revision on, history replays');
});

void t.test('a client that cancels the call cancels every watcher in the store', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const w = openWatch(t, c);
  for (let i = 0; i < 3; i++) w.send({ createRequest: { key: bytes(`k${i}`) } });
  await w.waitFor(created(2));
  t.equal(h.fake.watcherCount, 3);
  w.stream.cancel();
  await waitUntil(() => h.fake.watcherCount === 0, 5000, () => 'watchers to be canceled');
  t.equal((await w.status).code, grpc.status.CANCELLED);
});

void t.test('a client that stops reading is cut off with Unavailable, not buffered without bound', async (t) => {
  const h = await startServer(t, { server: { maxQueuedWatchResponses: 8 } });
  const c = etcdClients(t, h);
  const w = openWatch(t, c);
  w.send({ createRequest: { key: bytes('s') } });
  await w.waitFor(created(0));
  w.stream.pause();
  const value = Buffer.alloc(32 * 1024, 's');
  for (let i = 0; i < 200 && h.fake.watcherCount > 0; i++) await call(c.kv, 'Put', { key: bytes('s'), value });
  await waitUntil(() => h.fake.watcherCount === 0, 5000, () => 'the slow stream to be closed');
  w.stream.resume();
  const status = await w.status;
  t.equal(status.code, grpc.status.UNAVAILABLE);
  t.match(status.details, 'unread by the client');
});
