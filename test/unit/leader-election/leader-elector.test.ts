// Leader election over a Lease on one InMemoryResourceClient and one ManualClock: acquire,
// renew, a partitioned leader stepping down before anyone else takes over, graceful release,
// and the invariant that two electors never both lead, checked after every clock step.
import t from 'tap';
import type { Test } from 'tap';
import type { Lease, ResourceClient } from '../../../core/index.js';
import { InMemoryResourceClient, SeededRandom, resourceUnavailableError } from '../../../core/index.js';
import { LEASES_RESOURCE, LeaderElector, ManualClock } from '../../../actors/index.js';

const LEASE_REF = { ...LEASES_RESOURCE, namespace: 'kube-system', name: 'kube-controller-manager' };

/** A client whose every call fails while `partitioned` (the node lost the API server). */
class PartitionableClient {
  partitioned = false;
  readonly client: ResourceClient;
  constructor(inner: ResourceClient) {
    const fail = (): Promise<never> => Promise.reject(resourceUnavailableError('partitioned'));
    this.client = {
      get: (ref) => (this.partitioned ? fail() : inner.get(ref)),
      list: (r, o) => (this.partitioned ? fail() : inner.list(r, o)),
      watch: (r, o, e, c) => inner.watch(r, o, e, c),
      create: (r, o, opt) => (this.partitioned ? fail() : inner.create(r, o, opt)),
      update: (r, o, opt) => (this.partitioned ? fail() : inner.update(r, o, opt)),
      updateStatus: (r, o, opt) => (this.partitioned ? fail() : inner.updateStatus(r, o, opt)),
      patch: (r, p, b, opt) => (this.partitioned ? fail() : inner.patch(r, p, b, opt)),
      delete: (r, opt) => (this.partitioned ? fail() : inner.delete(r, opt)),
    };
  }
}

interface Candidate {
  readonly elector: LeaderElector;
  readonly net: PartitionableClient;
  readonly log: string[];
  startedAtMs: number[];
  stoppedAtMs: number[];
}

function world(t: Test) {
  const clock = new ManualClock(1_700_000_000_000);
  const store = new InMemoryResourceClient();
  const candidates: Candidate[] = [];
  const add = (identity: string, seed: number): Candidate => {
    const net = new PartitionableClient(store);
    const elector = new LeaderElector({ client: net.client, clock, random: new SeededRandom(seed), leaseName: 'kube-controller-manager', identity });
    const c: Candidate = { elector, net, log: [], startedAtMs: [], stoppedAtMs: [] };
    elector.start({
      onStartedLeading: () => c.startedAtMs.push(clock.now()),
      onStoppedLeading: () => c.stoppedAtMs.push(clock.now()),
      onNewLeader: (id) => c.log.push(id),
    });
    candidates.push(c);
    return c;
  };
  let violations = 0;
  /** Advances in 100 ms steps, letting the client calls run, checking that at most one leads. */
  const run = async (ms: number): Promise<void> => {
    for (let elapsed = 0; elapsed < ms; elapsed += 100) {
      clock.advance(100);
      for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      if (candidates.filter((c) => c.elector.isLeader).length > 1) violations++;
    }
  };
  t.teardown(async () => {
    for (const c of candidates) await c.elector.stop();
  });
  return { clock, store, add, run, violations: () => violations };
}

const lease = (store: InMemoryResourceClient): Promise<Lease> => store.get<Lease>(LEASE_REF);

