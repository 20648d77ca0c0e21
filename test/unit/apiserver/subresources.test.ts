// The scale subresource (GET, PUT, PATCH) and pods/binding, with kube's answers.
import t from 'tap';
import type { Test } from 'tap';
import { asRecord, at, causeFields, configMapManifest, deploymentManifest, expectStatus, podManifest, startTestApiServer } from './harness.js';
import type { TestApiServer } from './harness.js';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const PODS = '/api/v1/namespaces/default/pods';

async function withDeployment(t: Test): Promise<TestApiServer> {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  const created = await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web', 2) });
  if (created.status !== 201) throw new Error(`setup: ${created.text}`);
  return s;
}

void t.test('GET scale is an autoscaling/v1 Scale of the workload', async (t) => {
  const s = await withDeployment(t);
  const deployment = asRecord((await s.request({ path: `${DEPLOYMENTS}/web` })).json);
  const scale = await s.request({ path: `${DEPLOYMENTS}/web/scale` });
  t.equal(scale.status, 200);
  t.same(scale.json, {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: at(deployment, 'metadata.uid'),
      resourceVersion: at(deployment, 'metadata.resourceVersion'),
      creationTimestamp: at(deployment, 'metadata.creationTimestamp'),
    },
    spec: { replicas: 2 },
    status: { replicas: 0, selector: 'app=web' },
  });
  expectStatus(t, await s.request({ path: `${DEPLOYMENTS}/nope/scale` }), 404, 'NotFound', 'deployments.apps "nope" not found');
  await s.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: configMapManifest('c') });
  expectStatus(t, await s.request({ path: '/api/v1/namespaces/default/configmaps/c/scale' }), 404, 'NotFound', undefined, 'a kind without scale');
});

void t.test('PUT and PATCH scale set spec.replicas and bump the generation', async (t) => {
  const s = await withDeployment(t);
  const scale = asRecord((await s.request({ path: `${DEPLOYMENTS}/web/scale` })).json);
  const put = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web/scale`, body: { ...scale, spec: { replicas: 3 } } });
  t.equal(put.status, 200);
  t.equal(at(put.json, 'spec.replicas'), 3);
  const afterPut = await s.request({ path: `${DEPLOYMENTS}/web` });
  t.equal(at(afterPut.json, 'spec.replicas'), 3, 'the deployment has the new replicas');
  t.equal(at(afterPut.json, 'metadata.generation'), 2, 'and a new generation');

  for (const [type, body, want] of [
    ['application/merge-patch+json', { spec: { replicas: 5 } }, 5],
    ['application/strategic-merge-patch+json', { spec: { replicas: 6 } }, 6],
    ['application/json-patch+json', [{ op: 'replace', path: '/spec/replicas', value: 1 }], 1],
  ] as const) {
    const patched = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web/scale`, body, headers: { 'Content-Type': type } });
    t.equal(patched.status, 200, `${type} answers 200`);
    t.equal(at(patched.json, 'spec.replicas'), want, `${type} sets replicas`);
    t.equal(at((await s.request({ path: `${DEPLOYMENTS}/web` })).json, 'spec.replicas'), want, `${type} reaches the deployment`);
  }

  const stale = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web/scale`, body: { ...scale, spec: { replicas: 9 } } });
  expectStatus(t, stale, 409, 'Conflict', /^Operation cannot be fulfilled on deployments\.apps "web": the object has been modified/);
});

void t.test('a negative scale is 422 Invalid on spec.replicas; a scale that is not a number is 400', async (t) => {
  const s = await withDeployment(t);
  const negative = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web/scale`, body: { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: -3 } } });
  expectStatus(t, negative, 422, 'Invalid', 'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -3: must be greater than or equal to 0');
  t.same(causeFields(negative), ['spec.replicas']);
  t.same(at(negative.json, 'details.group'), 'autoscaling');
  t.same(at(negative.json, 'details.kind'), 'Scale');
  const negativePatch = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web/scale`, body: { spec: { replicas: -1 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  expectStatus(t, negativePatch, 422, 'Invalid');
  const text = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web/scale`, body: { spec: { replicas: 'many' } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  expectStatus(t, text, 400, 'BadRequest');
  t.equal(at((await s.request({ path: `${DEPLOYMENTS}/web` })).json, 'spec.replicas'), 2, 'nothing changed');
  expectStatus(t, await s.request({ method: 'POST', path: `${DEPLOYMENTS}/web/scale`, body: {} }), 405, 'MethodNotAllowed', undefined, 'POST scale');
});

void t.test('pods/binding assigns the node once, with the PodScheduled condition', async (t) => {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  t.equal((await s.request({ method: 'POST', path: PODS, body: podManifest('p') })).status, 201);
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } };
  const bound = await s.request({ method: 'POST', path: `${PODS}/p/binding`, body: binding });
  t.equal(bound.status, 201, `binding answers 201 (${bound.text.slice(0, 200)})`);
  t.same(bound.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  const pod = await s.request({ path: `${PODS}/p` });
  t.equal(at(pod.json, 'spec.nodeName'), 'n1', 'the pod is on the node');
  const conditions = at(pod.json, 'status.conditions') as Record<string, unknown>[] | undefined;
  t.same(conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True', 'with PodScheduled True');
  t.equal(at(pod.json, 'status.phase'), 'Pending', 'the rest of the status is kept');

  const again = await s.request({ method: 'POST', path: `${PODS}/p/binding`, body: { ...binding, target: { kind: 'Node', name: 'n2' } } });
  expectStatus(t, again, 409, 'Conflict', 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "n1"');
  t.equal(at((await s.request({ path: `${PODS}/p` })).json, 'spec.nodeName'), 'n1', 'the first binding stands');

  expectStatus(t, await s.request({ method: 'POST', path: `${PODS}/nope/binding`, body: { ...binding, metadata: { name: 'nope' } } }), 404, 'NotFound', 'pods "nope" not found');
  expectStatus(t, await s.request({ method: 'POST', path: `${PODS}/p/binding`, body: { metadata: { name: 'p' }, target: {} } }), 400, 'BadRequest', undefined, 'a binding without a target');
  expectStatus(t, await s.request({ method: 'POST', path: `${PODS}/p/binding`, body: { ...binding, metadata: { name: 'other' } } }), 400, 'BadRequest', 'the name of the object (other) does not match the name on the URL (p)');
  expectStatus(t, await s.request({ path: `${PODS}/p/binding` }), 405, 'MethodNotAllowed', undefined, 'GET binding');
});

void t.test('a pod being deleted cannot be bound', async (t) => {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  const pod = podManifest('p');
  (pod.metadata as Record<string, unknown>).finalizers = ['example.com/hold'];
  t.equal((await s.request({ method: 'POST', path: PODS, body: pod })).status, 201);
  t.equal((await s.request({ method: 'DELETE', path: `${PODS}/p` })).status, 202, 'a pod with a finalizer is only marked');
  const bind = await s.request({ method: 'POST', path: `${PODS}/p/binding`, body: { metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } } });
  expectStatus(t, bind, 409, 'Conflict', 'Operation cannot be fulfilled on pods "p": pod p is being deleted, cannot be assigned to a host');
});
