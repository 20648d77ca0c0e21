// @kubernetes/client-node (the official JavaScript client) against a Flotilla cluster on each
// store, configured only by the admin kubeconfig: typed create, list with a label selector,
// Watch streams seeing ADDED/MODIFIED/DELETED for changes made while watching, and Status
// errors surfaced as the library's ApiException. kubectl is not needed here.
// FLOTILLA_CONFORMANCE_FLAVOURS=builtin (or etcd) runs one flavour only.
import * as k8s from '@kubernetes/client-node';
import t from 'tap';
import type { Test } from 'tap';
import { waitUntil } from '../integration/harness/index.js';
import type { ConformanceCluster } from './harness.js';
import { CONFORMANCE_FLAVOURS, flavourSkipReason, startConformanceCluster } from './harness.js';

/** How long a watch may take to deliver an event for a change already acknowledged. */
const WATCH_EVENT_TIMEOUT_MS = 30_000;
const CASE_TIMEOUT_MS = 120_000;

const only = process.env.FLOTILLA_CONFORMANCE_FLAVOURS?.split(',');

interface Clients {
  readonly config: k8s.KubeConfig;
  readonly core: k8s.CoreV1Api;
  readonly apps: k8s.AppsV1Api;
}

function clientsFor(cluster: ConformanceCluster): Clients {
  const config = new k8s.KubeConfig();
  config.loadFromFile(cluster.kubeconfig);
  return { config, core: config.makeApiClient(k8s.CoreV1Api), apps: config.makeApiClient(k8s.AppsV1Api) };
}

/** Runs `call`, which must fail with an ApiException; returns it (undefined after a failed assertion). */
async function apiException(t: Test, what: string, call: () => Promise<unknown>): Promise<k8s.ApiException<unknown> | undefined> {
  try {
    await call();
    t.fail(`${what} should have failed`);
  } catch (err) {
    if (err instanceof k8s.ApiException) return err as k8s.ApiException<unknown>;
    t.fail(`${what} failed with something other than ApiException: ${String(err)}`);
  }
  return undefined;
}

/** The Status the server sent with an error, as the library hands it over (text or parsed). */
function statusOf(err: k8s.ApiException<unknown> | undefined): { kind?: string; reason?: string; code?: number; message?: string } | undefined {
  const body = err?.body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { kind?: string; reason?: string; code?: number; message?: string };
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as { kind?: string }) : undefined;
}

interface SeenEvent {
  readonly type: string;
  readonly name: string;
  readonly resourceVersion: string;
}

/**
 * A Watch on `path` from `resourceVersion` (so nothing between the list and the watch is
 * missed), recording every event; stop() aborts it.
 */
async function startWatch(config: k8s.KubeConfig, path: string, resourceVersion: string): Promise<{ events: SeenEvent[]; ended: () => unknown; stop: () => void }> {
  const events: SeenEvent[] = [];
  let endedWith: unknown;
  const controller = await new k8s.Watch(config).watch(
    path,
    { resourceVersion, allowWatchBookmarks: false },
    (type: string, object: { metadata?: { name?: string; resourceVersion?: string } }) => {
      events.push({ type, name: object.metadata?.name ?? '', resourceVersion: object.metadata?.resourceVersion ?? '' });
    },
    (err: unknown) => {
      endedWith = err ?? 'closed';
    },
  );
  return { events, ended: () => endedWith, stop: () => controller.abort() };
}

async function waitForEvents(watch: { events: SeenEvent[]; ended: () => unknown }, want: (e: SeenEvent[]) => boolean, what: string): Promise<void> {
  await waitUntil(() => want(watch.events), {
    timeoutMs: WATCH_EVENT_TIMEOUT_MS,
    what: () => `${what}; events so far: ${JSON.stringify(watch.events)}; watch ended: ${String(watch.ended())}`,
  });
}

const podBody = (name: string, labels: Record<string, string>): k8s.V1Pod => ({
  metadata: { name, labels },
  spec: { containers: [{ name: 'main', image: 'busybox:1.36' }] },
});

