// Jobs on a real cluster: flotilla/crash pods with backoffLimit 2 end Failed with
// BackoffLimitExceeded after 3 failed pods; 3 completions of flotilla/sleep 1, 2 at a time, end
// Complete with 3 succeeded pods.
import t from 'tap';
import type { Job } from '../../../core/index.js';
import { ControllerCluster, NAMESPACE } from './controller-cluster.js';

const JOBS = { group: 'batch', version: 'v1', resource: 'jobs' } as const;
const CRASHING = `apiVersion: batch/v1
kind: Job
metadata: {name: crasher}
spec:
  backoffLimit: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: flotilla/crash, args: ["3"]}]
`;
const SLEEPING = `apiVersion: batch/v1
kind: Job
metadata: {name: sleeper}
spec:
  completions: 3
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: flotilla/sleep, args: ["1"]}]
`;

async function waitForCondition(cluster: ControllerCluster, name: string, type: string, timeoutMs: number): Promise<Job> {
  let last: Job | undefined;
  return cluster.waitFor(
    () => `job ${name} ${type} (last status: ${JSON.stringify(last?.status)})`,
    async () => {
      last = await cluster.client.get<Job>({ ...JOBS, namespace: NAMESPACE, name });
      return last.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true ? last : undefined;
    },
    timeoutMs,
  );
}

void t.test('jobs fail past their backoff limit and complete their completions', async (t) => {
  const cluster = await ControllerCluster.start(t, { workers: ['w1'] });
  await cluster.kubectlOk(['apply', '-f', '-'], CRASHING);
  await cluster.kubectlOk(['apply', '-f', '-'], SLEEPING);

  const done = await waitForCondition(cluster, 'sleeper', 'Complete', 60_000);
  t.equal(done.status?.succeeded, 3, '3 pods succeeded');
  t.notOk(done.status?.failed, 'none failed');
  const sleeperPods = await cluster.pods('job-name=sleeper');
  t.equal(sleeperPods.filter((p) => p.status?.phase === 'Succeeded').length, 3, 'the 3 pods are Succeeded');
  t.ok(done.status?.completionTime, 'completionTime is set');
  const wait = await cluster.kubectl(['wait', '--for=condition=complete', 'job/sleeper', '--timeout=10s']);
  t.equal(wait.code, 0, `kubectl wait sees it complete: ${wait.stderr}`);

  // Pod failure back-off (10 s, 20 s in kube) makes the third failure come after ~30 s.
  const failed = await waitForCondition(cluster, 'crasher', 'Failed', 90_000);
  const condition = failed.status?.conditions?.find((c) => c.type === 'Failed');
  t.equal(condition?.reason, 'BackoffLimitExceeded', 'the Failed condition says BackoffLimitExceeded');
  t.equal(failed.status?.failed, 3, 'backoffLimit 2 allows 3 failed pods');
  t.equal((await cluster.pods('job-name=crasher')).filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending').length, 0, 'no crasher pod is left running');
});
