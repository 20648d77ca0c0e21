// Leases: grant/revoke through apply, key attachment, persistence, and the leader's expiry
// bookkeeping on an injected clock.
import t from 'tap';
import { AssertionError } from '../../../core/index.js';
import { LeaseExistsError, LeaseNotFoundError, LeaseTTLTooLargeError, MAX_LEASE_TTL_SECONDS, MvccStore } from '../../../raft/index.js';
import { Applier, caught, dec, enc, onEachBackend, openStore, settle, WatchLog } from './helpers.js';

onEachBackend(t, 'grant: ids, TTL minimum and maximum, duplicates', async (t, kind) => {
  const { a } = await openStore(t, kind, { minLeaseTtlSeconds: 5 });
  t.same(a.grant(1, 60), { header: { clusterId: 0, memberId: 0, revision: 0, raftTerm: 0 }, ID: 1, TTL: 60 });
  t.equal(a.grant(2, 1).TTL, 5, 'raised to the minimum TTL');
  t.type(caught(() => a.grant(1, 10)), LeaseExistsError);
  t.type(caught(() => a.grant(3, MAX_LEASE_TTL_SECONDS + 1)), LeaseTTLTooLargeError);
  t.type(caught(() => a.grant(0, 10)), LeaseNotFoundError, 'id 0 is "no lease"');
  t.same(a.store.leases.ids(), [1, 2]);
  t.equal(a.store.revision, 0, 'grants do not change the revision');
  t.end();
});

onEachBackend(t, 'keys attach on put and detach on delete, re-put without lease, or another lease', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.grant(1, 60);
  a.grant(2, 60);
  a.put('a', '1', { lease: 1 });
  a.put('b', '1', { lease: 1 });
  a.put('c', '1', { lease: 1 });
  a.put('d', '1', { lease: 2 });
  const keys = (id: number): string[] => a.store.leaseTimeToLive(id, 0, true).keys.map(dec);
  t.same(keys(1), ['a', 'b', 'c']);
  a.put('a', '2'); // no lease: detaches
  a.put('b', '2', { lease: 2 }); // moves to lease 2
  a.del('c');
  t.same(keys(1), []);
  t.same(keys(2), ['b', 'd']);
  t.equal(a.store.leaseTimeToLive(1, 0, false).keys.length, 0, 'keys only when asked');
  t.same(a.store.leaseTimeToLive(9, 0, true), { header: { clusterId: 0, memberId: 0, revision: 7, raftTerm: 0 }, ID: 9, TTL: -1, grantedTTL: 0, keys: [] }, 'unknown lease: TTL -1');
  t.end();
});

onEachBackend(t, 'revoke deletes the attached keys in one revision, in key order, with DELETE events', async (t, kind) => {
  const { a } = await openStore(t, kind);
  a.grant(1, 60);
  for (const k of ['z', 'm', 'a']) a.put(k, k, { lease: 1 });
  a.put('keep', 'x');
  const log = new WatchLog();
  a.store.watch({ key: enc('a'), rangeEnd: enc('zz') }, 1, log.send);
  a.revoke(1);
  t.equal(a.store.revision, 5);
  t.same(await a.all(), ['keep=x']);
  await settle(a.store);
  t.same(log.events(), ['DELETE a@5', 'DELETE m@5', 'DELETE z@5']);
  t.equal(log.responses.filter((r) => r.events.length > 0).length, 1, 'one revision, one response');
  t.type(caught(() => a.revoke(1)), LeaseNotFoundError);
  a.grant(2, 60);
  a.revoke(2);
  t.equal(a.store.revision, 5, 'revoking a lease without keys changes no key');
  t.end();
});

onEachBackend(t, 'leases and attachments survive a restart', async (t, kind) => {
  const { host, a } = await openStore(t, kind);
  a.grant(7, 30);
  a.grant(8, 40);
  a.put('x', '1', { lease: 7 });
  a.put('y', '1', { lease: 8 });
  a.revoke(8);
  await a.store.flush();
  await host.restart();
  const b = new Applier(await MvccStore.open(host.backend));
  t.same(b.store.leases.ids(), [7]);
  t.same(b.store.leaseTimeToLive(7, 0, true).keys.map(dec), ['x']);
  t.equal(b.store.leaseTimeToLive(7, 0, false).grantedTTL, 30);
  b.revoke(7);
  t.same(await b.all(), []);
  t.end();
});

void t.test('expiry is the leader\'s: promote, expired, renew, retry, demote (injected clock)', async (t) => {
  let now = 1_000_000;
  const { a } = await openStore(t, 'memory', { now: () => now, minLeaseTtlSeconds: 2 });
  a.grant(1, 10);
  a.grant(2, 20);
  const leases = a.store.leases;
  t.same(leases.expired(now + 1e9), [], 'a follower never reports expiries');
  t.equal(a.store.leaseTimeToLive(1, now, false).TTL, 10, 'a follower reports the granted TTL');
  t.type(caught(() => leases.renew(1, now)), AssertionError, 'only the leader renews');
  leases.promote(now);
  a.grant(3, 5); // granted on the leader: expires 5 s from now()
  t.same(leases.expired(now + 4_999), []);
  t.same(leases.expired(now + 5_000), [3]);
  t.same(leases.expired(now + 5_001), [], 'reported once, then again only after the retry interval');
  t.same(leases.expired(now + 8_000), [3], 'reported again: its revoke may have been lost');
  a.revoke(3);
  now += 9_000;
  t.equal(a.store.leaseTimeToLive(1, now, false).TTL, 1, 'remaining whole seconds');
  t.equal(leases.renew(1, now), 10, 'keep-alive returns the TTL');
  t.equal(a.store.leaseTimeToLive(1, now + 500, false).TTL, 9);
  t.same(leases.expired(now + 10_000), [1], 'lease 1 expires 10 s after its renewal');
  t.same(leases.expired(now + 12_000), [2], 'lease 2 expires 20 s after the promotion; lease 1 is not reported twice');
  t.type(caught(() => leases.renew(2, now + 12_000)), LeaseNotFoundError, 'an expired lease cannot be renewed');
  t.equal(a.store.leaseTimeToLive(2, now + 12_000, false).TTL, -1, 'expired: TTL -1');
  t.type(caught(() => leases.renew(99, now)), LeaseNotFoundError);
  leases.demote();
  t.same(leases.expired(now + 1e9), []);
  leases.promote(now + 100_000);
  t.same(leases.expired(now + 100_000 + 9_999), [], 'a new leader gives every lease a fresh TTL');
  t.same(leases.expired(now + 100_000 + 10_000), [1]);
  t.end();
});

void t.test('expired() reports the earliest first, at most maxExpiredLeasesPerCall', async (t) => {
  const { a } = await openStore(t, 'memory', { now: () => 0, limits: { maxExpiredLeasesPerCall: 3 } });
  for (let id = 1; id <= 10; id++) a.grant(id, 100 - id);
  a.store.leases.promote(0);
  t.same(a.store.leases.expired(1e9), [10, 9, 8]);
  t.same(a.store.leases.expired(1e9), [7, 6, 5]);
  t.end();
});

void t.test('a grant on the leader without a clock is a bug, not a silent forever-lease', async (t) => {
  const { a } = await openStore(t, 'memory');
  a.store.leases.promote(0);
  t.type(caught(() => a.grant(1, 10)), AssertionError);
  t.end();
});