async function runCases(t: Test, cluster: ConformanceCluster): Promise<void> {
  const { config, core, apps } = clientsFor(cluster);
  const ns = 'client-node';

  await t.test('create a namespace, configmaps and a deployment; list them by label', { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const created = await core.createNamespace({ body: { metadata: { name: ns, labels: { purpose: 'conformance' } } } });
    t.equal(created.metadata?.name, ns);
    t.match(created.metadata?.uid, /^[0-9a-f-]{36}$/);
    t.equal(created.status?.phase, 'Active');
    for (const [name, tier] of [['one', 'a'], ['two', 'b'], ['three', 'a']] as const) {
      const cm = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels: { tier } }, data: { name } } });
      t.equal(cm.metadata?.namespace, ns);
      t.same(cm.data, { name });
    }
    const tierA = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'tier=a' });
    t.same(tierA.items.map((i) => i.metadata?.name).sort(), ['one', 'three'], 'labelSelector tier=a');
    t.match(tierA.metadata?.resourceVersion, /^[1-9]\d*$/, 'the list carries a resourceVersion');
    const notA = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'tier,tier!=a' });
    t.same(notA.items.map((i) => i.metadata?.name), ['two'], 'labelSelector with exists and !=');
    const byName = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=two' });
    t.same(byName.items.map((i) => i.metadata?.name), ['two'], 'fieldSelector metadata.name');
    const namespaces = await core.listNamespace({ labelSelector: 'purpose=conformance' });
    t.same(namespaces.items.map((i) => i.metadata?.name), [ns], 'cluster-scoped list by label');

    const deployment: k8s.V1Deployment = {
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
      },
    };
    const d = await apps.createNamespacedDeployment({ namespace: ns, body: deployment });
    t.equal(d.metadata?.generation, 1);
    t.equal(d.spec?.strategy?.type, 'RollingUpdate', 'defaults applied on create');
    const listed = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'app=web' });
    t.same(listed.items.map((i) => i.metadata?.name), ['web']);
    const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
    t.equal(read.metadata?.uid, d.metadata?.uid);
    t.equal(read.spec?.template.spec?.containers[0]?.image, 'nginx:1.25');
  });

  await t.test('Watch on configmaps sees ADDED, MODIFIED and DELETED for changes made while watching', { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const watch = await startWatch(config, `/api/v1/namespaces/${ns}/configmaps`, list.metadata?.resourceVersion ?? '');
    try {
      const added = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'watched' }, data: { v: '1' } } });
      await waitForEvents(watch, (e) => e.some((x) => x.name === 'watched' && x.type === 'ADDED'), 'ADDED');
      const replaced = await core.replaceNamespacedConfigMap({ name: 'watched', namespace: ns, body: { ...added, data: { v: '2' } } });
      await waitForEvents(watch, (e) => e.some((x) => x.name === 'watched' && x.type === 'MODIFIED'), 'MODIFIED');
      await core.deleteNamespacedConfigMap({ name: 'watched', namespace: ns });
      await waitForEvents(watch, (e) => e.some((x) => x.name === 'watched' && x.type === 'DELETED'), 'DELETED');
      const mine = watch.events.filter((e) => e.name === 'watched');
      t.same(mine.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED'], 'exactly these events, in order');
      t.equal(mine[0]?.resourceVersion, added.metadata?.resourceVersion, 'ADDED carries the created resourceVersion');
      t.equal(mine[1]?.resourceVersion, replaced.metadata?.resourceVersion, 'MODIFIED carries the replaced resourceVersion');
      t.ok(BigInt(mine[2]?.resourceVersion ?? '0') > BigInt(mine[1]?.resourceVersion ?? '0'), 'DELETED carries the deletion revision');
      t.notOk(watch.events.some((e) => e.type === 'ERROR'), 'no ERROR events');
      t.equal(watch.ended(), undefined, 'the watch stays open');
    } finally {
      watch.stop();
    }
  });

  await t.test('Watch on pods with a label selector sees only matching pods', { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const list = await core.listNamespacedPod({ namespace: ns });
    const watch = await startWatch(config, `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent('app=watched')}`, list.metadata?.resourceVersion ?? '');
    try {
      await core.createNamespacedPod({ namespace: ns, body: podBody('ignored', { app: 'other' }) });
      await core.createNamespacedPod({ namespace: ns, body: podBody('seen', { app: 'watched' }) });
      await waitForEvents(watch, (e) => e.some((x) => x.name === 'seen' && x.type === 'ADDED'), 'ADDED for the matching pod');
      await core.patchNamespacedPod(
        { name: 'seen', namespace: ns, body: { metadata: { annotations: { touched: 'yes' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await waitForEvents(watch, (e) => e.some((x) => x.name === 'seen' && x.type === 'MODIFIED'), 'MODIFIED after a merge patch');
      await core.deleteNamespacedPod({ name: 'seen', namespace: ns });
      await waitForEvents(watch, (e) => e.some((x) => x.name === 'seen' && x.type === 'DELETED'), 'DELETED');
      t.same(watch.events.map((e) => `${e.type} ${e.name}`), ['ADDED seen', 'MODIFIED seen', 'DELETED seen'], 'the other pod never shows');
    } finally {
      watch.stop();
    }
  });

  await t.test('Status errors surface as ApiException with their code and Status body', { timeout: CASE_TIMEOUT_MS }, async (t) => {
    const missing = await apiException(t, 'reading a missing configmap', () => core.readNamespacedConfigMap({ name: 'missing', namespace: ns }));
    t.equal(missing?.code, 404);
    t.match(statusOf(missing), { kind: 'Status', reason: 'NotFound', code: 404, message: 'configmaps "missing" not found' });
    const exists = await apiException(t, 'creating an existing configmap', () => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'one' } } }));
    t.equal(exists?.code, 409);
    t.match(statusOf(exists), { reason: 'AlreadyExists', message: 'configmaps "one" already exists' });
    const invalid = await apiException(t, 'creating an invalid configmap', () => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'Not_A_Name' } } }));
    t.equal(invalid?.code, 422);
    t.match(statusOf(invalid), { reason: 'Invalid', message: /^ConfigMap "Not_A_Name" is invalid: metadata\.name: Invalid value: "Not_A_Name": / });
    const noNamespace = await apiException(t, 'creating in a missing namespace', () => core.createNamespacedConfigMap({ namespace: 'no-such-namespace', body: { metadata: { name: 'x' } } }));
    t.equal(noNamespace?.code, 404);
    t.match(statusOf(noNamespace), { reason: 'NotFound', message: 'namespaces "no-such-namespace" not found' });
  });
}

for (const flavour of CONFORMANCE_FLAVOURS) {
  const skip = flavourSkipReason(flavour, { needsKubectl: false }) ?? (only && !only.includes(flavour) ? `FLOTILLA_CONFORMANCE_FLAVOURS=${only.join(',')}` : undefined);
  void t.test(`@kubernetes/client-node against Flotilla on the ${flavour === 'builtin' ? 'built-in store' : 'etcd store'}`, { skip: skip ?? false }, async (t) => {
    const cluster = await startConformanceCluster(t, flavour);
    await runCases(t, cluster);
  });
}
