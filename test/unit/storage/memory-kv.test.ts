// InMemoryKv follows etcd's MVCC rules where the storage depends on them.
import t from 'tap';
import type { StorageKvWatchResponse } from '../../../core/index.js';
import { InMemoryKv, ManualStorageClock, StorageKvCompactedError, StorageKvFutureRevisionError, compareStorageKeys } from '../../../core/index.js';
import { settle } from './watch-recorder.js';

void t.test('revisions start at 1 and every write makes one; failed compare-and-swaps make none', async (t) => {
  const kv = new InMemoryKv(new ManualStorageClock());
  t.equal((await kv.range({ key: 'a' })).revision, 1);
  const put = await kv.putIfModRevision('a', 'v1', 0, 0);
  t.same(put, { succeeded: true, revision: 2 });
  const lost = await kv.putIfModRevision('a', 'v2', 0, 0);
  t.equal(lost.succeeded, false);
  if (!lost.succeeded) t.match(lost.current, { key: 'a', value: 'v1', createRevision: 2, modRevision: 2 });
  t.same(await kv.deleteIfModRevision('a', 2), { succeeded: true, revision: 3 });
  t.equal((await kv.range({ key: 'a' })).revision, 3);
});

void t.test('ranges: past revisions, limit with count and more, prefixes', async (t) => {
  const kv = new InMemoryKv(new ManualStorageClock());
  for (const k of ['/p/a', '/p/b', '/p/c', '/q/a']) await kv.putIfModRevision(k, k, 0, 0);
  await kv.deleteIfModRevision('/p/b', 3);
  const now = await kv.range({ key: '/p/', prefix: '/p/', limit: 1 });
  t.same(now.kvs.map((e) => e.key), ['/p/a']);
  t.equal(now.count, 2);
  t.equal(now.more, true);
  const past = await kv.range({ key: '/p/', prefix: '/p/', revision: 4 });
  t.same(past.kvs.map((e) => e.key), ['/p/a', '/p/b', '/p/c'], 'before the delete');
  t.equal(past.revision, 6, "a past read answers with the store's revision, as etcd");
  t.same((await kv.range({ key: '/p/b', prefix: '/p/', countOnly: true })).count, 1, 'from a start key to the end of the prefix');
  await t.rejects(kv.range({ key: '/p/', prefix: '/p/', revision: 7 }), StorageKvFutureRevisionError);
});

void t.test('compaction: the compacted revision stays readable and watchable, older ones do not', async (t) => {
  const kv = new InMemoryKv(new ManualStorageClock());
  await kv.putIfModRevision('/k', 'v2', 0, 0);
  await kv.putIfModRevision('/k', 'v3', 2, 0);
  await kv.putIfModRevision('/gone', 'x', 0, 0);
  await kv.deleteIfModRevision('/gone', 4);
  await kv.putIfModRevision('/k', 'v6', 3, 0);
  await kv.compact(5);
  t.same((await kv.range({ key: '/k', revision: 5 })).kvs.map((e) => e.value), ['v3']);
  t.same((await kv.range({ key: '/gone', revision: 5 })).kvs, []);
  await t.rejects(kv.range({ key: '/k', revision: 4 }), StorageKvCompactedError);
  await t.rejects(kv.compact(5), StorageKvCompactedError);
  await t.rejects(kv.compact(7), StorageKvFutureRevisionError);
  const responses: StorageKvWatchResponse[] = [];
  kv.watch({ key: '/', prefix: true, startRevision: 5 }, (r) => responses.push(r), () => undefined);
  kv.watch({ key: '/', prefix: true, startRevision: 4 }, (r) => responses.push(r), () => undefined);
  await settle();
  t.match(responses, [
    {
      kind: 'events',
      events: [
        { type: 'DELETE', key: '/gone', modRevision: 5, prevValue: 'x' },
        { type: 'PUT', key: '/k', value: 'v6', modRevision: 6, prevValue: 'v3' },
      ],
    },
    { kind: 'compacted', compactRevision: 5 },
  ]);
  const first = responses[0];
  t.equal(first?.kind === 'events' ? first.events.length : 0, 2, 'no other event');
});

void t.test('an expired lease deletes all its keys in one revision; a put without the lease detaches it', async (t) => {
  const clock = new ManualStorageClock();
  const kv = new InMemoryKv(clock);
  const lease = await kv.grantLease(10);
  await kv.putIfModRevision('/a', 'a', 0, lease);
  await kv.putIfModRevision('/b', 'b', 0, lease);
  const c = await kv.putIfModRevision('/c', 'c', 0, lease);
  if (c.succeeded) await kv.putIfModRevision('/c', 'c2', c.revision, 0);
  const responses: StorageKvWatchResponse[] = [];
  kv.watch({ key: '/', prefix: true, startRevision: 0 }, (r) => responses.push(r), () => undefined);
  await settle();
  clock.advance(9_999);
  kv.expireLeases();
  t.same(responses, []);
  clock.advance(1);
  kv.expireLeases();
  t.match(responses, [{ kind: 'events', events: [{ type: 'DELETE', key: '/a', modRevision: 6, prevValue: 'a' }, { type: 'DELETE', key: '/b', modRevision: 6, prevValue: 'b' }] }]);
  t.same((await kv.range({ key: '/', prefix: '/' })).kvs.map((e) => e.key), ['/c']);
});

void t.test('keys order as their UTF-8 bytes', (t) => {
  const keys = ['b', 'a', '\uffff', '\u{1f600}', 'é', 'ab', ''];
  const byBytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  t.same([...keys].sort(compareStorageKeys), byBytes);
  t.end();
});
