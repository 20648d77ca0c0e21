// The leader's renewal fast path (client-go's optimistic update): a leader renews with one write
// over the lease it last wrote, without reading it first; a lease changed underneath sends it
// back to the read-then-write path, where it still renews, or steps down if the holder changed.
import t from 'tap';
import type { Test } from 'tap';
import type { Lease, ResourceClient } from '../../../core/index.js';
import { InMemoryResourceClient, SeededRandom } from '../../../core/index.js';
import { LEASES_RESOURCE, LeaderElector, ManualClock } from '../../../actors/index.js';

const LEASE_REF = { ...LEASES_RESOURCE, namespace: 'kube-system', name: 'kube-scheduler' };

/** Counts the calls a client makes, by verb. */
function countingClient(inner: ResourceClient): { client: ResourceClient; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = (verb: string): void => void calls.set(verb, (calls.get(verb) ?? 0) + 1);
  const client: ResourceClient = {
    get: (ref) => (count('get'), inner.get(ref)),
    list: (r, o) => (count('list'), inner.list(r, o)),
    watch: (r, o, e, c) => inner.watch(r, o, e, c),
    create: (r, o, opt) => (count('create'), inner.create(r, o, opt)),
    update: (r, o, opt) => (count('update'), inner.update(r, o, opt)),
    updateStatus: (r, o, opt) => (count('updateStatus'), inner.updateStatus(r, o, opt)),
    patch: (r, p, b, opt) => (count('patch'), inner.patch(r, p, b, opt)),
    delete: (r, opt) => (count('delete'), inner.delete(r, opt)),
  };
  return { client, calls };
}

function setup(t: Test) {
  const clock = new ManualClock(1_700_000_000_000);
  const store = new InMemoryResourceClient();
  const { client, calls } = countingClient(store);
  const elector = new LeaderElector({ client, clock, random: new SeededRandom(7), leaseName: 'kube-scheduler', identity: 'a' });
  const stopped: number[] = [];
  elector.start({ onStartedLeading: () => undefined, onStoppedLeading: () => stopped.push(clock.now()) });
  t.teardown(() => elector.stop());
  const run = async (ms: number): Promise<void> => {
    for (let elapsed = 0; elapsed < ms; elapsed += 100) {
      clock.advance(100);
      for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  return { clock, store, calls, elector, stopped, run };
}

void t.test('a leader renews with one write per retry period and no read', async (t) => {
  const w = setup(t);
  await w.run(100);
  t.ok(w.elector.isLeader);
  const before = { get: w.calls.get('get') ?? 0, update: w.calls.get('update') ?? 0 };
  const first = (await w.store.get<Lease>(LEASE_REF)).spec?.renewTime;
  await w.run(10_000);
  t.equal((w.calls.get('get') ?? 0) - before.get, 0, 'no reads while leading');
  const updates = (w.calls.get('update') ?? 0) - before.update;
  t.ok(updates >= 4 && updates <= 5, `one write per retry period (${updates} in 10 s)`);
  const lease = await w.store.get<Lease>(LEASE_REF);
  t.not(lease.spec?.renewTime, first, 'renewTime moved');
  t.equal(lease.spec?.holderIdentity, 'a');
  t.equal(lease.spec?.leaseTransitions, 0);
  t.same(w.stopped, []);
});

void t.test('a lease changed underneath (same holder) is read again and renewed', async (t) => {
  const w = setup(t);
  await w.run(100);
  const current = await w.store.get<Lease>(LEASE_REF);
  await w.store.update(LEASES_RESOURCE, { ...current, metadata: { ...current.metadata, labels: { touched: 'yes' } } });
  const gets = w.calls.get('get') ?? 0;
  await w.run(2_500);
  t.ok((w.calls.get('get') ?? 0) > gets, 'the 409 sent it to the slow path');
  t.ok(w.elector.isLeader, 'still leading');
  const lease = await w.store.get<Lease>(LEASE_REF);
  t.equal(lease.metadata?.labels?.touched, 'yes', 'the other change is kept');
  t.not(lease.spec?.renewTime, current.spec?.renewTime, 'renewed');
  t.same(w.stopped, []);
});

void t.test('a deleted lease is created again by the slow path', async (t) => {
  const w = setup(t);
  await w.run(100);
  await w.store.delete(LEASE_REF);
  await w.run(2_500);
  t.ok(w.elector.isLeader);
  t.equal((await w.store.get<Lease>(LEASE_REF)).spec?.holderIdentity, 'a');
});
