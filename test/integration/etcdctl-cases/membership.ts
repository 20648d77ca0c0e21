// etcdctl member list|add --learner|promote|remove with a 4th member started with
// --initial-cluster-state existing, which catches up (on Flotilla, from a snapshot: every member
// runs with --snapshot-count 100 and more than 300 entries are written first).
import type { Test } from 'tap';
import { EtcdClient } from '../../../transport/index.js';
import type { ClusterMember } from '../harness/index.js';
import { sleep, waitUntil } from '../harness/index.js';
import type { Case, Ctx } from './context.js';
import { countKeys, ctl, fails, ok, parseJson } from './context.js';
import type { EndpointStatusJson } from './maintenance.js';

/** Keys written before the learner joins: well past --snapshot-count 100 plus the catch-up tail. */
export const BULK_KEYS = 320;
const BULK_CONCURRENCY = 16;
/** How long a learner may take to catch up, and a promotion to be accepted. */
const CATCH_UP_TIMEOUT_MS = 30_000;
/** A removed member must stop by itself within this long. */
const REMOVED_EXIT_TIMEOUT_MS = 10_000;
/** How long a serving member may take to publish its attributes. */
const PUBLISH_TIMEOUT_MS = 10_000;
const NOT_IN_SYNC = 'etcdserver: can only promote a learner member which is in sync with leader';

interface MemberLine {
  readonly id: string;
  readonly status: string;
  readonly name: string;
  readonly peerUrls: string;
  readonly clientUrls: string;
  readonly isLearner: string;
}

async function memberList(t: Test, c: Ctx, endpoints = c.cluster.endpoints): Promise<MemberLine[]> {
  const out = await ok(t, c, ['member', 'list'], { endpoints });
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', status = '', name = '', peerUrls = '', clientUrls = '', isLearner = ''] = line.split(', ');
      return { id, status, name, peerUrls, clientUrls, isLearner };
    });
}

const expectedLine = (m: ClusterMember, isLearner: boolean): Omit<MemberLine, 'id'> => ({
  status: 'started',
  name: m.name,
  peerUrls: m.peerUrl,
  clientUrls: m.clientUrl,
  isLearner: String(isLearner),
});

async function endpointStatus(c: Ctx, endpoints: readonly string[]): Promise<EndpointStatusJson[]> {
  const r = await ctl(c, ['endpoint', 'status', '-w', 'json'], { endpoints });
  if (r.code !== 0) throw new Error(`endpoint status failed: ${r.stderr}`);
  return parseJson<EndpointStatusJson[]>(r.stdout);
}

async function writeBulk(c: Ctx): Promise<void> {
  const client = new EtcdClient({ endpoints: c.cluster.endpoints, timeoutMs: 10_000 });
  try {
    const key = (i: number): Uint8Array => Buffer.from(`bulk/${String(i).padStart(3, '0')}`);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < BULK_KEYS - 1) {
        const i = next++;
        await client.put({ key: key(i), value: Buffer.from(`v-${i}`) });
      }
    };
    await Promise.all(Array.from({ length: BULK_CONCURRENCY }, worker));
    await client.put({ key: key(BULK_KEYS - 1), value: Buffer.from(`v-${BULK_KEYS - 1}`) }); // the last key is written last
  } finally {
    client.close();
  }
}

const hexOf = (id: string | number): string => BigInt(id).toString(16);

