// etcdctl lease: grant, keep-alive --once, timetolive --keys, list, revoke, and expiry (decided by
// the leader, committed through Raft).
import { sleep, waitUntil } from '../harness/index.js';
import type { Case } from './context.js';
import { currentRevision, fails, ok } from './context.js';

/** A lease's TTL short enough to wait for, long enough not to expire between two commands. */
const SHORT_TTL_SECONDS = 3;
/** How long past its TTL a lease may take to expire (a leader's check interval, Raft, slow CI). */
const EXPIRY_SLACK_MS = 15_000;

function grantedId(t: Parameters<Case['run']>[0], out: string, ttl: number): string {
  const m = /^lease ([0-9a-f]+) granted with TTL\((\d+)s\)\n$/.exec(out);
  t.ok(m, `lease grant printed "lease ID granted with TTL(${ttl}s)": ${JSON.stringify(out)}`);
  t.equal(m?.[2], String(ttl), 'granted TTL');
  return m?.[1] ?? '0';
}

export const LEASE_CASES: readonly Case[] = [
  {
    name: 'lease grant, keep-alive --once, timetolive --keys, list, revoke deletes attached keys',
    run: async (t, c) => {
      const id = grantedId(t, await ok(t, c, ['lease', 'grant', '60']), 60);
      await ok(t, c, ['put', 'lease/k1', 'v1', `--lease=${id}`]);
      await ok(t, c, ['put', 'lease/k2', 'v2', `--lease=${id}`]);
      await ok(t, c, ['put', 'lease/free', 'v']);
      const ttl = await ok(t, c, ['lease', 'timetolive', id, '--keys']);
      const m = /^lease ([0-9a-f]+) granted with TTL\(60s\), remaining\((\d+)s\), attached keys\(\[(.*)\]\)\n$/.exec(ttl);
      t.ok(m, `timetolive --keys: ${JSON.stringify(ttl)}`);
      t.equal(m?.[1], id);
      t.ok(Number(m?.[2]) >= 50 && Number(m?.[2]) <= 60, `remaining ${m?.[2]}s of 60`);
      t.same(m?.[3]?.split(' ').sort(), ['lease/k1', 'lease/k2'], 'attached keys (etcd lists them in no fixed order)');
      t.match(await ok(t, c, ['lease', 'timetolive', id]), new RegExp(`^lease ${id} granted with TTL\\(60s\\), remaining\\(\\d+s\\)\\n$`));
      t.equal(await ok(t, c, ['lease', 'keep-alive', '--once', id]), `lease ${id} keepalived with TTL(60)\n`);
      const list = await ok(t, c, ['lease', 'list']);
      t.match(list, /^found \d+ leases\n/, 'lease list header');
      t.ok(list.split('\n').includes(id), `lease list shows ${id}: ${JSON.stringify(list)}`);
      const leaseField = /"Lease" : (\d+)/.exec(await ok(t, c, ['get', 'lease/k1', '-w', 'fields']))?.[1];
      t.equal(leaseField === undefined ? undefined : BigInt(leaseField), BigInt(`0x${id}`), 'get -w fields shows the key\'s lease');

      const r0 = await currentRevision(t, c);
      t.equal(await ok(t, c, ['lease', 'revoke', id]), `lease ${id} revoked\n`);
      t.equal(await ok(t, c, ['get', 'lease/', '--prefix']), 'lease/free\nv\n', 'the attached keys are gone, the other stays');
      t.equal(await currentRevision(t, c), r0 + 1, 'revoking deletes its keys in one revision');
      t.equal(await ok(t, c, ['lease', 'timetolive', id]), `lease ${id} already expired\n`);
      t.notOk((await ok(t, c, ['lease', 'list'])).split('\n').includes(id), 'not listed any more');
      t.equal(await fails(t, c, ['lease', 'revoke', id]), 'failed to revoke lease (etcdserver: requested lease not found)');
      t.equal(await fails(t, c, ['put', 'lease/k3', 'v', `--lease=${id}`]), 'etcdserver: requested lease not found');
    },
  },
  {
    name: 'a TTL below the minimum is raised to it (1.5 election timeouts, rounded up)',
    run: async (t, c) => {
      const id = grantedId(t, await ok(t, c, ['lease', 'grant', '1']), 2);
      await ok(t, c, ['lease', 'revoke', id]);
    },
  },
  {
    name: `a key attached to a ${SHORT_TTL_SECONDS} s lease disappears after the lease expires`,
    run: async (t, c) => {
      const grantedAt = Date.now();
      const id = grantedId(t, await ok(t, c, ['lease', 'grant', String(SHORT_TTL_SECONDS)]), SHORT_TTL_SECONDS);
      await ok(t, c, ['put', 'lease/short', 'v', `--lease=${id}`]);
      t.equal(await ok(t, c, ['get', 'lease/short']), 'lease/short\nv\n', 'there while the lease lives');
      const deadline = grantedAt + SHORT_TTL_SECONDS * 1000 + EXPIRY_SLACK_MS;
      let goneAt: number | undefined;
      while (Date.now() < deadline) {
        if ((await ok(t, c, ['get', 'lease/short'])) === '') {
          goneAt = Date.now();
          break;
        }
        await sleep(250);
      }
      t.ok(goneAt !== undefined, `gone within ${SHORT_TTL_SECONDS} s + ${EXPIRY_SLACK_MS / 1000} s`);
      if (goneAt !== undefined) {
        t.ok(goneAt - grantedAt >= SHORT_TTL_SECONDS * 1000 - 500, `not before its TTL (gone after ${goneAt - grantedAt} ms)`);
        t.comment(`${c.kind}: the key was gone ${goneAt - grantedAt} ms after the grant`);
      }
      t.equal(await ok(t, c, ['lease', 'timetolive', id]), `lease ${id} already expired\n`);
      const last = c.cluster.endpoints.slice(-1);
      const serializable = async (): Promise<boolean> => (await ok(t, c, ['get', 'lease/short', '--consistency=s'], { endpoints: last })) === '';
      await waitUntil(serializable, { timeoutMs: 5_000, what: () => `${last[0]} to apply the expiry` }).then(
        () => t.pass('every member applied the expiry (serializable read)'),
        (err: unknown) => t.fail(String(err)),
      );
    },
  },
];
