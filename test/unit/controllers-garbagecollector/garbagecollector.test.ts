// The garbage collector under the framework's harness: Background (dangling owners), Foreground
// (blocking dependents first, then the owner's finalizer), Orphan (references removed, then the
// finalizer), owner uid mismatch, unresolvable owners, and convergence under watch faults.
// The in-memory store does not add the policy finalizers on DELETE as the API server does
// (rest.ts), so `deleteWith` adds them first, as the API server would.
import t from 'tap';
import type { Test } from 'tap';
import type { KubeObject, OwnerReference, Pod, ReplicaSet, ResourceObject } from '../../../core/index.js';
import { isNotFound } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import { gcRequestFor, gcTargetOf, garbageCollectorController, garbageCollectedResources } from '../../../actors/index.js';

const PODS = { group: '', version: 'v1', resource: 'pods' };
const RS = { group: 'apps', version: 'v1', resource: 'replicasets' };
const DEPLOY = { group: 'apps', version: 'v1', resource: 'deployments' };
const CM = { group: '', version: 'v1', resource: 'configmaps' };
const NS = 'default';

function ownerRef(owner: KubeObject, kind: string, apiVersion: string, block = true): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: block };
}

async function createRs(h: ControllerTestHarness, name: string, owners?: OwnerReference[]): Promise<ReplicaSet> {
  return h.store.create<ReplicaSet>(RS, { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: NS, ...(owners ? { ownerReferences: owners } : {}) }, spec: { selector: { matchLabels: { app: name } } } } as ReplicaSet);
}

async function createPod(h: ControllerTestHarness, name: string, owners: OwnerReference[], finalizers?: string[]): Promise<Pod> {
  return h.store.create<Pod>(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, ownerReferences: owners, ...(finalizers ? { finalizers } : {}) }, spec: { containers: [{ name: 'c', image: 'x' }] } });
}

async function exists(h: ControllerTestHarness, resource: typeof PODS, name: string, namespace: string | undefined = NS): Promise<boolean> {
  try {
    await h.store.get({ ...resource, name, ...(namespace === undefined ? {} : { namespace }) });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

/** DELETE with a propagation policy, as the API server does it: the policy's finalizer, then the mark. */
async function deleteWith(h: ControllerTestHarness, resource: typeof PODS, name: string, policy: 'Background' | 'Foreground' | 'Orphan'): Promise<void> {
  const ref = { ...resource, namespace: NS, name };
  if (policy !== 'Background') {
    const current = await h.store.get<ResourceObject>(ref);
    const finalizer = policy === 'Foreground' ? 'foregroundDeletion' : 'orphan';
    await h.store.update(resource, { ...current, metadata: { ...current.metadata, finalizers: [...(current.metadata?.finalizers ?? []), finalizer] } });
  }
  await h.store.delete(ref);
}

async function start(t: Test, seed = 1, faults = false): Promise<ControllerTestHarness> {
  const h = new ControllerTestHarness({ controllers: [garbageCollectorController], seed, ...(faults ? { faults: { dropProbability: 0.2, duplicateProbability: 0.2, reorderProbability: 0.3 } } : {}) });
  t.teardown(() => h.stop());
  await h.start();
  return h;
}

void t.test('keys encode the resource and round-trip; events are not collected', (t) => {
  const types = garbageCollectedResources();
  t.notOk(types.some((type) => type.kind === 'Event'));
  t.ok(types.some((type) => type.kind === 'ReplicaSet') && types.some((type) => type.kind === 'Node'));
  for (const type of types) {
    const object = { metadata: { name: 'x', ...(type.namespaced ? { namespace: 'ns' } : {}) } };
    const target = gcTargetOf(gcRequestFor(type, object));
    t.equal(target?.type, type, `${type.resource} round-trips`);
    t.equal(target?.key, type.namespaced ? 'ns/x' : 'x');
  }
  t.end();
});

void t.test('Background: dependents of a deleted owner go; a dependent with another live owner only loses the reference', async (t) => {
  const h = await start(t);
  const rs = await createRs(h, 'web');
  const other = await createRs(h, 'other');
  await createPod(h, 'p1', [ownerRef(rs, 'ReplicaSet', 'apps/v1')]);
  await createPod(h, 'p2', [ownerRef(rs, 'ReplicaSet', 'apps/v1')]);
  await createPod(h, 'shared', [ownerRef(rs, 'ReplicaSet', 'apps/v1', false), { ...ownerRef(other, 'ReplicaSet', 'apps/v1', false), controller: false }]);
  await h.advance(1_000);
  t.ok(await exists(h, PODS, 'p1'), 'dependents of a live owner stay');
  await deleteWith(h, RS, 'web', 'Background');
  await h.advance(1_000);
  t.notOk(await exists(h, PODS, 'p1'));
  t.notOk(await exists(h, PODS, 'p2'));
  const shared = await h.store.get<Pod>({ ...PODS, namespace: NS, name: 'shared' });
  t.same(shared.metadata?.ownerReferences?.map((r) => r.name), ['other'], 'only the live owner remains');
  t.end();
});

void t.test('a recreated owner with the same name is not the owner (uid must match)', async (t) => {
  const h = await start(t);
  const rs = await createRs(h, 'web');
  await h.store.delete({ ...RS, namespace: NS, name: 'web' });
  const again = await createRs(h, 'web');
  t.not(again.metadata?.uid, rs.metadata?.uid);
  await createPod(h, 'old', [ownerRef(rs, 'ReplicaSet', 'apps/v1')]);
  await createPod(h, 'new', [ownerRef(again, 'ReplicaSet', 'apps/v1')]);
  await h.advance(1_000);
  t.notOk(await exists(h, PODS, 'old'), 'the old uid is gone: collected');
  t.ok(await exists(h, PODS, 'new'), 'owned by the live uid: kept');
  t.end();
});

void t.test('Foreground: the owner stays (deletionTimestamp) until its blocking dependents are gone', async (t) => {
  const h = await start(t);
  const rs = await createRs(h, 'web');
  await createPod(h, 'held', [ownerRef(rs, 'ReplicaSet', 'apps/v1')], ['example.com/hold']);
  await createPod(h, 'plain', [ownerRef(rs, 'ReplicaSet', 'apps/v1')]);
  await createPod(h, 'nonblocking', [ownerRef(rs, 'ReplicaSet', 'apps/v1', false)], ['example.com/hold']);
  await h.advance(1_000);
  await deleteWith(h, RS, 'web', 'Foreground');
  await h.advance(10_000);
  t.notOk(await exists(h, PODS, 'plain'), 'dependents deleted first');
  const held = await h.store.get<Pod>({ ...PODS, namespace: NS, name: 'held' });
  t.ok(held.metadata?.deletionTimestamp, 'the blocking dependent is being deleted');
  const owner = await h.store.get<ReplicaSet>({ ...RS, namespace: NS, name: 'web' });
  t.ok(owner.metadata?.deletionTimestamp, 'the owner waits');
  t.same(owner.metadata?.finalizers, ['foregroundDeletion']);
  // The blocking dependent finishes; the owner's finalizer goes and so does the owner.
  await h.store.update(PODS, { ...held, metadata: { ...held.metadata, finalizers: [] } });
  await h.advance(10_000);
  t.notOk(await exists(h, RS, 'web'), 'owner gone once no blocking dependent is left');
  t.ok(await exists(h, PODS, 'nonblocking'), 'non-blocking dependent did not hold the owner (it is deleting, held by its own finalizer)');
  t.end();
});

void t.test('Orphan: dependents lose the reference and stay; then the owner goes', async (t) => {
  const h = await start(t);
  const rs = await createRs(h, 'web');
  const other = await createRs(h, 'other');
  await createPod(h, 'p1', [ownerRef(rs, 'ReplicaSet', 'apps/v1')]);
  await createPod(h, 'p2', [ownerRef(rs, 'ReplicaSet', 'apps/v1'), { ...ownerRef(other, 'ReplicaSet', 'apps/v1'), controller: false }]);
  await h.advance(1_000);
  await deleteWith(h, RS, 'web', 'Orphan');
  await h.advance(5_000);
  t.notOk(await exists(h, RS, 'web'), 'owner gone after orphaning');
  const p1 = await h.store.get<Pod>({ ...PODS, namespace: NS, name: 'p1' });
  t.equal((p1.metadata?.ownerReferences ?? []).length, 0, 'p1 orphaned');
  const p2 = await h.store.get<Pod>({ ...PODS, namespace: NS, name: 'p2' });
  t.same(p2.metadata?.ownerReferences?.map((r) => r.name), ['other']);
  t.end();
});

void t.test('an owner reference to an unknown kind never collects its dependent', async (t) => {
  const h = await start(t);
  await h.store.create(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: NS, ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'u-1' }] } });
  await h.advance(2_000);
  t.ok(await exists(h, CM, 'cm'));
  t.end();
});

