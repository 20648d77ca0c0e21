/**
 * `kubectl delete` by name, by file, by label selector and with each --cascade policy. kubectl
 * waits (GET, then list+watch by metadata.name) until the object is gone unless --wait=false.
 *
 * The garbage collector is a later issue, so nothing yet removes the `orphan` and
 * `foregroundDeletion` finalizers that the Orphan and Foreground policies add, exactly as
 * kube-apiserver adds them: those deletions are run with --wait=false and checked for the
 * deletionTimestamp and finalizer they leave; then the finalizer is removed by hand, which is
 * what lets the object go (as the garbage collector's own update would).
 */
import { deploymentManifest, podManifest } from '../manifests.js';
import type { KubectlCase, ObjectJson } from './context.js';
import { applyManifest, errorMessage, kubectlFails, kubectlOk, makeNamespace, parseJsonOutput } from './context.js';

const deleteByName: KubectlCase = {
  name: 'delete by name, by file, and by label selector',
  run: async (t, c) => {
    const ns = 'conf-delete';
    await makeNamespace(t, c, ns);
    const pods = ['a', 'b', 'c'].map((n) => podManifest(n, ns, { app: n === 'c' ? 'db' : 'web' }));
    await applyManifest(t, c, 'delete-pods.yaml', pods.join('---\n'));
    t.equal(await kubectlOk(t, c, ['delete', 'pod', 'c', '-n', ns]), 'pod "c" deleted\n');
    const gone = await kubectlFails(t, c, ['get', 'pod', 'c', '-n', ns]);
    t.equal(errorMessage(gone), 'Error from server (NotFound): pods "c" not found');

    t.equal(await kubectlOk(t, c, ['delete', 'pods', '-n', ns, '-l', 'app=web']), 'pod "a" deleted\npod "b" deleted\n');
    const none = await c.kubectl(['delete', 'pods', '-n', ns, '-l', 'app=web']);
    t.equal(none.code, 0);
    t.equal(none.stdout, 'No resources found\n', 'delete -l matching nothing');

    const file = c.writeFile('delete-file.yaml', deploymentManifest({ name: 'web', namespace: ns }));
    t.equal(await kubectlOk(t, c, ['apply', '-f', file]), 'deployment.apps/web created\n');
    t.equal(await kubectlOk(t, c, ['delete', '-f', file]), 'deployment.apps "web" deleted\n');
    const again = await kubectlFails(t, c, ['delete', '-f', file]);
    t.equal(errorMessage(again), `Error from server (NotFound): error when deleting "${file}": deployments.apps "web" not found`);
    t.equal(await kubectlOk(t, c, ['delete', '-f', file, '--ignore-not-found']), '', '--ignore-not-found');

    const missing = await kubectlFails(t, c, ['delete', 'pod', 'missing', '-n', ns]);
    t.equal(errorMessage(missing), 'Error from server (NotFound): pods "missing" not found');
  },
};

const deleteCascade: KubectlCase = {
  name: 'delete --cascade=background removes at once; orphan and foreground mark the object with their finalizer',
  run: async (t, c) => {
    const ns = 'conf-cascade';
    await makeNamespace(t, c, ns);
    for (const name of ['bg', 'orphan', 'fg']) await applyManifest(t, c, `cascade-${name}.yaml`, deploymentManifest({ name, namespace: ns }));
    const get = async (name: string): Promise<ObjectJson | undefined> => parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', 'deployment', name, '-n', ns, '-o', 'json']));

    t.equal(await kubectlOk(t, c, ['delete', 'deployment', 'bg', '-n', ns, '--cascade=background']), 'deployment.apps "bg" deleted\n');
    t.equal(errorMessage(await kubectlFails(t, c, ['get', 'deployment', 'bg', '-n', ns])), 'Error from server (NotFound): deployments.apps "bg" not found');

    for (const [name, policy, finalizer] of [
      ['orphan', 'orphan', 'orphan'],
      ['fg', 'foreground', 'foregroundDeletion'],
    ] as const) {
      t.equal(await kubectlOk(t, c, ['delete', 'deployment', name, '-n', ns, `--cascade=${policy}`, '--wait=false']), `deployment.apps "${name}" deleted\n`);
      const marked = await get(name);
      t.match(marked?.metadata?.deletionTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, `--cascade=${policy} sets deletionTimestamp`);
      t.same(marked?.metadata?.finalizers, [finalizer], `--cascade=${policy} adds the ${finalizer} finalizer`);
      // A second delete of an object being deleted changes nothing and still succeeds.
      t.equal(await kubectlOk(t, c, ['delete', 'deployment', name, '-n', ns, `--cascade=${policy}`, '--wait=false']), `deployment.apps "${name}" deleted\n`);
      // What the garbage collector will do: drop the finalizer; the object then goes.
      t.equal(await kubectlOk(t, c, ['patch', 'deployment', name, '-n', ns, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']), `deployment.apps/${name} patched\n`);
      t.equal(errorMessage(await kubectlFails(t, c, ['get', 'deployment', name, '-n', ns])), `Error from server (NotFound): deployments.apps "${name}" not found`, `${name} is gone once its finalizer is`);
    }
  },
};

export const DELETE_CASES: readonly KubectlCase[] = [deleteByName, deleteCascade];
