// Create, get, list, update, patch and delete over HTTP with kube-apiserver's exact codes,
// reasons, messages and details, for several kinds.
import t from 'tap';
import type { Test } from 'tap';
import { asRecord, at, configMapManifest, deploymentManifest, expectStatus, podManifest, serviceManifest, startTestApiServer } from './harness.js';
import type { TestApiServer } from './harness.js';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
const PODS = '/api/v1/namespaces/default/pods';
const OPTIMISTIC_LOCK = 'the object has been modified; please apply your changes to the latest version and try again';

async function started(t: Test): Promise<TestApiServer> {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  return s;
}

void t.test('create, get, list and delete for core and apps kinds', async (t) => {
  const s = await started(t);
  for (const [collection, manifest, kind, listKind] of [
    [CONFIGMAPS, configMapManifest('cm1'), 'ConfigMap', 'ConfigMapList'],
    [PODS, podManifest('pod1'), 'Pod', 'PodList'],
    ['/api/v1/namespaces/default/services', serviceManifest('svc1'), 'Service', 'ServiceList'],
    [DEPLOYMENTS, deploymentManifest('web'), 'Deployment', 'DeploymentList'],
  ] as const) {
    const name = String(at(manifest, 'metadata.name'));
    const created = await s.request({ method: 'POST', path: collection, body: manifest });
    t.equal(created.status, 201, `${kind}: create is 201`);
    t.equal(at(created.json, 'kind'), kind);
    t.equal(at(created.json, 'metadata.namespace'), 'default', `${kind}: the namespace comes from the URL`);
    t.match(at(created.json, 'metadata.uid'), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, `${kind}: a v4 uid`);
    t.match(at(created.json, 'metadata.resourceVersion'), /^\d+$/, `${kind}: a resourceVersion`);
    t.equal(at(created.json, 'metadata.creationTimestamp'), '2025-01-01T00:00:00Z', `${kind}: creationTimestamp from the injected clock`);

    const got = await s.request({ path: `${collection}/${name}` });
    t.equal(got.status, 200);
    t.same(got.json, created.json, `${kind}: get returns what create stored`);

    const list = await s.request({ path: collection });
    t.equal(at(list.json, 'kind'), listKind);
    t.same((at(list.json, 'items') as unknown[]).map((i) => at(i, 'metadata.name')), [name], `${kind}: the list has the object`);
    t.ok(Number(at(list.json, 'metadata.resourceVersion')) >= Number(at(created.json, 'metadata.resourceVersion')), `${kind}: the list is at or after the create`);

    const deleted = await s.request({ method: 'DELETE', path: `${collection}/${name}` });
    t.equal(deleted.status, 200, `${kind}: delete is 200`);
    t.equal(at(deleted.json, 'metadata.uid'), at(created.json, 'metadata.uid'), `${kind}: delete returns the deleted object`);
    const gone = await s.request({ path: `${collection}/${name}` });
    t.equal(gone.status, 404, `${kind}: gone after delete`);
  }
});

void t.test('409 AlreadyExists on a taken name', async (t) => {
  const s = await started(t);
  await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web') });
  const again = await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web') });
  expectStatus(t, again, 409, 'AlreadyExists', 'deployments.apps "web" already exists');
  t.same(at(again.json, 'details'), { name: 'web', group: 'apps', kind: 'deployments' }, 'details name the object');
  const cm = await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('c') });
  t.equal(cm.status, 201);
  const cmAgain = await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('c') });
  expectStatus(t, cmAgain, 409, 'AlreadyExists', 'configmaps "c" already exists');
  t.same(at(cmAgain.json, 'details'), { name: 'c', kind: 'configmaps' }, 'no group for the core group');
});