void t.test('the first candidate creates the lease and keeps renewing it', async (t) => {
  const w = world(t);
  const a = w.add('a', 1);
  await w.run(100);
  t.ok(a.elector.isLeader);
  const first = await lease(w.store);
  t.equal(first.spec?.holderIdentity, 'a');
  t.equal(first.spec?.leaseDurationSeconds, 15);
  t.equal(first.spec?.leaseTransitions, 0);
  t.match(first.spec?.acquireTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  await w.run(10_000);
  const later = await lease(w.store);
  t.not(later.spec?.renewTime, first.spec?.renewTime, 'renewed');
  t.equal(later.spec?.acquireTime, first.spec?.acquireTime, 'acquireTime kept while renewing');
  t.equal(later.spec?.leaseTransitions, 0);
  t.same(a.stoppedAtMs, []);
  t.same(a.log, ['a']);
});

void t.test('two candidates: one leads, the other waits; never both', async (t) => {
  const w = world(t);
  const a = w.add('a', 1);
  const b = w.add('b', 2);
  await w.run(60_000);
  t.equal([a, b].filter((c) => c.elector.isLeader).length, 1);
  t.equal(w.violations(), 0);
  const holder = (await lease(w.store)).spec?.holderIdentity;
  t.equal(holder, a.elector.isLeader ? 'a' : 'b');
  t.equal(b.elector.observedLeader, holder);
});

void t.test('a partitioned leader steps down within the renew deadline, before another takes over after the lease duration', async (t) => {
  const w = world(t);
  const a = w.add('a', 1);
  await w.run(100);
  const b = w.add('b', 2);
  await w.run(20_000);
  t.ok(a.elector.isLeader);
  t.notOk(b.elector.isLeader);
  const lastRenew = Date.parse((await lease(w.store)).spec!.renewTime!);
  a.net.partitioned = true;
  await w.run(30_000);
  t.equal(a.stoppedAtMs.length, 1, 'a stepped down');
  t.equal(b.startedAtMs.length, 1, 'b took over');
  const aStopped = a.stoppedAtMs[0]!;
  const bStarted = b.startedAtMs[0]!;
  t.ok(aStopped <= lastRenew + 10_000 + 100, `a stopped within the renew deadline (${aStopped - lastRenew} ms after its last renew)`);
  t.ok(bStarted >= lastRenew + 15_000, `b waited the lease duration (${bStarted - lastRenew} ms after a's last renew)`);
  t.ok(aStopped < bStarted, 'stopped leading is signalled before anyone else leads');
  t.equal(w.violations(), 0);
  const taken = await lease(w.store);
  t.equal(taken.spec?.holderIdentity, 'b');
  t.equal(taken.spec?.leaseTransitions, 1);
  // Healed, a does not take the lease back: b keeps renewing it.
  a.net.partitioned = false;
  await w.run(30_000);
  t.ok(b.elector.isLeader);
  t.notOk(a.elector.isLeader);
  t.equal(w.violations(), 0);
});

void t.test('a graceful stop releases the lease so another takes over at once', async (t) => {
  const w = world(t);
  const a = w.add('a', 1);
  await w.run(100);
  const b = w.add('b', 2);
  await w.run(5_000);
  const stopAtMs = w.clock.now();
  await a.elector.stop();
  t.equal(a.stoppedAtMs.length, 1);
  t.equal((await lease(w.store)).spec?.holderIdentity, '', 'holder cleared');
  await w.run(5_000);
  t.ok(b.elector.isLeader);
  t.ok(b.startedAtMs[0]! - stopAtMs <= 2_000 * 2.2 + 100, 'within one jittered retry period, not a lease duration');
  t.equal((await lease(w.store)).spec?.leaseTransitions, 1);
});

void t.test('a leader that finds the lease taken steps down at once', async (t) => {
  const w = world(t);
  const a = w.add('a', 1);
  await w.run(100);
  const current = await lease(w.store);
  await w.store.update(LEASES_RESOURCE, { ...current, spec: { ...current.spec, holderIdentity: 'intruder' } });
  await w.run(2_100);
  t.notOk(a.elector.isLeader);
  t.equal(a.stoppedAtMs.length, 1);
});

void t.test('racing candidates on an absent lease: exactly one wins (409 / AlreadyExists lose)', async (t) => {
  const w = world(t);
  const cs = ['a', 'b', 'c'].map((id, i) => w.add(id, i + 1));
  await w.run(10_000);
  t.equal(cs.filter((c) => c.elector.isLeader).length, 1);
  t.equal(w.violations(), 0);
});

void t.test('nonsense timings are refused', (t) => {
  const base = { client: new InMemoryResourceClient(), clock: new ManualClock(0), random: new SeededRandom(1), leaseName: 'x', identity: 'a' };
  t.throws(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }), RangeError);
  t.throws(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 }), RangeError);
  t.throws(() => new LeaderElector({ ...base, identity: '' }), RangeError);
  t.end();
});
