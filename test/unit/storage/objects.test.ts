// How objects are stored: resourceVersion is the storage's, never stored, set on the way out.
import t from 'tap';
import { StorageInvalidObjectError, StorageInvalidResourceVersionError, parseResourceVersion } from '../../../core/index.js';
import { InMemoryKv, InMemoryStorage, KvStorage, ManualStorageClock } from '../../../core/index.js';

void t.test('parseResourceVersion: decimal unsigned integers only', (t) => {
  t.equal(parseResourceVersion(undefined), 0);
  t.equal(parseResourceVersion(''), 0);
  t.equal(parseResourceVersion('0'), 0);
  t.equal(parseResourceVersion('123'), 123);
  for (const bad of ['-1', '01', '1.5', ' 1', '1e3', 'abc', '9007199254740993']) {
    t.throws(() => parseResourceVersion(bad), StorageInvalidResourceVersionError, bad);
  }
  t.end();
});

void t.test('objects that are not JSON objects are refused', async (t) => {
  const s = new InMemoryStorage();
  t.teardown(() => s.close());
  await t.rejects(s.create('/registry/x/a', [] as unknown as Record<string, unknown>), StorageInvalidObjectError);
  await t.rejects(s.create('/registry/x/b', { metadata: 'no' }), StorageInvalidObjectError);
  const cyclic: Record<string, unknown> = { metadata: {} };
  cyclic.self = cyclic;
  await t.rejects(s.create('/registry/x/c', cyclic), StorageInvalidObjectError);
  const created = await s.create('/registry/x/d', { spec: { n: 1 } });
  t.match(created, { spec: { n: 1 }, metadata: { resourceVersion: /^[1-9][0-9]*$/ } }, 'metadata is added to carry the resourceVersion');
});

void t.test('the stored value never carries a resourceVersion', async (t) => {
  const clock = new ManualStorageClock();
  const kv = new InMemoryKv(clock);
  const s = new KvStorage(kv, { clock });
  t.teardown(() => s.close());
  const created = await s.create('/registry/x/a', { metadata: { name: 'a' }, spec: {} });
  await s.update('/registry/x/a', { ...created, spec: { n: 2 } });
  const stored = (await kv.range({ key: '/registry/x/a' })).kvs[0]!;
  t.same(JSON.parse(stored.value), { metadata: { name: 'a' }, spec: { n: 2 } });
});