void t.test('update: stale resourceVersion is 409 Conflict, none is unconditional, names must match', async (t) => {
  const s = await started(t);
  const created = asRecord((await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web') })).json);
  const first = structuredClone(created);
  (first.metadata as Record<string, unknown>).labels = { app: 'web', tier: 'front' };
  const updated = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web`, body: first });
  t.equal(updated.status, 200, 'an update at the current resourceVersion succeeds');
  t.same(at(updated.json, 'metadata.labels'), { app: 'web', tier: 'front' });
  t.not(at(updated.json, 'metadata.resourceVersion'), at(created.json, 'metadata.resourceVersion'), 'the resourceVersion moves');

  const stale = structuredClone(created);
  (stale.metadata as Record<string, unknown>).labels = { app: 'web', lost: 'update' };
  const conflict = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web`, body: stale });
  expectStatus(t, conflict, 409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "web": ${OPTIMISTIC_LOCK}`);
  t.same(at(conflict.json, 'details'), { name: 'web', group: 'apps', kind: 'deployments' });
  const after = await s.request({ path: `${DEPLOYMENTS}/web` });
  t.same(at(after.json, 'metadata.labels'), { app: 'web', tier: 'front' }, 'the stale write changed nothing');

  const unconditional = structuredClone(created);
  delete (unconditional.metadata as Record<string, unknown>).resourceVersion;
  (unconditional.metadata as Record<string, unknown>).labels = { app: 'web', forced: 'yes' };
  const forced = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web`, body: unconditional });
  t.equal(forced.status, 200, 'an update without a resourceVersion is unconditional');

  const renamed = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/other`, body: unconditional });
  expectStatus(t, renamed, 400, 'BadRequest', 'the name of the object (web) does not match the name on the URL (other)');
  const missing = await s.request({ method: 'PUT', path: `${CONFIGMAPS}/nope`, body: configMapManifest('nope') });
  expectStatus(t, missing, 404, 'NotFound', 'configmaps "nope" not found');
});

void t.test('404 for missing objects, unknown resources and groups, and unknown namespaces', async (t) => {
  const s = await started(t);
  expectStatus(t, await s.request({ path: `${DEPLOYMENTS}/zzz` }), 404, 'NotFound', 'deployments.apps "zzz" not found', 'missing deployment');
  expectStatus(t, await s.request({ path: `${PODS}/zzz` }), 404, 'NotFound', 'pods "zzz" not found', 'missing pod');
  expectStatus(t, await s.request({ method: 'DELETE', path: `${PODS}/zzz` }), 404, 'NotFound', 'pods "zzz" not found', 'delete of a missing pod');
  const patch = await s.request({ method: 'PATCH', path: `${PODS}/zzz`, body: '{}', headers: { 'Content-Type': 'application/merge-patch+json' } });
  expectStatus(t, patch, 404, 'NotFound', 'pods "zzz" not found', 'patch of a missing pod');
  const notServed = 'the server could not find the requested resource';
  expectStatus(t, await s.request({ path: '/apis/apps/v1/namespaces/default/widgets' }), 404, 'NotFound', notServed, 'unknown resource');
  expectStatus(t, await s.request({ path: '/apis/example.com/v1/namespaces/default/widgets' }), 404, 'NotFound', notServed, 'unknown group');
  expectStatus(t, await s.request({ path: '/apis/apps/v9/namespaces/default/deployments' }), 404, 'NotFound', notServed, 'unknown version');
  expectStatus(t, await s.request({ path: `${PODS}/x/nonsense` }), 404, 'NotFound', notServed, 'unknown subresource');
  expectStatus(t, await s.request({ path: '/api/v1/namespaces/x' }), 404, 'NotFound', 'namespaces "x" not found', 'unknown namespace');
  const intoNowhere = await s.request({ method: 'POST', path: '/api/v1/namespaces/x/configmaps', body: configMapManifest('c') });
  expectStatus(t, intoNowhere, 404, 'NotFound', 'namespaces "x" not found', 'create in an unknown namespace');
  t.same(at(intoNowhere.json, 'details'), { name: 'x', kind: 'namespaces' });
  const emptyList = await s.request({ path: '/api/v1/namespaces/x/configmaps' });
  t.equal(emptyList.status, 200, 'listing in an unknown namespace is an empty list, as kube');
  t.same(at(emptyList.json, 'items'), []);
});

void t.test('a Terminating namespace refuses new content with 403; system namespaces cannot be deleted', async (t) => {
  const s = await started(t);
  t.equal((await s.request({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } })).status, 201);
  t.equal((await s.request({ method: 'POST', path: '/api/v1/namespaces/doomed/configmaps', body: configMapManifest('before') })).status, 201);
  const marked = await s.request({ method: 'DELETE', path: '/api/v1/namespaces/doomed' });
  t.equal(marked.status, 202, 'a namespace delete is accepted, not done');
  t.equal(at(marked.json, 'status.phase'), 'Terminating');
  t.ok(at(marked.json, 'metadata.deletionTimestamp'), 'deletionTimestamp is set');
  const refused = await s.request({ method: 'POST', path: '/api/v1/namespaces/doomed/configmaps', body: configMapManifest('after') });
  expectStatus(t, refused, 403, 'Forbidden', 'configmaps "after" is forbidden: unable to create new content in namespace doomed because it is being terminated');
  t.equal((await s.request({ path: '/api/v1/namespaces/doomed/configmaps/before' })).status, 200, 'existing content stays until the namespace controller removes it');

  for (const ns of ['default', 'kube-system', 'kube-public']) {
    const res = await s.request({ method: 'DELETE', path: `/api/v1/namespaces/${ns}` });
    expectStatus(t, res, 403, 'Forbidden', `namespaces "${ns}" is forbidden: this namespace may not be deleted`, ns);
  }
});

void t.test('metadata.generation moves only with the spec; system metadata is kept on update', async (t) => {
  const s = await started(t);
  const created = asRecord((await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web') })).json);
  t.equal(at(created, 'metadata.generation'), 1, 'a new object is generation 1');

  const labelled = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web`, body: { metadata: { labels: { extra: 'x' } } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  t.equal(at(labelled.json, 'metadata.generation'), 1, 'a metadata change keeps the generation');

  const scaled = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web`, body: { spec: { replicas: 4 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  t.equal(at(scaled.json, 'metadata.generation'), 2, 'a spec change bumps it');

  const same = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web`, body: { spec: { replicas: 4 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  t.equal(at(same.json, 'metadata.generation'), 2, 'a no-op spec write keeps it');

  const current = asRecord(same.json);
  const status = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web/status`, body: { ...current, status: { replicas: 4, observedGeneration: 2 } } });
  t.equal(at(status.json, 'metadata.generation'), 2, 'a status write keeps it');

  const forged = structuredClone(asRecord(status.json));
  Object.assign(forged.metadata as Record<string, unknown>, { creationTimestamp: '1999-01-01T00:00:00Z', generation: 99 });
  delete (forged.metadata as Record<string, unknown>).resourceVersion;
  const kept = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web`, body: forged });
  t.equal(kept.status, 200, 'creationTimestamp and generation in the body are ignored, as kube');
  t.equal(at(kept.json, 'metadata.creationTimestamp'), at(created, 'metadata.creationTimestamp'), 'creationTimestamp cannot be changed');
  t.equal(at(kept.json, 'metadata.generation'), 2, 'generation cannot be written');

  Object.assign(forged.metadata as Record<string, unknown>, { uid: 'forged' });
  const uid = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web`, body: forged });
  expectStatus(t, uid, 422, 'Invalid', 'Deployment.apps "web" is invalid: metadata.uid: Invalid value: "forged": field is immutable');
});

void t.test('the status subresource writes only status; the main resource never writes status', async (t) => {
  const s = await started(t);
  const created = asRecord((await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web', 2) })).json);
  t.same(created.status, {}, 'status starts empty, whatever the body said');

  const viaStatus = structuredClone(created);
  (viaStatus.spec as Record<string, unknown>).replicas = 9;
  (viaStatus.metadata as Record<string, unknown>).labels = { app: 'web', sneaky: 'yes' };
  viaStatus.status = { replicas: 2, readyReplicas: 1, observedGeneration: 1 };
  const statusWrite = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web/status`, body: viaStatus });
  t.equal(statusWrite.status, 200);
  t.same(at(statusWrite.json, 'status'), { replicas: 2, readyReplicas: 1, observedGeneration: 1 }, 'the status changed');
  t.equal(at(statusWrite.json, 'spec.replicas'), 2, 'the spec did not');
  t.same(at(statusWrite.json, 'metadata.labels'), { app: 'web' }, 'nor the labels');

  const viaMain = structuredClone(asRecord(statusWrite.json));
  viaMain.status = { replicas: 100 };
  (viaMain.spec as Record<string, unknown>).replicas = 3;
  const mainWrite = await s.request({ method: 'PUT', path: `${DEPLOYMENTS}/web`, body: viaMain });
  t.equal(at(mainWrite.json, 'spec.replicas'), 3, 'the main resource writes the spec');
  t.same(at(mainWrite.json, 'status'), { replicas: 2, readyReplicas: 1, observedGeneration: 1 }, 'and keeps the stored status');

  const patched = await s.request({ method: 'PATCH', path: `${DEPLOYMENTS}/web/status`, body: { status: { availableReplicas: 1 }, spec: { replicas: 50 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  t.equal(at(patched.json, 'status.availableReplicas'), 1, 'a status patch writes status');
  t.equal(at(patched.json, 'spec.replicas'), 3, 'and not spec');
});

void t.test('patch: merge, strategic (lists merged by key) and JSON patch', async (t) => {
  const s = await started(t);
  await s.request({ method: 'POST', path: DEPLOYMENTS, body: deploymentManifest('web') });
  const path = `${DEPLOYMENTS}/web`;
  const merge = await s.request({ method: 'PATCH', path, body: { metadata: { annotations: { a: '1' } } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  t.equal(merge.status, 200);
  t.same(at(merge.json, 'metadata.annotations'), { a: '1' });

  const sidecar = { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'envoy:1.30' }] } } } };
  const strategic = await s.request({ method: 'PATCH', path, body: sidecar, headers: { 'Content-Type': 'application/strategic-merge-patch+json' } });
  t.equal(strategic.status, 200);
  const names = (at(strategic.json, 'spec.template.spec.containers') as unknown[]).map((c) => at(c, 'name'));
  t.same([...names].sort(), ['sidecar', 'web'], 'a strategic patch merges containers by name');

  const json = await s.request({ method: 'PATCH', path, body: [{ op: 'replace', path: '/spec/replicas', value: 7 }, { op: 'remove', path: '/metadata/annotations/a' }], headers: { 'Content-Type': 'application/json-patch+json' } });
  t.equal(json.status, 200);
  t.equal(at(json.json, 'spec.replicas'), 7);
  t.same(at(json.json, 'metadata.annotations'), {}, 'the annotation was removed');

  const failedTest = await s.request({ method: 'PATCH', path, body: [{ op: 'test', path: '/spec/replicas', value: 1 }], headers: { 'Content-Type': 'application/json-patch+json' } });
  t.equal(failedTest.status, 422, 'a failed JSON patch test is 422');
  t.equal(at(failedTest.json, 'reason'), 'Invalid');

  const invalidResult = await s.request({ method: 'PATCH', path, body: { spec: { replicas: -1 } }, headers: { 'Content-Type': 'application/merge-patch+json' } });
  expectStatus(t, invalidResult, 422, 'Invalid', /^Deployment\.apps "web" is invalid: spec\.replicas: Invalid value: -1: must be greater than or equal to 0$/);

  const wrongType = await s.request({ method: 'PATCH', path, body: '{}', headers: { 'Content-Type': 'text/plain' } });
  expectStatus(t, wrongType, 415, 'UnsupportedMediaType', /^the body of the request was in an unknown format - accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/strategic-merge-patch\+json/);
  const unknownDirective = await s.request({ method: 'PATCH', path, body: { $patch: 'bogus' }, headers: { 'Content-Type': 'application/strategic-merge-patch+json' } });
  t.ok(unknownDirective.status >= 400 && unknownDirective.status < 500, `an unknown $patch directive is the client's error, not a 5xx (got ${unknownDirective.status})`);
});

