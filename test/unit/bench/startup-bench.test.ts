// `bench startup` against the in-memory API with a fake kubelet: every pod is counted once, at
// the event where all its containers run; the stages come in order; everything is cleaned up.
import t from 'tap';
import type { Pod } from '../../../core/index.js';
import { InMemoryResourceClient } from '../../../core/index.js';
import { runStartupBench, STARTUP_BENCH_LABEL } from '../../../bench/index.js';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

/**
 * Reports a pod IP a timer after seeing the pod (so after the create's answer, whatever the order
 * of the in-memory client's callbacks), then after `runAfterMs` a running container, as a kubelet would.
 */
function fakeKubelet(client: InMemoryResourceClient, runAfterMs: number): () => void {
  const reported = new Set<string>();
  const watch = client.watch(PODS, { namespace: 'default', resourceVersion: '0' }, (events) => {
    for (const event of events) {
      const pod = event.object as Pod;
      const name = pod.metadata?.name ?? '';
      if (event.type !== 'ADDED' || reported.has(name)) continue;
      reported.add(name);
      void (async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const withIp = await client.updateStatus<Pod>(PODS, { ...pod, status: { phase: 'Pending', podIP: '127.64.0.2' } });
        await new Promise((resolve) => setTimeout(resolve, runAfterMs));
        await client.updateStatus<Pod>(PODS, {
          ...withIp,
          status: { ...withIp.status, phase: 'Running', containerStatuses: [{ name: 'sleep', image: 'flotilla/sleep', imageID: '', ready: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }] },
        });
      })();
    }
  }, () => {});
  return () => watch.stop();
}

void t.test('startup latency counts each pod once it runs, with the stages before it', async (t) => {
  const client = new InMemoryResourceClient();
  const stop = fakeKubelet(client, 30);
  t.teardown(stop);
  const lines: string[] = [];
  const result = await runStartupBench({ client, nodes: ['w1', 'w2'], pods: 12, createRatePerSecond: 200, timeoutMs: 5_000, progress: (line) => lines.push(line) });
  t.equal(result.pods, 12);
  t.equal(result.started, 12);
  t.ok(result.p50Ms >= 30, `p50 ${result.p50Ms} ms includes the kubelet's 30 ms`);
  t.ok(result.p50Ms <= result.p90Ms && result.p90Ms <= result.p99Ms && result.p99Ms <= result.maxMs);
  const { acked, seen, reported, running } = result.stages;
  t.ok(acked.p50Ms <= reported.p50Ms && seen.p50Ms <= reported.p50Ms, 'the API answers before the kubelet reports');
  t.ok(reported.p50Ms < running.p50Ms, 'a pod IP is reported before the container runs');
  t.same(running, { p50Ms: result.p50Ms, p99Ms: result.p99Ms });
  t.ok(lines.includes('deleting the benchmark pods'));
  const left = await client.list(PODS, { namespace: 'default', labelSelector: STARTUP_BENCH_LABEL });
  t.equal(left.items.length, 0, 'every benchmark pod is deleted');
});

void t.test('pods that never run are not counted, and the bench gives up at its timeout', async (t) => {
  const client = new InMemoryResourceClient();
  const result = await runStartupBench({ client, nodes: ['w1'], pods: 3, createRatePerSecond: 1_000, timeoutMs: 300 });
  t.equal(result.started, 0);
  t.same(result.stages.running, { p50Ms: 0, p99Ms: 0 });
  t.equal(result.stages.reported.p50Ms, 0, 'nothing reported');
  t.equal(result.maxMs, 0);
});
