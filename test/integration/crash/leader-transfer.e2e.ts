// Writes keep succeeding while leadership moves again and again (etcdctl move-leader, what a
// master does when it runs the control plane): 64 clients spread over all members put through ten
// transfers, and none fails or waits out a timeout. (The leader holds proposals that reach it
// mid-transfer and replays them to the new leader; the window is a loopback round trip, so this
// load does not always land in it: a smoke test of the whole path, not a reproduction.)
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { runStoreBench } from '../../../bench/index.js';
import { sleep, StoreCluster } from './store-process.js';

const TRANSFERS = 10;

const etcdctl = spawnSync('etcdctl', ['version'], { encoding: 'utf8' });
const skip = etcdctl.error ? 'etcdctl is not installed' : false;

void t.test('puts from clients on every member all succeed across leadership transfers', { skip }, async (t) => {
  const cluster = await StoreCluster.start(t, 'transfer');
  const load = runStoreBench({ endpoints: cluster.endpoints, clients: 64, total: 20_000, valSize: 256, op: 'put', serializable: false });
  const moved: number[] = [];
  for (let i = 0; i < TRANSFERS; i++) {
    await sleep(100);
    const leader = await cluster.waitForLeader();
    const to = (leader + 1) % cluster.members.length;
    const id = (await cluster.members[to]!.status())!.id;
    const r = spawnSync('etcdctl', ['--endpoints', cluster.members[leader]!.clientEndpoint, 'move-leader', id], { encoding: 'utf8' });
    t.equal(r.status, 0, `move-leader ${leader} → ${to}: ${r.stdout.trim()}${r.stderr.trim()}`);
    moved.push(await cluster.waitForLeader());
  }
  const result = await load;
  t.equal(moved.length, TRANSFERS, `leadership moved ${TRANSFERS} times (${moved.join(', ')})`);
  t.equal(result.errors, 0, `no put failed (${result.ops} puts, p99 ${result.p99Ms} ms)`);
  t.ok(result.p99Ms < 2_000, `no put waited out a timeout (p99 ${result.p99Ms} ms)`);
});