void t.test('delete options: preconditions, dryRun, deletecollection by label', async (t) => {
  const s = await started(t);
  const created = asRecord((await s.request({ method: 'POST', path: CONFIGMAPS, body: { ...configMapManifest('c1'), metadata: { name: 'c1', labels: { tier: 'a' } } } })).json);
  await s.request({ method: 'POST', path: CONFIGMAPS, body: { ...configMapManifest('c2'), metadata: { name: 'c2', labels: { tier: 'b' } } } });

  const wrongUid = await s.request({ method: 'DELETE', path: `${CONFIGMAPS}/c1`, body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } } });
  expectStatus(t, wrongUid, 409, 'Conflict', `Operation cannot be fulfilled on configmaps "c1": Precondition failed: UID in precondition: not-the-uid, UID in object meta: ${String(at(created, 'metadata.uid'))}`);

  const dry = await s.request({ method: 'DELETE', path: `${CONFIGMAPS}/c1?dryRun=All` });
  t.equal(dry.status, 200, 'a dry-run delete answers as a delete');
  t.equal((await s.request({ path: `${CONFIGMAPS}/c1` })).status, 200, 'and deletes nothing');

  const badDryRun = await s.request({ method: 'DELETE', path: `${CONFIGMAPS}/c1?dryRun=yes` });
  expectStatus(t, badDryRun, 400, 'BadRequest');

  const collection = await s.request({ method: 'DELETE', path: `${CONFIGMAPS}?labelSelector=tier%3Da` });
  t.equal(collection.status, 200);
  t.same((at(collection.json, 'items') as unknown[]).map((i) => at(i, 'metadata.name')), ['c1'], 'deletecollection deletes what the selector selects');
  t.equal((await s.request({ path: `${CONFIGMAPS}/c2` })).status, 200, 'and nothing else');
});

