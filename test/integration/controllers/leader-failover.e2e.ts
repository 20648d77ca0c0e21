// Three masters with short leader leases and one worker. The master holding the
// kube-controller-manager lease is killed with SIGKILL: another master takes the lease and its
// controllers act (a Deployment scaled with kubectl gets its pods). The same for the master
// holding the kube-scheduler lease: another master takes it and binds the new pods. Before that,
// the store's Raft leader is seen to be another master than the controller manager's.
import t from 'tap';
import type { Test } from 'tap';
import type { Pod } from '../../../core/index.js';
import { ControllerCluster, isPodRunningReady } from './controller-cluster.js';

const LEASE_DURATION_S = 4;
const LEADER_ARGS = [`--leader-elect-lease-duration=${LEASE_DURATION_S}`, '--leader-elect-renew-deadline=3', '--leader-elect-retry-period=1'];
/** How long a takeover may take: the lease duration as a survivor observes it, plus retries with jitter. */
const TAKEOVER_TIMEOUT_MS = 3 * LEASE_DURATION_S * 1000 + 5_000;
const CM_LEASE = 'kube-controller-manager';
const SCHED_LEASE = 'kube-scheduler';

async function waitForRunning(cluster: ControllerCluster, count: number): Promise<Pod[]> {
  let last: Pod[] = [];
  return cluster.waitFor(
    () => `${count} Running web pods (last: ${JSON.stringify(last.map((p) => [p.metadata?.name, p.spec?.nodeName, p.status?.phase]))})`,
    async () => {
      last = await cluster.pods('app=web');
      return last.length === count && last.every(isPodRunningReady) ? last : undefined;
    },
    60_000,
  );
}

/** Kills the master holding `lease` (SIGKILL) and waits for another master to hold it; returns the killed one. */
async function killHolder(t: Test, cluster: ControllerCluster, lease: string): Promise<string> {
  const before = await cluster.leaseHolder(lease);
  t.ok(before.master, `${lease} is held by a master (${before.identity})`);
  const victim = before.master!;
  const survivors = cluster.masterNames().filter((m) => m !== victim);
  cluster.writeKubeconfig(cluster.masterIndex(survivors[0]!));
  await cluster.killMaster(victim, 'SIGKILL');
  const after = await cluster.waitFor(
    `another master to take the ${lease} lease from ${victim}`,
    async () => {
      const h = await cluster.leaseHolder(lease).catch(() => undefined);
      return h !== undefined && h.identity !== before.identity && h.master !== undefined ? h : undefined;
    },
    TAKEOVER_TIMEOUT_MS,
  );
  t.ok(survivors.includes(after.master!), `${after.master} took the ${lease} lease`);
  return victim;
}

void t.test('after the lease holder is killed, another master runs the controllers and the scheduler', async (t) => {
  const cluster = await ControllerCluster.start(t, { masters: 3, workers: ['w1'], masterArgs: LEADER_ARGS });
  await cluster.kubectlOk(['create', 'deployment', 'web', '--image=flotilla/echo', '--replicas=1']);
  await waitForRunning(cluster, 1);

  const cmHolder = (await cluster.leaseHolder(CM_LEASE)).master;
  const schedHolder = (await cluster.leaseHolder(SCHED_LEASE)).master;
  // The controller manager's master hands its store member's Raft leadership to another member.
  const storeLeader = await cluster.waitFor(
    `the store leader to be another master than ${cmHolder ?? '?'}`,
    async () => {
      const leader = await cluster.storeLeader();
      return leader !== undefined && leader !== cmHolder ? leader : undefined;
    },
    15_000,
  );
  t.not(storeLeader, cmHolder, `the store leader (${storeLeader}) is not the controller manager's master (${cmHolder ?? '?'})`);
  const killed = await killHolder(t, cluster, CM_LEASE);
  if (schedHolder === cmHolder) {
    await cluster.waitFor(`another master to take the ${SCHED_LEASE} lease`, async () => {
      const h = await cluster.leaseHolder(SCHED_LEASE).catch(() => undefined);
      return h?.master !== undefined && h.master !== killed ? h : undefined;
    }, TAKEOVER_TIMEOUT_MS);
    t.pass('the scheduler lease moved with it');
  }
  await cluster.kubectlOk(['scale', 'deployment/web', '--replicas=2']);
  await waitForRunning(cluster, 2);
  t.pass('the new controller manager (and scheduler) created and placed the second pod');

  if (schedHolder !== cmHolder) {
    // Bring the first victim back so the store keeps its quorum when the scheduler's holder dies.
    cluster.restartMaster(killed);
    await cluster.waitFor(`${killed} to rejoin`, async () => (cluster.log(`${killed}.log`).split('\n').filter((l) => l.includes('serving the resource API')).length >= 2 ? true : undefined), 40_000);
    await killHolder(t, cluster, SCHED_LEASE);
  } else {
    t.pass('one kill covered both leases');
  }
  await cluster.kubectlOk(['scale', 'deployment/web', '--replicas=3']);
  const pods = await waitForRunning(cluster, 3);
  t.ok(pods.every((p) => p.spec?.nodeName === 'w1'), 'every pod is bound after the failovers');
});
