/**
 * Discovery, `create -f`, `apply -f` and `get` in its output forms: what a user does first, and
 * the requests (aggregated discovery, OpenAPI v3 for server-side validation, Table lists with
 * selectors) that every other command depends on.
 */
import { parse as parseYaml } from 'yaml';
import { tableCells } from '../kubectl-runner.js';
import { configMapManifest, deploymentManifest, namespaceManifest, podManifest } from '../manifests.js';
import type { KubectlCase, ObjectJson } from './context.js';
import { AGE_PATTERN, applyManifest, errorMessage, headerColumns, kubectlFails, kubectlOk, makeNamespace, parseJsonOutput } from './context.js';

const apiResources: KubectlCase = {
  name: 'api-resources lists every served resource with its short names, group-version, scope and kind',
  run: async (t, c) => {
    const out = await kubectlOk(t, c, ['api-resources']);
    const [header, ...rows] = tableCells(out);
    t.same(header, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'], 'header');
    // A resource without short names has an empty SHORTNAMES cell, so a row has 4 or 5 cells.
    // metrics.k8s.io also serves `pods` and `nodes` (as with metrics-server): keep the first row
    // of each name, which kubectl sorts before other groups' rows of the same name.
    const byName = new Map<string | undefined, string[]>();
    for (const r of rows) if (!byName.has(r[0])) byName.set(r[0], r.length === 5 ? r : [r[0] ?? '', '', ...r.slice(1)]);
    t.same(byName.get('pods'), ['pods', 'po', 'v1', 'true', 'Pod']);
    t.same(byName.get('namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    t.same(byName.get('configmaps'), ['configmaps', 'cm', 'v1', 'true', 'ConfigMap']);
    t.same(byName.get('secrets'), ['secrets', '', 'v1', 'true', 'Secret']);
    t.same(byName.get('events'), ['events', 'ev', 'v1', 'true', 'Event']);
    t.same(byName.get('deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    t.same(byName.get('replicasets'), ['replicasets', 'rs', 'apps/v1', 'true', 'ReplicaSet']);

    const cluster = await kubectlOk(t, c, ['api-resources', '--namespaced=false', '-o', 'name']);
    t.ok(cluster.split('\n').includes('namespaces'), '--namespaced=false lists namespaces');
    t.notOk(cluster.split('\n').includes('pods'), '--namespaced=false leaves pods out');
    const apps = await kubectlOk(t, c, ['api-resources', '--api-group=apps', '-o', 'name']);
    t.ok(apps.split('\n').includes('deployments.apps'), '--api-group=apps names deployments.apps');

    const nope = await kubectlFails(t, c, ['get', 'nope']);
    t.equal(errorMessage(nope), 'error: the server doesn\'t have a resource type "nope"');
  },
};

const createFromFile: KubectlCase = {
  name: 'create -f creates every document of a file, then reports AlreadyExists for each',
  run: async (t, c) => {
    const file = c.writeFile('create.yaml', `${namespaceManifest('conf-create')}---\n${configMapManifest('settings', 'conf-create', { mode: 'fast' })}`);
    t.equal(await kubectlOk(t, c, ['create', '-f', file]), 'namespace/conf-create created\nconfigmap/settings created\n');
    const again = await kubectlFails(t, c, ['create', '-f', file]);
    t.equal(
      errorMessage(again),
      `Error from server (AlreadyExists): error when creating "${file}": namespaces "conf-create" already exists\n` +
        `Error from server (AlreadyExists): error when creating "${file}": configmaps "settings" already exists`,
    );
    const cm = parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', 'configmap', 'settings', '-n', 'conf-create', '-o', 'json']));
    t.match(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'conf-create' }, data: { mode: 'fast' } });
  },
};

const applyFromFile: KubectlCase = {
  name: 'apply -f creates, leaves an unchanged object alone, and configures a changed one',
  run: async (t, c) => {
    await makeNamespace(t, c, 'conf-apply');
    const manifest = deploymentManifest({ name: 'web', namespace: 'conf-apply', replicas: 2 });
    t.equal(await applyManifest(t, c, 'apply-1.yaml', manifest), 'deployment.apps/web created\n');
    t.equal(await applyManifest(t, c, 'apply-1.yaml', manifest), 'deployment.apps/web unchanged\n');
    const changed = deploymentManifest({ name: 'web', namespace: 'conf-apply', replicas: 3, image: 'nginx:1.26' });
    t.equal(await applyManifest(t, c, 'apply-2.yaml', changed), 'deployment.apps/web configured\n');
    const d = parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', 'conf-apply', '-o', 'json']));
    t.match(d?.spec, { replicas: 3, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } } }, 'the change is stored');
    const lastApplied = d?.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    t.match(lastApplied !== undefined ? (JSON.parse(lastApplied) as unknown) : undefined, { spec: { replicas: 3 } }, 'last-applied-configuration is the new manifest');
    t.equal(d?.metadata?.generation, 2, 'a spec change bumps metadata.generation');
    t.equal(await applyManifest(t, c, 'apply-2.yaml', changed), 'deployment.apps/web unchanged\n');
  },
};

const getForms: KubectlCase = {
  name: 'get prints Tables (-o wide too), JSON, YAML, names and jsonpath; -l, --field-selector and -A filter',
  run: async (t, c) => {
    for (const ns of ['conf-get', 'conf-get-other']) await makeNamespace(t, c, ns);
    await applyManifest(t, c, 'get-deploy.yaml', deploymentManifest({ name: 'web', namespace: 'conf-get', replicas: 2 }));
    const pods = [podManifest('a', 'conf-get', { app: 'web', tier: 'fe' }), podManifest('b', 'conf-get', { app: 'web', tier: 'be' }), podManifest('c', 'conf-get', { app: 'db', tier: 'be' })];
    t.equal(await applyManifest(t, c, 'get-pods.yaml', pods.join('---\n')), 'pod/a created\npod/b created\npod/c created\n');
    await applyManifest(t, c, 'get-other.yaml', podManifest('z', 'conf-get-other', { app: 'web', tier: 'fe' }));

    const deployTable = tableCells(await kubectlOk(t, c, ['get', 'deployments', '-n', 'conf-get']));
    t.same(deployTable[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], 'deployment table header');
    // No controller runs yet (a later issue), so the status is empty: 0 of 2 ready.
    t.same(deployTable[1]?.slice(0, 4), ['web', '0/2', '0', '0']);
    t.match(deployTable[1]?.[4], AGE_PATTERN, 'AGE');
    const wide = tableCells(await kubectlOk(t, c, ['get', 'deployments', '-n', 'conf-get', '-o', 'wide']));
    t.same(wide[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'], '-o wide header');
    t.same(wide[1]?.slice(5), ['nginx', 'nginx:1.25', 'app=web'], '-o wide columns');

    const podTable = tableCells(await kubectlOk(t, c, ['get', 'pods', '-n', 'conf-get']));
    t.same(podTable[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    t.same(podTable.slice(1).map((r) => r.slice(0, 4)), [['a', '0/1', 'Pending', '0'], ['b', '0/1', 'Pending', '0'], ['c', '0/1', 'Pending', '0']]);
    const podWide = tableCells(await kubectlOk(t, c, ['get', 'pods', '-n', 'conf-get', '-o', 'wide']));
    t.same(podWide[0], ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    t.same(podWide[1]?.slice(5), ['<none>', '<none>', '<none>', '<none>'], 'an unscheduled pod has no IP and no node');

    const list = parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', 'deployments', '-n', 'conf-get', '-o', 'json']));
    t.equal(list?.kind, 'List', '-o json of a list is a List');
    t.equal(list?.items?.length, 1);
    const web = list?.items?.[0];
    t.match(web, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'conf-get', generation: 1 }, spec: { replicas: 2 } });
    t.match(web?.metadata?.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'uid is a UUID');
    t.match(web?.metadata?.resourceVersion, /^[1-9]\d*$/, 'resourceVersion is a positive integer string');
    t.match(web?.metadata?.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'creationTimestamp is RFC 3339 in seconds');
    t.match(web?.spec, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 }, 'defaults applied');

    const yamlText = await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', 'conf-get', '-o', 'yaml']);
    t.match(parseYaml(yamlText) as unknown, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { spec: { containers: [{ image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }] } } } }, '-o yaml');
    t.equal(await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', 'conf-get', '-o', 'jsonpath={.spec.template.spec.containers[0].ports[0].containerPort}']), '80');

    const names = (args: string[]): Promise<string> => kubectlOk(t, c, ['get', 'pods', '-n', 'conf-get', '-o', 'name', ...args]);
    t.equal(await names(['-l', 'app=web']), 'pod/a\npod/b\n', '-l equality');
    t.equal(await names(['-l', 'app=web,tier!=be']), 'pod/a\n', '-l with !=');
    t.equal(await names(['-l', 'tier in (be),app notin (web)']), 'pod/c\n', '-l set-based');
    t.equal(await names(['-l', '!tier']), '', '-l does-not-exist matches nothing here');
    t.equal(await names(['--field-selector', 'metadata.name=b']), 'pod/b\n', '--field-selector metadata.name');
    t.equal(await names(['--field-selector', 'status.phase=Pending,metadata.name!=a']), 'pod/b\npod/c\n', '--field-selector with two terms');
    const none = await c.kubectl(['get', 'pods', '-n', 'conf-get', '--field-selector', 'status.phase=Running']);
    t.equal(none.code, 0);
    t.equal(none.stdout, '');
    t.equal(errorMessage(none), 'No resources found in conf-get namespace.');
    const badField = await kubectlFails(t, c, ['get', 'pods', '-n', 'conf-get', '--field-selector', 'spec.bogus=x']);
    t.equal(errorMessage(badField), 'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.bogus=x": field label not supported: spec.bogus');

    const all = tableCells(await kubectlOk(t, c, ['get', 'pods', '-A', '-l', 'app=web']));
    t.same(all[0], ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], '-A adds the NAMESPACE column');
    // In store key order, as kube-apiserver lists: `conf-get-other/` sorts before `conf-get/` ('-' < '/').
    t.same(all.slice(1).map((r) => r.slice(0, 2)), [['conf-get-other', 'z'], ['conf-get', 'a'], ['conf-get', 'b']], '-A lists every namespace');
    // `all` is the discovery category: every resource carrying it, one table each.
    const everything = tableCells(await kubectlOk(t, c, ['get', 'all', '-n', 'conf-get']));
    t.same(everything.filter((r) => r[0]?.includes('/')).map((r) => r[0]), ['pod/a', 'pod/b', 'pod/c', 'deployment.apps/web'], 'get all lists pods and deployments');
    const allNs = tableCells(await kubectlOk(t, c, ['get', 'namespaces']));
    t.same(allNs[0], ['NAME', 'STATUS', 'AGE']);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'conf-get']) t.ok(allNs.some((r) => r[0] === ns && r[1] === 'Active'), `namespace ${ns} is Active`);
  },
};

export const READ_CASES: readonly KubectlCase[] = [apiResources, createFromFile, applyFromFile, getForms];
