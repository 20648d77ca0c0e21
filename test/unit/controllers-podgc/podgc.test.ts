// The pod GC under the framework's harness: pods of a deleted node go after the quarantine,
// unscheduled terminating pods go, terminated pods beyond the threshold go oldest first.
import t from 'tap';
import type { Node, Pod } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import { podGcController } from '../../../actors/index.js';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };
const NS = 'default';

function pod(name: string, nodeName: string, phase: NonNullable<Pod['status']>['phase'] = 'Running'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { ...(nodeName === '' ? {} : { nodeName }), containers: [{ name: 'c', image: 'x' }] }, status: { phase } };
}

async function names(h: ControllerTestHarness): Promise<string[]> {
  return (await h.store.list<Pod>(PODS, { namespace: NS })).items.map((p) => p.metadata?.name ?? '').sort();
}

void t.test('pods bound to a node that is gone are deleted after the 40 s quarantine', async (t) => {
  const h = new ControllerTestHarness({ controllers: [podGcController] });
  t.teardown(() => h.stop());
  await h.start();
  await h.store.create<Node>(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  await h.store.create(PODS, pod('on-n1', 'n1'));
  await h.store.create(PODS, pod('on-ghost', 'ghost'));
  await h.advance(30_000);
  t.same(await names(h), ['on-ghost', 'on-n1'], 'within the quarantine');
  await h.advance(15_000);
  t.same(await names(h), ['on-n1'], 'the ghost node’s pod is gone');
  await h.store.delete({ ...NODES, name: 'n1' });
  await h.advance(45_000);
  t.same(await names(h), []);
  t.end();
});

void t.test('unscheduled terminating pods go; terminated pods beyond the threshold go oldest first', async (t) => {
  const h = new ControllerTestHarness({ controllers: [podGcController], settings: { terminatedPodGCThreshold: 2 } });
  t.teardown(() => h.stop());
  await h.start();
  await h.store.create(PODS, { ...pod('stuck', ''), metadata: { name: 'stuck', namespace: NS, finalizers: ['x'] } });
  await h.store.delete({ ...PODS, namespace: NS, name: 'stuck' });
  await h.store.create<Node>(NODES, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
  for (let i = 1; i <= 4; i++) {
    await h.store.create(PODS, pod(`done-${i}`, 'n1', i % 2 === 0 ? 'Succeeded' : 'Failed'));
    await h.advance(1_000);
  }
  await h.store.create(PODS, pod('running', 'n1'));
  await h.advance(1_000);
  const left = await names(h);
  // The in-memory store keeps a pod with finalizers, so only the delete requests show the force delete.
  t.ok(h.store.requestCount('delete') >= 1 + 1 + 2, 'the stuck pod and two terminated pods were deleted');
  t.same(left.filter((n) => n.startsWith('done')), ['done-3', 'done-4'], 'the two oldest terminated pods went');
  t.ok(left.includes('running'));
  t.end();
});
