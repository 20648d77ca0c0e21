// Real processes: a container that keeps crashing under restartPolicy Always is restarted with a
// back-off that doubles from the worker's --crash-loop-backoff-initial-ms, waits in
// CrashLoopBackOff meanwhile, and the kubelet records BackOff Events about the pod.
import t from 'tap';
import type { ContainerStatus } from '../../../core/index.js';
import { CRASH_LOOP_BACKOFF_INITIAL_MS, IS_ROOT, NODE_NAME, PodCluster } from './pod-cluster.js';

/** Go's time.Duration text as kubelet prints it (`500ms`, `1s`, `1m4s`) → ms. */
function goDurationMs(text: string): number {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  }
  return ms;
}

void t.test('a crashing container loops with a growing back-off, shows CrashLoopBackOff and BackOff Events', async (t) => {
  const cluster = await PodCluster.start(t);
  const ready = (await cluster.node()).status?.conditions?.find((c) => c.type === 'Ready');
  if (IS_ROOT) t.notMatch(ready?.message ?? '', /without namespaces/, `as root, the worker isolates containers (Ready: ${ready?.message ?? ''})`);
  else t.match(ready?.message, /without namespaces: not running as root/, 'not root: the Node says why containers are not isolated');
  await cluster.createPod('crasher', { restartPolicy: 'Always', containers: [{ name: 'app', image: 'flotilla/crash', args: ['3'] }] });

  // Every back-off the container waited in, in the order seen (one per restart).
  const delaysMs: number[] = [];
  // The pod's Ready condition and phase whenever it was seen backing off.
  const whileBackingOff = new Set<string>();
  const last = await cluster.waitForPod(
    'crasher',
    'four restarts, each after a back-off',
    (pod) => {
      const cs: ContainerStatus | undefined = pod.status?.containerStatuses?.[0];
      const waiting = cs?.state?.waiting;
      if (waiting?.reason === 'CrashLoopBackOff') {
        const m = /^back-off (\S+) restarting failed container=app pod=crasher_default\(/.exec(waiting.message ?? '');
        const delayMs = m === null ? NaN : goDurationMs(m[1]!);
        if (delaysMs[delaysMs.length - 1] !== delayMs) delaysMs.push(delayMs);
        whileBackingOff.add(`${pod.status?.phase} Ready=${pod.status?.conditions?.find((c) => c.type === 'Ready')?.status}`);
      }
      return cs !== undefined && cs.restartCount >= 4 && delaysMs.length >= 3 ? cs : undefined;
    },
    90_000,
  );
  t.ok(last.restartCount >= 4, `restartCount grows (${last.restartCount})`);
  t.match(last.lastState?.terminated, { exitCode: 3, reason: 'Error' }, 'lastState: the previous run exited 3');
  t.notOk(delaysMs.some(Number.isNaN), `every CrashLoopBackOff message names its back-off (${JSON.stringify(delaysMs)})`);
  // A poll can miss a short back-off, so what is checked is the shape: initial × 2^k, growing.
  for (const delayMs of delaysMs) t.ok(Number.isInteger(Math.log2(delayMs / CRASH_LOOP_BACKOFF_INITIAL_MS)), `${delayMs} ms is the initial back-off doubled k times`);
  for (let i = 1; i < delaysMs.length; i++) t.ok(delaysMs[i]! > delaysMs[i - 1]!, `back-offs grow (${delaysMs[i - 1]} → ${delaysMs[i]} ms)`);

  t.same([...whileBackingOff], ['Running Ready=False'], 'while its container backs off, the pod stays Running and is not Ready');

  const pod = await cluster.pod('crasher');

  const backOff = await cluster.waitForEvent('crasher', 'BackOff', /^Back-off restarting failed container app in pod crasher_default\(/);
  t.match(
    backOff,
    { type: 'Warning', involvedObject: { kind: 'Pod', namespace: 'default', name: 'crasher', uid: pod.metadata?.uid, fieldPath: 'spec.containers{app}' }, source: { component: 'kubelet', host: NODE_NAME } },
    'the BackOff Event is about the pod\'s container, from the kubelet of its node',
  );
  const reasons = new Set((await cluster.podEvents('crasher')).map((e) => e.reason));
  for (const reason of ['Pulled', 'Created', 'Started']) t.ok(reasons.has(reason), `a ${reason} Event was recorded`);
});
