/**
 * The commands that change an object in place: `label` and `annotate` (merge patches), `edit`
 * (a strategic merge patch computed from what the editor changed), `scale` (the scale
 * subresource, PATCH and PUT), and `patch` in its three types.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outputLines } from '../kubectl-runner.js';
import { deploymentManifest } from '../manifests.js';
import type { KubectlCase, ObjectJson } from './context.js';
import { applyManifest, errorMessage, kubectlFails, kubectlOk, makeNamespace, parseJsonOutput } from './context.js';

const labelAndAnnotate: KubectlCase = {
  name: 'label and annotate add, refuse to overwrite without --overwrite, overwrite, and remove',
  run: async (t, c) => {
    const ns = 'conf-label';
    await makeNamespace(t, c, ns);
    await applyManifest(t, c, 'label.yaml', deploymentManifest({ name: 'web', namespace: ns }));
    const labels = async (): Promise<string> => kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.metadata.labels}']);
    t.equal(await kubectlOk(t, c, ['label', 'deployment', 'web', '-n', ns, 'tier=frontend']), 'deployment.apps/web labeled\n');
    t.equal(await labels(), '{"app":"web","tier":"frontend"}');
    const clash = await kubectlFails(t, c, ['label', 'deployment', 'web', '-n', ns, 'tier=backend']);
    t.equal(errorMessage(clash), "error: 'tier' already has a value (frontend), and --overwrite is false");
    t.equal(await kubectlOk(t, c, ['label', 'deployment', 'web', '-n', ns, 'tier=backend', '--overwrite']), 'deployment.apps/web labeled\n');
    t.equal(await labels(), '{"app":"web","tier":"backend"}');
    t.equal(await kubectlOk(t, c, ['label', 'deployment', 'web', '-n', ns, 'tier-']), 'deployment.apps/web unlabeled\n');
    t.equal(await labels(), '{"app":"web"}');
    const badLabel = await kubectlFails(t, c, ['label', 'deployment', 'web', '-n', ns, 'bad_key!=x']);
    t.equal(
      errorMessage(badLabel),
      'The Deployment "web" is invalid: metadata.labels: Invalid value: "bad_key!": name part must consist of alphanumeric characters, ' +
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', " +
        "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'a malformed label key is refused by the server',
    );

    const generation = (): Promise<string> => kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.metadata.generation}']);
    t.equal(await generation(), '1', 'label changes leave metadata.generation alone');

    t.equal(await kubectlOk(t, c, ['annotate', 'deployment', 'web', '-n', ns, 'note=hello world']), 'deployment.apps/web annotated\n');
    t.equal(await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.metadata.annotations.note}']), 'hello world');
    t.equal(await kubectlOk(t, c, ['annotate', 'deployment', 'web', '-n', ns, 'note-']), 'deployment.apps/web annotated\n');
    t.equal(await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.metadata.annotations.note}']), '');
    // Kubernetes bumps a Deployment's generation when its annotations change (they are copied to its ReplicaSets).
    t.equal(await generation(), '3', 'each annotation change bumps a Deployment\'s metadata.generation');
  },
};

const edit: KubectlCase = {
  name: 'edit applies what the editor changed; an unchanged edit saves nothing; an invalid one is refused',
  run: async (t, c) => {
    const ns = 'conf-edit';
    await makeNamespace(t, c, ns);
    await applyManifest(t, c, 'edit.yaml', deploymentManifest({ name: 'web', namespace: ns, image: 'nginx:1.25' }));
    const script = (name: string, body: string): string => {
      const path = c.writeFile(name, `#!/bin/sh\n${body}\n`);
      chmodSync(path, 0o755);
      return path;
    };
    const bumpImage = script('edit-image.sh', 'sed -i "s|image: nginx:1.25|image: nginx:1.27|" "$1"');
    t.equal(await kubectlOk(t, c, ['edit', 'deployment', 'web', '-n', ns], { env: { EDITOR: bumpImage } }), 'deployment.apps/web edited\n');
    t.equal(await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.27');
    t.equal(await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.metadata.generation}']), '2', 'a template change bumps metadata.generation');

    const unchanged = await c.kubectl(['edit', 'deployment', 'web', '-n', ns], { env: { EDITOR: script('edit-nothing.sh', 'exit 0') } });
    t.equal(unchanged.code, 0);
    t.equal(errorMessage(unchanged), 'Edit cancelled, no changes made.');

    // kubectl reopens the editor with the server's errors as comments; the script keeps a copy of
    // what it was shown, changes nothing the second time, and kubectl gives up.
    const shown = join(c.workDir, 'edit-shown.yaml');
    const negative = script('edit-invalid.sh', `sed -i "s|^  replicas: 2$|  replicas: -1|" "$1"\ncp "$1" "${shown}"`);
    const invalid = await kubectlFails(t, c, ['edit', 'deployment', 'web', '-n', ns], { env: { EDITOR: negative } });
    const message = outputLines(errorMessage(invalid));
    t.equal(message[0], 'error: deployments.apps "web" is invalid');
    t.match(message[1], /^A copy of your changes has been stored to "/);
    t.equal(message[2], 'error: Edit cancelled, no valid changes were saved.');
    t.match(readFileSync(shown, 'utf8'), /^# deployments\.apps "web" was not valid:\n# \* spec\.replicas: Invalid value: -1: must be greater than or equal to 0$/m, 'the editor was shown the field error');
    t.equal(await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '2', 'nothing was saved');
  },
};

const scale: KubectlCase = {
  name: 'scale sets spec.replicas through the scale subresource, honouring --current-replicas',
  run: async (t, c) => {
    const ns = 'conf-scale';
    await makeNamespace(t, c, ns);
    await applyManifest(t, c, 'scale.yaml', deploymentManifest({ name: 'web', namespace: ns, replicas: 2 }));
    const replicas = (): Promise<string> => kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}']);
    t.equal(await kubectlOk(t, c, ['scale', 'deployment', 'web', '-n', ns, '--replicas=5']), 'deployment.apps/web scaled\n');
    t.equal(await replicas(), '5');
    // --current-replicas reads the Scale, then PUTs it (with no Content-Type) carrying its resourceVersion.
    t.equal(await kubectlOk(t, c, ['scale', 'deployment/web', '-n', ns, '--current-replicas=5', '--replicas=3']), 'deployment.apps/web scaled\n');
    t.equal(await replicas(), '3');
    const stale = await kubectlFails(t, c, ['scale', 'deployment', 'web', '-n', ns, '--current-replicas=9', '--replicas=1']);
    t.equal(errorMessage(stale), 'error: Expected replicas to be 9, was 3');
    t.equal(await replicas(), '3', 'a failed precondition changes nothing');
    const scaleJson = parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', '--raw', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`]));
    t.match(scaleJson, { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: ns }, spec: { replicas: 3 }, status: { selector: 'app=web' } });
  },
};

const patch: KubectlCase = {
  name: 'patch with strategic merge (the default), merge and JSON patches',
  run: async (t, c) => {
    const ns = 'conf-patch';
    await makeNamespace(t, c, ns);
    await applyManifest(t, c, 'patch.yaml', deploymentManifest({ name: 'web', namespace: ns, replicas: 2 }));
    const get = async (): Promise<ObjectJson | undefined> => parseJsonOutput<ObjectJson>(t, await kubectlOk(t, c, ['get', 'deployment', 'web', '-n', ns, '-o', 'json']));
    const containers = (d: ObjectJson | undefined): unknown => (d?.spec?.template as { spec?: { containers?: unknown } } | undefined)?.spec?.containers;

    const sidecar = '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.36"}]}}}}';
    t.equal(await kubectlOk(t, c, ['patch', 'deployment', 'web', '-n', ns, '-p', sidecar]), 'deployment.apps/web patched\n');
    // Containers merge by name: the new one joins the old. Kubernetes puts the patch's items
    // first and the server-only ones after them (no $setElementOrder was sent).
    t.match(containers(await get()), [{ name: 'sidecar', image: 'busybox:1.36' }, { name: 'nginx', image: 'nginx:1.25' }], 'strategic merge adds a container by its merge key');
    const bump = '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}';
    t.equal(await kubectlOk(t, c, ['patch', 'deployment', 'web', '-n', ns, '--type=strategic', '-p', bump]), 'deployment.apps/web patched\n');
    t.match(containers(await get()), [{ name: 'sidecar' }, { name: 'nginx', image: 'nginx:1.26' }], 'strategic merge changes one container in place');
    const drop = '{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}}}';
    t.equal(await kubectlOk(t, c, ['patch', 'deployment', 'web', '-n', ns, '-p', drop]), 'deployment.apps/web patched\n');
    t.match(containers(await get()), [{ name: 'nginx' }], '$patch: delete removes a container');
    t.equal((containers(await get()) as unknown[] | undefined)?.length, 1);

    t.equal(await kubectlOk(t, c, ['patch', 'deployment', 'web', '-n', ns, '--type=merge', '-p', '{"metadata":{"labels":{"patched":"merge"}},"spec":{"replicas":4}}']), 'deployment.apps/web patched\n');
    const merged = await get();
    t.equal(merged?.metadata?.labels?.patched, 'merge');
    t.equal(merged?.spec?.replicas, 4);
    const replaceList = '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox:1.36"}]}}}}';
    t.equal(await kubectlOk(t, c, ['patch', 'deployment', 'web', '-n', ns, '--type=merge', '-p', replaceList]), 'deployment.apps/web patched\n');
    t.match(containers(await get()), [{ name: 'only', image: 'busybox:1.36' }], 'a merge patch replaces lists whole');

    const ops = '[{"op":"replace","path":"/spec/replicas","value":6},{"op":"add","path":"/metadata/labels/json","value":"yes"}]';
    t.equal(await kubectlOk(t, c, ['patch', 'deployment', 'web', '-n', ns, '--type=json', '-p', ops]), 'deployment.apps/web patched\n');
    const jsoned = await get();
    t.equal(jsoned?.spec?.replicas, 6);
    t.equal(jsoned?.metadata?.labels?.json, 'yes');
    t.equal(await kubectlOk(t, c, ['patch', 'deployment', 'web', '-n', ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":6}]']), 'deployment.apps/web patched (no change)\n');

    const invalid = await kubectlFails(t, c, ['patch', 'deployment', 'web', '-n', ns, '--type=merge', '-p', '{"spec":{"replicas":-3}}']);
    t.equal(errorMessage(invalid), 'The Deployment "web" is invalid: spec.replicas: Invalid value: -3: must be greater than or equal to 0');
    const failedTest = await kubectlFails(t, c, ['patch', 'deployment', 'web', '-n', ns, '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":7}]']);
    t.equal(errorMessage(failedTest), 'The request is invalid: the server rejected our request due to an error in our request', 'a failed JSON-patch test operation');
    const missing = await kubectlFails(t, c, ['patch', 'deployment', 'nope', '-n', ns, '--type=merge', '-p', '{"spec":{"replicas":1}}']);
    t.equal(errorMessage(missing), 'Error from server (NotFound): deployments.apps "nope" not found');
  },
};

export const MUTATE_CASES: readonly KubectlCase[] = [labelAndAnnotate, edit, scale, patch];
