// Lease reuse for objects with a TTL, as kube's etcd3 leaseManager: observed through the lease
// ids InMemoryKv grants and attaches.
import t from 'tap';
import { InMemoryKv, KvStorage, LEASE_MAX_ATTACHED_OBJECTS, ManualStorageClock } from '../../../core/index.js';

async function setup(): Promise<{ clock: ManualStorageClock; kv: InMemoryKv; s: KvStorage; leaseOf: (key: string) => Promise<number> }> {
  const clock = new ManualStorageClock(0);
  const kv = new InMemoryKv(clock);
  const s = new KvStorage(kv, { clock });
  const leaseOf = async (key: string): Promise<number> => (await kv.range({ key })).kvs[0]!.lease;
  return { clock, kv, s, leaseOf };
}

void t.test('objects created close together with a long TTL share one lease', async (t) => {
  const { clock, s, leaseOf } = await setup();
  t.teardown(() => s.close());
  // TTL 3600 s: a reuse window of min(60 s, 5% of 3600 s) = 60 s.
  await s.create('/registry/events/a', {}, { ttlSeconds: 3600 });
  clock.advance(30_000);
  await s.create('/registry/events/b', {}, { ttlSeconds: 3600 });
  t.equal(await leaseOf('/registry/events/b'), await leaseOf('/registry/events/a'), 'within the window: reused');
  clock.advance(31_000);
  await s.create('/registry/events/c', {}, { ttlSeconds: 3600 });
  t.not(await leaseOf('/registry/events/c'), await leaseOf('/registry/events/a'), 'past the window: a new lease');
});

void t.test('a short TTL has no reuse window: one lease per object', async (t) => {
  const { s, leaseOf } = await setup();
  t.teardown(() => s.close());
  await s.create('/registry/events/a', {}, { ttlSeconds: 10 });
  await s.create('/registry/events/b', {}, { ttlSeconds: 10 });
  t.not(await leaseOf('/registry/events/a'), await leaseOf('/registry/events/b'));
});

void t.test('concurrent creations share the lease they cause', async (t) => {
  const { s, leaseOf } = await setup();
  t.teardown(() => s.close());
  await Promise.all(['a', 'b', 'c'].map((n) => s.create(`/registry/events/${n}`, {}, { ttlSeconds: 3600 })));
  const leases = new Set(await Promise.all(['a', 'b', 'c'].map((n) => leaseOf(`/registry/events/${n}`))));
  t.equal(leases.size, 1);
});

void t.test(`a lease carries at most ${LEASE_MAX_ATTACHED_OBJECTS} objects`, async (t) => {
  const { s, leaseOf } = await setup();
  t.teardown(() => s.close());
  for (let i = 0; i <= LEASE_MAX_ATTACHED_OBJECTS; i++) await s.create(`/registry/events/${i}`, {}, { ttlSeconds: 3600 });
  t.equal(await leaseOf(`/registry/events/${LEASE_MAX_ATTACHED_OBJECTS - 1}`), await leaseOf('/registry/events/0'));
  t.not(await leaseOf(`/registry/events/${LEASE_MAX_ATTACHED_OBJECTS}`), await leaseOf('/registry/events/0'));
});

void t.test('a shared lease never shortens an object: each lives at least its TTL', async (t) => {
  const { clock, s } = await setup();
  t.teardown(() => s.close());
  await s.create('/registry/events/a', {}, { ttlSeconds: 3600 });
  clock.advance(59_000);
  await s.create('/registry/events/b', {}, { ttlSeconds: 3600 });
  clock.advance(3_600_000 - 1);
  t.ok(await s.get('/registry/events/b'), 'b outlives its own TTL minus a millisecond');
  clock.advance(61_001);
  await t.rejects(s.get('/registry/events/b'), { code: 'KeyNotFound' }, 'and is gone by TTL + the window');
});