void t.test('405 where kube routes no such method; 400 for names that cannot be keys', async (t) => {
  const s = await started(t);
  await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('c1') });
  expectStatus(t, await s.request({ method: 'POST', path: `${CONFIGMAPS}/c1`, body: configMapManifest('c1') }), 405, 'MethodNotAllowed', undefined, 'POST to a named object');
  expectStatus(t, await s.request({ method: 'PUT', path: CONFIGMAPS, body: configMapManifest('c1') }), 405, 'MethodNotAllowed', undefined, 'PUT to a collection');
  expectStatus(t, await s.request({ method: 'PATCH', path: CONFIGMAPS, body: '{}', headers: { 'Content-Type': 'application/merge-patch+json' } }), 405, 'MethodNotAllowed', undefined, 'PATCH to a collection');
  expectStatus(t, await s.request({ method: 'DELETE', path: '/api/v1/namespaces' }), 405, 'MethodNotAllowed', undefined, 'namespaces have no deletecollection');
  expectStatus(t, await s.request({ method: 'DELETE', path: '/api/v1/configmaps' }), 405, 'MethodNotAllowed', undefined, 'no deletecollection across all namespaces');
  expectStatus(t, await s.request({ method: 'POST', path: '/api/v1/configmaps', body: configMapManifest('x') }), 405, 'MethodNotAllowed', undefined, 'no create across all namespaces');
  t.equal((await s.request({ path: `${CONFIGMAPS}/c1` })).status, 200, 'the object survived all of it');

  expectStatus(t, await s.request({ path: `${CONFIGMAPS}/a%2Fb` }), 400, 'BadRequest', 'Name parameter invalid: "a/b": may not contain \'/\'', 'a name with a slash');
  expectStatus(t, await s.request({ path: `${CONFIGMAPS}/a%25b` }), 400, 'BadRequest', 'Name parameter invalid: "a%b": may not contain \'%\'', 'a name with a percent sign');
  expectStatus(t, await s.request({ path: '/api/v1/namespaces/%ZZ/configmaps/x' }), 400, 'BadRequest', undefined, 'a namespace that is not valid percent-encoding');
});