export const MEMBERSHIP_CASES: readonly Case[] = [
  {
    name: 'member list, add --learner (caught up from a snapshot), promote, remove',
    timeoutMs: 120_000,
    run: async (t, c) => {
      const founders = c.cluster.members.slice(0, 3);
      let clusterId = '';
      await t.test('member list', async (t) => {
        const lines = await memberList(t, c);
        t.same(
          lines.map(({ id: _id, ...rest }) => rest).sort((a, b) => a.name.localeCompare(b.name)),
          founders.map((m) => expectedLine(m, false)),
          'every founding member: started, its name, peer and client URLs, not a learner',
        );
        const status = await endpointStatus(c, c.cluster.endpoints);
        t.same(lines.map((l) => l.id).sort(), status.map((s) => hexOf(s.Status.header.member_id)).sort(), 'the ids endpoint status reports');
        clusterId = hexOf(status[0]?.Status.header.cluster_id ?? 0);
      });

      await t.test(`write ${BULK_KEYS} keys`, async (t) => {
        await writeBulk(c);
        t.equal(await countKeys(t, c, 'bulk/'), BULK_KEYS);
      });

      let s4: ClusterMember | undefined;
      let s4Id = '';
      await t.test('member add --learner, and the learner joins with --initial-cluster-state existing', async (t) => {
        const { member, added } = await c.cluster.addMember('s4', { learner: true, waitReady: false });
        s4 = member;
        const m = /^Member\s+([0-9a-f]+) added to cluster\s+([0-9a-f]+)\n\nETCD_NAME="s4"\nETCD_INITIAL_CLUSTER="([^"]*)"\nETCD_INITIAL_ADVERTISE_PEER_URLS="([^"]*)"\nETCD_INITIAL_CLUSTER_STATE="existing"\n$/.exec(added.stdout);
        t.ok(m, `member add printed etcd's text: ${JSON.stringify(added.stdout)}`);
        s4Id = m?.[1] ?? '';
        t.equal(m?.[2], clusterId, 'the cluster id');
        t.same(m?.[3]?.split(',').sort(), [...founders, member].map((f) => `${f.name}=${f.peerUrl}`).sort(), 'ETCD_INITIAL_CLUSTER: every member, the new one included');
        t.equal(m?.[4], member.peerUrl);
        await c.cluster.waitReady(['s4'], CATCH_UP_TIMEOUT_MS);
        // A new member publishes its name and client URLs through the log; etcd serves clients only
        // after that, Flotilla may answer a little before, so wait for member list to show it.
        let lines: MemberLine[] = [];
        await waitUntil(async () => (lines = await memberList(t, c)).some((l) => l.id === s4Id && l.status === 'started'), {
          timeoutMs: PUBLISH_TIMEOUT_MS,
          what: () => `member list to show s4 started: ${JSON.stringify(lines)}`,
        }).catch((err: unknown) => t.fail(String(err)));
        const line = lines.find((l) => l.id === s4Id);
        t.same(line && { ...line, id: undefined }, { ...expectedLine(member, true), id: undefined }, 'member list shows it started, as a learner');
        t.equal(lines.length, 4);
      });
      if (!s4) return;
      const learner = s4;

      await t.test('the learner catches up: serializable reads, applied index, endpoint status', async (t) => {
        const last = `bulk/${BULK_KEYS - 1}`;
        await waitUntil(async () => (await ctl(c, ['get', last, '--consistency=s', '--print-value-only'], { endpoints: [learner.endpoint] })).stdout === `v-${BULK_KEYS - 1}\n`, {
          timeoutMs: CATCH_UP_TIMEOUT_MS,
          what: () => `a serializable get of ${last} on the learner`,
        }).then(
          () => t.pass(`serializable get of ${last} on the learner`),
          (err: unknown) => t.fail(String(err)),
        );
        const founderStatus = await endpointStatus(c, c.cluster.endpoints);
        const target = Math.max(...founderStatus.map((s) => s.Status.raftAppliedIndex));
        let learnerStatus: EndpointStatusJson | undefined;
        await waitUntil(
          async () => {
            learnerStatus = (await endpointStatus(c, [learner.endpoint]))[0];
            return (learnerStatus?.Status.raftAppliedIndex ?? 0) >= target;
          },
          { timeoutMs: CATCH_UP_TIMEOUT_MS, what: () => `the learner's applied index to reach ${target}; last status ${JSON.stringify(learnerStatus)}` },
        ).then(
          () => t.pass(`the learner's applied index reached the others' (${target})`),
          (err: unknown) => t.fail(String(err)),
        );
        t.equal(learnerStatus?.Status.isLearner, true, 'endpoint status says isLearner');
        t.equal(hexOf(learnerStatus?.Status.header.member_id ?? 0), s4Id, 'its member id');
        t.equal(await fails(t, c, ['get', last], { endpoints: [learner.endpoint] }), 'etcdserver: rpc not supported for learner', 'a learner serves no linearizable read');
        const refuses = {};
        for (const [args, stdin] of [
          [['put', 'from-learner', 'v'], undefined],
          [['del', `bulk/${BULK_KEYS - 1}`], undefined],
          [['txn'], '\n\nput from-learner v\n\n\n'],
        ] as const) {
          const e = await fails(t, c, args, { endpoints: [learner.endpoint], ...(stdin === undefined ? {} : { stdin }), extra: refuses });
          t.equal(e, 'etcdserver: rpc not supported for learner', `a learner refuses ${args[0]}`, refuses);
        }
        t.equal(await countKeys(t, c, 'from-learner'), 0, 'nothing was written through the learner', refuses);
        if ((await countKeys(t, c, `bulk/${BULK_KEYS - 1}`)) === 0) await ok(t, c, ['put', `bulk/${BULK_KEYS - 1}`, `v-${BULK_KEYS - 1}`]); // undo a delete it served
        // With --snapshot-count 100 the leader's log no longer starts at index 1, so the learner
        // can only have caught up from a snapshot; its log says which.
        const installed = c.cluster.installedSnapshots('s4');
        // Any snapshot past the first --snapshot-count entries is one the leader took after compacting.
        t.ok(installed.some((index) => index >= 100), `the learner installed a snapshot of the leader's (at Raft index ${installed.join(', ') || 'none'})`);
      });

      await t.test('member promote (retried until the learner is in sync)', async (t) => {
        const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
        const errors = new Set<string>();
        let out = '';
        for (;;) {
          const r = await ctl(c, ['member', 'promote', s4Id]);
          if (r.code === 0) {
            out = r.stdout;
            break;
          }
          errors.add(r.stderr.split('\n').filter((l) => l.startsWith('Error:')).at(-1) ?? r.stderr);
          if (Date.now() > deadline) break;
          await sleep(500);
        }
        t.match(out, new RegExp(`^Member\\s+${s4Id} promoted in cluster\\s+${clusterId}\\n$`), 'promoted');
        t.same([...errors].filter((e) => e !== `Error: ${NOT_IN_SYNC}`), [], `a refusal says "${NOT_IN_SYNC}"`);
        const line = (await memberList(t, c)).find((l) => l.id === s4Id);
        t.equal(line?.isLearner, 'false', 'member list: no longer a learner');
        t.equal(await fails(t, c, ['member', 'promote', s4Id]), 'etcdserver: can only promote a learner member', 'promoting a voter');
        await waitUntil(async () => (await ctl(c, ['get', `bulk/${BULK_KEYS - 1}`, '--print-value-only'], { endpoints: [learner.endpoint] })).code === 0, {
          timeoutMs: 10_000,
          what: () => 'a linearizable get on the promoted member',
        }).then(
          () => t.pass('the promoted member serves linearizable reads'),
          (err: unknown) => t.fail(String(err)),
        );
      });

      await t.test('member remove: the removed member stops by itself', async (t) => {
        const removedAt = Date.now();
        t.match(await ok(t, c, ['member', 'remove', s4Id]), new RegExp(`^Member\\s+${s4Id} removed from cluster\\s+${clusterId}\\n$`));
        const exit = await c.cluster.waitExit('s4', REMOVED_EXIT_TIMEOUT_MS).catch((err: unknown) => {
          t.fail(String(err));
          return undefined;
        });
        if (exit) {
          t.comment(`${c.kind}: the removed member exited ${JSON.stringify(exit)} ${Date.now() - removedAt} ms after member remove`);
          t.same(exit, { code: 0, signal: null }, 'it exits with status 0');
        }
        const lines = await memberList(t, c);
        t.same(lines.map((l) => l.name).sort(), founders.map((m) => m.name), 'member list: the founders only');
        t.equal(await fails(t, c, ['member', 'remove', s4Id]), 'etcdserver: member not found', 'removing it again');
        t.equal(await ok(t, c, ['put', 'after-remove', 'v']), 'OK\n', 'the cluster still commits');
      });
    },
  },
];