for (const seed of [1, 2, 3]) {
  void t.test(`a Deployment → ReplicaSet → pods chain is collected despite watch faults and a restart (seed ${seed})`, async (t) => {
    const h = await start(t, seed, true);
    const owners: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await h.store.create<KubeObject & ResourceObject>(DEPLOY, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `d${i}`, namespace: NS } });
      const rs = await createRs(h, `d${i}-rs`, [ownerRef(d, 'Deployment', 'apps/v1')]);
      for (let j = 0; j < 3; j++) await createPod(h, `d${i}-p${j}`, [ownerRef(rs, 'ReplicaSet', 'apps/v1')]);
      owners.push(`d${i}`);
    }
    const keep = await createRs(h, 'keep');
    await createPod(h, 'keep-p', [ownerRef(keep, 'ReplicaSet', 'apps/v1')]);
    await h.advance(2_000);
    await deleteWith(h, DEPLOY, 'd0', 'Background');
    await deleteWith(h, DEPLOY, 'd1', 'Foreground');
    await h.advance(2_000);
    await h.restart();
    await deleteWith(h, DEPLOY, 'd2', 'Orphan');
    await h.advance(5_000);
    await h.heal();
    const converged = async (): Promise<boolean> => {
      const pods = (await h.store.list<Pod>(PODS, { namespace: NS })).items.map((p) => p.metadata?.name ?? '').sort();
      const sets = (await h.store.list<ReplicaSet>(RS, { namespace: NS })).items;
      const deploys = (await h.store.list(DEPLOY, { namespace: NS })).items;
      const d2rs = sets.find((rs) => rs.metadata?.name === 'd2-rs');
      return (
        deploys.length === 0 &&
        JSON.stringify(pods) === JSON.stringify(['d2-p0', 'd2-p1', 'd2-p2', 'keep-p']) &&
        sets.length === 2 &&
        d2rs !== undefined &&
        (d2rs.metadata?.ownerReferences ?? []).length === 0
      );
    };
    t.ok(await h.runUntil(converged, { maxMs: 10 * 60_000, stepMs: 5_000 }), `converged (seed ${seed})`);
    t.end();
  });
}