void t.test('dot segments are names, not path navigation: ".." cannot reach the namespace', async (t) => {
  const s = await started(t);
  t.equal((await s.request({ method: 'POST', path: '/api/v1/namespaces', body: { metadata: { name: 'victim' } } })).status, 201);
  for (const dots of ['..', '%2e%2e', '%2E%2E', '.']) {
    const res = await s.request({ method: 'DELETE', path: `/api/v1/namespaces/victim/configmaps/${dots}` });
    expectStatus(t, res, 400, 'BadRequest', /^Name parameter invalid: "\.\.?": may not be '\.\.?'$/, `DELETE …/configmaps/${dots}`);
  }
  t.equal(at((await s.request({ path: '/api/v1/namespaces/victim' })).json, 'status.phase'), 'Active', 'the namespace is untouched');
});

void t.test('a request target of "//" does not take the server down', async (t) => {
  const s = await started(t);
  for (const path of ['//', '//?x=1', '//host/api/v1/namespaces', '///']) {
    const res = await s.request({ path });
    t.ok(res.status > 0 && res.status < 500, `${path} answered ${res.status}`);
  }
  t.equal((await s.request({ path: '/healthz' })).status, 200, 'the server is still up');
});

void t.test('dryRun=All create validates and admits but stores nothing', async (t) => {
  const s = await started(t);
  const dry = await s.request({ method: 'POST', path: `${CONFIGMAPS}?dryRun=All`, body: configMapManifest('dry') });
  t.equal(dry.status, 201);
  t.equal(at(dry.json, 'metadata.name'), 'dry');
  t.equal((await s.request({ path: `${CONFIGMAPS}/dry` })).status, 404, 'nothing was stored');
  const dryInvalid = await s.request({ method: 'POST', path: `${CONFIGMAPS}?dryRun=All`, body: configMapManifest('Bad_Name') });
  t.equal(dryInvalid.status, 422, 'a dry run still validates');
});

void t.test('generateName gives a unique name from the seeded random source', async (t) => {
  const s = await started(t);
  const a = await s.request({ method: 'POST', path: CONFIGMAPS, body: { metadata: { generateName: 'gen-' } } });
  const b = await s.request({ method: 'POST', path: CONFIGMAPS, body: { metadata: { generateName: 'gen-' } } });
  t.equal(a.status, 201);
  t.match(at(a.json, 'metadata.name'), /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  t.not(at(a.json, 'metadata.name'), at(b.json, 'metadata.name'), 'two generated names differ');
});
