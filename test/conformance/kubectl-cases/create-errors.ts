/**
 * `kubectl create namespace|configmap|secret` (typed clientset requests: protobuf bodies), the
 * Status errors users meet most (NotFound, Invalid with field paths, strict decoding of unknown
 * fields, Unauthorized), and every API server of the cluster serving the same state.
 */
import { outputLines, tableCells } from '../kubectl-runner.js';
import { configMapManifest, deploymentManifest } from '../manifests.js';
import type { KubectlCase, ObjectJson } from './context.js';
import { applyManifest, errorMessage, kubectlFails, kubectlOk, makeNamespace, parseJsonOutput } from './context.js';

const typedCreate: KubectlCase = {
  name: 'create namespace, configmap and secret (protobuf request bodies)',
  run: async (t, c) => {
    const ns = 'conf-typed';
    t.equal(await kubectlOk(t, c, ['create', 'namespace', ns]), `namespace/${ns} created\n`);
    t.equal(await kubectlOk(t, c, ['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}']), 'Active');
    t.equal(await kubectlOk(t, c, ['create', 'configmap', 'cfg', '-n', ns, '--from-literal=a=1', '--from-literal=b=two words']), 'configmap/cfg created\n');
    const cm = parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', 'configmap', 'cfg', '-n', ns, '-o', 'json']));
    t.same(cm?.data, { a: '1', b: 'two words' });
    t.equal(await kubectlOk(t, c, ['create', 'secret', 'generic', 's1', '-n', ns, '--from-literal=password=pw']), 'secret/s1 created\n');
    const secret = parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', 'secret', 's1', '-n', ns, '-o', 'json']));
    t.equal(secret?.type, 'Opaque');
    t.same(secret?.data, { password: Buffer.from('pw').toString('base64') }, 'secret data is base64 on the JSON wire');
    const dup = await kubectlFails(t, c, ['create', 'configmap', 'cfg', '-n', ns, '--from-literal=a=1']);
    t.equal(errorMessage(dup), 'error: failed to create configmap: configmaps "cfg" already exists');
    const table = tableCells(await kubectlOk(t, c, ['get', 'secrets', '-n', ns]));
    t.same(table[0], ['NAME', 'TYPE', 'DATA', 'AGE']);
    t.same(table[1]?.slice(0, 3), ['s1', 'Opaque', '1']);
  },
};

const statusErrors: KubectlCase = {
  name: 'errors: NotFound, Invalid with field paths, strict decoding of unknown fields, Unauthorized',
  run: async (t, c) => {
    const ns = 'conf-errors';
    await makeNamespace(t, c, ns);
    t.equal(errorMessage(await kubectlFails(t, c, ['get', 'pod', 'missing', '-n', ns])), 'Error from server (NotFound): pods "missing" not found');
    t.equal(errorMessage(await kubectlFails(t, c, ['get', 'namespace', 'missing'])), 'Error from server (NotFound): namespaces "missing" not found');

    const negative = c.writeFile('invalid-1.yaml', deploymentManifest({ name: 'x', namespace: ns, replicas: -1 }));
    t.equal(errorMessage(await kubectlFails(t, c, ['create', '-f', negative])), 'The Deployment "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const twoErrors = c.writeFile('invalid-2.yaml', deploymentManifest({ name: 'x', namespace: ns, replicas: -1, templateApp: 'other' }));
    t.equal(
      errorMessage(await kubectlFails(t, c, ['apply', '-f', twoErrors])),
      'The Deployment "x" is invalid: \n' +
        '* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n' +
        '* spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
    );

    const unknownTop = c.writeFile('unknown-1.yaml', configMapManifest('bad', ns, { a: '1' }, ['bogusField: 3']));
    t.equal(
      errorMessage(await kubectlFails(t, c, ['create', '-f', unknownTop])),
      `Error from server (BadRequest): error when creating "${unknownTop}": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogusField"`,
    );
    const unknownNested = c.writeFile('unknown-2.yaml', deploymentManifest({ name: 'x', namespace: ns, extraContainerLines: ['        imagePullPolicyy: Always'] }));
    t.equal(
      errorMessage(await kubectlFails(t, c, ['apply', '-f', unknownNested])),
      `Error from server (BadRequest): error when creating "${unknownNested}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"`,
    );
    t.equal(errorMessage(await kubectlFails(t, c, ['get', 'deployment', 'x', '-n', ns])), 'Error from server (NotFound): deployments.apps "x" not found', 'nothing invalid was stored');
    // --validate=false sends fieldValidation=Ignore: the unknown field is dropped, the object made.
    t.equal(await kubectlOk(t, c, ['create', '-f', unknownTop, '--validate=false']), 'configmap/bad created\n');
    t.equal(await kubectlOk(t, c, ['get', 'configmap', 'bad', '-n', ns, '-o', 'jsonpath={.bogusField}|{.data.a}']), '|1');

    const stranger = await kubectlFails(t, c, ['get', 'pods', '-n', ns], { kubeconfig: c.kubeconfigFor({ token: 'not-a-token' }) });
    t.equal(outputLines(errorMessage(stranger)).pop(), 'error: You must be logged in to the server (Unauthorized)');
  },
};

const everyServer: KubectlCase = {
  name: 'every API server serves the same objects, and a watch on one sees a write through another',
  run: async (t, c) => {
    const ns = 'conf-servers';
    await makeNamespace(t, c, ns);
    await applyManifest(t, c, 'servers.yaml', configMapManifest('shared', ns, { v: '1' }));
    const uid = await kubectlOk(t, c, ['get', 'configmap', 'shared', '-n', ns, '-o', 'jsonpath={.metadata.uid}']);
    const last = c.apiUrls.length - 1;
    for (let i = 1; i <= last; i++) {
      const other = await kubectlOk(t, c, ['get', 'configmap', 'shared', '-n', ns, '-o', 'jsonpath={.metadata.uid}'], { kubeconfig: c.kubeconfigFor({ index: i }) });
      t.equal(other, uid, `API server ${i + 1} of ${c.apiUrls.length} serves the same object`);
    }
    const watch = c.watch(['get', 'configmaps', '-n', ns, '-w', '--output-watch-events'], { kubeconfig: c.kubeconfigFor({ index: last }) });
    try {
      await watch.waitForOutput((s) => outputLines(s).length >= 2, 'the initial table');
      await applyManifest(t, c, 'servers.yaml', configMapManifest('shared', ns, { v: '2', w: '3' }));
      await watch.waitForOutput((s) => outputLines(s).length >= 3, 'the change made through the first API server');
      t.same(tableCells(watch.stdout)[2]?.slice(0, 3), ['MODIFIED', 'shared', '2']);
    } finally {
      await watch.stop();
    }
  },
};

export const CREATE_ERROR_CASES: readonly KubectlCase[] = [typedCreate, statusErrors, everyServer];
