// Without a quorum the store must say so promptly, never hang: with 2 of 3 members stopped, a
// put with a 2 s deadline fails with UNAVAILABLE or DEADLINE_EXCEEDED within about 3 s, and so
// does a linearizable read, while a serializable read is still served from the survivor's
// own state. Once the two are back, writes succeed again and no acknowledged write is lost.
// Both survivors are tried: a follower (its leader is gone) and the leader itself (it has lost
// its followers and must step down).
import { status } from '@grpc/grpc-js';
import type { Test } from 'tap';
import t from 'tap';
import { EtcdClientError } from '../../../transport/index.js';
import type { EtcdClient } from '../../../transport/index.js';
import { sleep, StoreCluster } from './store-process.js';
import { readPrefix } from './workload.js';

const NO_QUORUM_CODES: readonly number[] = [status.UNAVAILABLE, status.DEADLINE_EXCEEDED];
/** The client's deadline, and how long past it an answer may take. */
const DEADLINE_MS = 2_000;
const ANSWER_WITHIN_MS = 3_000;

/** Runs `op`, which must fail with a no-quorum status within ANSWER_WITHIN_MS. */
async function expectNoQuorum(t: Test, what: string, op: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  const outcome = await op().then(
    () => undefined,
    (err: unknown) => err,
  );
  const ms = performance.now() - t0;
  t.type(outcome, EtcdClientError, `${what} fails`);
  if (outcome instanceof EtcdClientError) {
    t.ok(NO_QUORUM_CODES.includes(outcome.code), `${what}: UNAVAILABLE or DEADLINE_EXCEEDED (got ${status[outcome.code]}: ${outcome.details})`);
  }
  t.ok(ms < ANSWER_WITHIN_MS, `${what}: answered in ${ms.toFixed(0)} ms`);
}

async function putAll(client: EtcdClient, prefix: string, n: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = `${prefix}${i}`;
    await client.put({ key: Buffer.from(key), value: Buffer.from(key) });
    keys.push(key);
  }
  return keys;
}

void t.test('no quorum: fail fast, then recover without losing acknowledged writes', async (t) => {
  const cluster = await StoreCluster.start(t, 'noquorum');
  const acked = await putAll(cluster.client(DEADLINE_MS), 'nq/before/', 50);

  for (const survivorRole of ['follower', 'leader'] as const) {
    await t.test(`the survivor is the ${survivorRole}`, async (t) => {
      const leader = await cluster.waitForLeader();
      const survivorIdx = survivorRole === 'leader' ? leader : (leader + 1) % cluster.members.length;
      const survivor = cluster.members[survivorIdx]!;
      const gone = cluster.members.filter((m) => m !== survivor);
      const stops = await Promise.all(gone.map((m) => m.stop()));
      for (const [i, s] of stops.entries()) t.equal(s.code, 0, `${gone[i]!.name} stopped gracefully in ${s.ms.toFixed(0)} ms`);

      const lone = cluster.client(DEADLINE_MS, [survivor.clientEndpoint]);
      const put = (n: number) => () => lone.put({ key: Buffer.from(`nq/lost/${survivorRole}/${n}`), value: Buffer.from('x') });
      // At once (the survivor may still believe in a leader), and after it has had time to notice.
      await Promise.all([
        expectNoQuorum(t, 'a put right after the stops', put(0)),
        expectNoQuorum(t, 'a linearizable read', () => lone.range({ key: Buffer.from('nq/before/0') })),
      ]);
      await sleep(1_000);
      await Promise.all([
        expectNoQuorum(t, 'a put 3 s after the stops', put(1)),
        expectNoQuorum(t, 'a txn', () => lone.txn({ compare: [], success: [{ requestPut: { key: Buffer.from('nq/txn'), value: Buffer.from('x') } }], failure: [] })),
      ]);
      const local = await readPrefix(lone, 'nq/before/', { serializable: true });
      t.equal(local.size, acked.filter((k) => k.startsWith('nq/before/')).length, 'a serializable read is still served from the survivor');
      const health = await survivor.health();
      t.equal(health?.status, 503, `/health is 503 (${health?.reason ?? 'no answer'})`);

      for (const m of gone) m.start();
      const t0 = performance.now();
      await cluster.waitForLeader(20_000);
      t.comment(`a leader ${(performance.now() - t0).toFixed(0)} ms after the restarts`);
      const client = cluster.client(DEADLINE_MS);
      acked.push(...(await putAll(client, `nq/after-${survivorRole}/`, 20)));
      const present = await readPrefix(client, 'nq/');
      t.same(
        acked.filter((k) => !present.has(k)),
        [],
        `all ${acked.length} acknowledged writes are present`,
      );
    });
  }
});
