// Real processes: `kill -9` of the worker leaves its containers running; the restarted worker
// re-adopts them (same containerID, restartCount unchanged) and their logs continue without a
// gap; a container that exited while the worker was down is reported with its real exit code.
import t from 'tap';
import { sleep, waitUntil } from '../harness/index.js';
import { PodCluster, processGroupAlive } from './pod-cluster.js';

/** The tick numbers in a log of `tick N` lines. */
const ticks = (lines: readonly string[]): number[] => lines.flatMap((l) => (/^tick (\d+)$/.exec(l) ? [Number(l.slice(5))] : []));

void t.test('a worker killed with SIGKILL and restarted re-adopts its running containers', async (t) => {
  const cluster = await PodCluster.start(t);
  await cluster.createPod('survivor', {
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'app', image: 'flotilla/shell', command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done'] }],
  });
  await cluster.createPod('ender', {
    restartPolicy: 'Never',
    containers: [{ name: 'app', image: 'flotilla/shell', command: ['sh', '-c', 'echo bye soon; sleep 3; exit 3'] }],
  });
  const before = await cluster.waitForPod('survivor', 'its container running', (p) => {
    const cs = p.status?.containerStatuses?.[0];
    return cs?.state?.running !== undefined && cs.containerID !== undefined ? cs : undefined;
  });
  await cluster.waitForPod('ender', 'its container running', (p) => (p.status?.containerStatuses?.[0]?.state?.running !== undefined ? true : undefined));
  const containerID = before.containerID!;
  const pid = cluster.containerRecord(containerID)?.pid;
  t.ok(pid !== undefined && processGroupAlive(pid), 'the container runs');
  await waitUntil(() => ticks(cluster.containerLog(containerID)).length >= 3, { timeoutMs: 30_000, what: () => 'the container to log a few ticks' });

  await cluster.killWorker('SIGKILL');
  const ticksAtKill = ticks(cluster.containerLog(containerID)).length;
  // Long enough for `ender` to exit while no worker watches it.
  await sleep(4_000);
  t.ok(pid !== undefined && processGroupAlive(pid), 'the container keeps running while its worker is down');

  await cluster.startWorker();
  await sleep(2_000);
  const after = await cluster.waitForPod('survivor', 'its container reported running by the new worker', (p) => {
    const cs = p.status?.containerStatuses?.[0];
    return cs?.state?.running !== undefined ? cs : undefined;
  });
  t.equal(after.containerID, containerID, 'the same container (re-adopted, not started again)');
  t.equal(after.restartCount, before.restartCount, 'restartCount unchanged');
  t.ok(pid !== undefined && processGroupAlive(pid), 'the same process still runs');

  const seen = ticks(cluster.containerLog(containerID));
  t.ok(seen.length > ticksAtKill, `the log continues after the restart (${ticksAtKill} → ${seen.length} ticks)`);
  t.same(seen, seen.map((_, i) => i + 1), 'without a gap: what the container wrote while no worker read it is in the log too');

  const ended = await cluster.waitForPod('ender', 'its exit reported', (p) => p.status?.containerStatuses?.[0]?.state?.terminated);
  t.match(ended, { exitCode: 3, reason: 'Error' }, 'the exit that happened while the worker was down is reported with its exit code');
  t.equal((await cluster.pod('ender')).status?.phase, 'Failed', 'and the pod failed (restartPolicy Never)');
});
