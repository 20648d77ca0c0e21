import t from 'tap';
import type { ConfigMap, Container, Pod, Secret } from '../../../core/index.js';
import {
  CreateContainerConfigError,
  expandEnvReferences,
  isValidEnvVarName,
  resolveContainerEnv,
  type ContainerEnvContext,
  type ObjectLookup,
} from '../../../actors/index.js';

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function lookupOf(configMaps: ConfigMap[], secrets: Secret[] = []): ObjectLookup & { calls: string[] } {
  const calls: string[] = [];
  const find = <T extends ConfigMap | Secret>(list: T[], namespace: string, name: string): T | undefined =>
    list.find((o) => o.metadata?.namespace === namespace && o.metadata.name === name);
  return {
    calls,
    getConfigMap: (namespace, name) => {
      calls.push(`cm ${namespace}/${name}`);
      return Promise.resolve(find(configMaps, namespace, name));
    },
    getSecret: (namespace, name) => {
      calls.push(`secret ${namespace}/${name}`);
      return Promise.resolve(find(secrets, namespace, name));
    },
  };
}

const CONTEXT: ContainerEnvContext = { nodeName: 'node-a', nodeIP: '192.0.2.10', podIP: '192.0.2.10', nodeAllocatable: { cpuMillis: 3500, memoryBytes: 8 * 1024 ** 3 } };

function podWith(container: Container, extra: Partial<Pod> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'prod', uid: 'uid-1', labels: { app: 'web', tier: 'fe' }, annotations: { note: 'hi "there"' } },
    spec: { containers: [container], serviceAccountName: 'runner', nodeName: 'node-a' },
    ...extra,
  };
}

const SETTINGS: ConfigMap = { metadata: { namespace: 'prod', name: 'settings' }, data: { MODE: 'fast', 'bad key': 'x', '1ST': 'y', LEVEL: '3' } };
const CREDS: Secret = { metadata: { namespace: 'prod', name: 'creds' }, data: { PASSWORD: b64('s3cret'), USER: b64('admin') } };

void t.test('$(VAR) expansion as Kubernetes does it', (t) => {
  const vars: Record<string, string> = { A: 'a', B: 'b', EMPTY: '' };
  const look = (name: string): string | undefined => vars[name];
  t.equal(expandEnvReferences('x-$(A)-$(B)', look), 'x-a-b');
  t.equal(expandEnvReferences('$(MISSING)', look), '$(MISSING)', 'unresolved stays literal');
  t.equal(expandEnvReferences('$$(A)', look), '$(A)', '$$ escapes');
  t.equal(expandEnvReferences('$$$(A)', look), '$a');
  t.equal(expandEnvReferences('$$', look), '$');
  t.equal(expandEnvReferences('cost: $5', look), 'cost: $5');
  t.equal(expandEnvReferences('end$', look), 'end$');
  t.equal(expandEnvReferences('$(A', look), '$(A', 'unterminated reference copied');
  t.equal(expandEnvReferences('$(A$(B)', look), '$(A$(B)', 'name runs to the first closer');
  t.equal(expandEnvReferences('$()', look), '$()');
  t.equal(expandEnvReferences('[$(EMPTY)]', look), '[]');
  t.equal(expandEnvReferences('$(A)$(A)', look), 'aa');
  t.end();
});

void t.test('env var name validity', (t) => {
  for (const ok of ['A', 'my.env-name', 'MY_ENV.NAME', '_x', '-x', '.x']) t.ok(isValidEnvVarName(ok), ok);
  for (const bad of ['1A', 'a b', '', '.', '..', '..x', 'a=b']) t.notOk(isValidEnvVarName(bad), bad);
  t.end();
});

void t.test('envFrom with prefix and invalid keys skipped; env overrides; expansion sees earlier vars', async (t) => {
  const reported: string[] = [];
  const container: Container = {
    name: 'app',
    envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' }, prefix: 'DB_' }],
    env: [
      { name: 'URL', value: 'postgres://$(DB_USER):$(DB_PASSWORD)@db/$(MODE)' },
      { name: 'MODE', value: 'slow' },
      { name: 'LATER', value: '$(MODE)-$(NOT_YET)' },
      { name: 'NOT_YET', value: 'now' },
      { name: 'ESCAPED', value: '$$(MODE)' },
      { name: 'BLANK' },
    ],
  };
  const env = await resolveContainerEnv(podWith(container), container, lookupOf([SETTINGS], [CREDS]), { ...CONTEXT, onInvalidEnvFromKeys: (m) => reported.push(m) });
  t.same(env, [
    { name: 'MODE', value: 'slow' },
    { name: 'LEVEL', value: '3' },
    { name: 'DB_PASSWORD', value: 's3cret' },
    { name: 'DB_USER', value: 'admin' },
    { name: 'URL', value: 'postgres://admin:s3cret@db/fast' },
    { name: 'LATER', value: 'slow-$(NOT_YET)' },
    { name: 'NOT_YET', value: 'now' },
    { name: 'ESCAPED', value: '$(MODE)' },
    { name: 'BLANK', value: '' },
  ]);
  t.same(reported, ['Keys [1ST, bad key] from the EnvFrom configMap prod/settings were skipped since they are considered invalid environment variable names.']);
});

void t.test('fieldRef: metadata, spec and status fields', async (t) => {
  const fields = ['metadata.name', 'metadata.namespace', 'metadata.uid', "metadata.labels['app']", "metadata.annotations['note']", "metadata.labels['none']", 'metadata.labels', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.podIP', 'status.podIPs'];
  const container: Container = { name: 'app', env: fields.map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath } } })) };
  const env = await resolveContainerEnv(podWith(container), container, lookupOf([]), CONTEXT);
  t.same(
    env.map((e) => e.value),
    ['web-1', 'prod', 'uid-1', 'web', 'hi "there"', '', 'app="web"\ntier="fe"', 'node-a', 'runner', '192.0.2.10', '192.0.2.10', '192.0.2.10'],
  );
  const bad: Container = { name: 'app', env: [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] };
  await t.rejects(resolveContainerEnv(podWith(bad), bad, lookupOf([]), CONTEXT), new CreateContainerConfigError('app', 'unsupported fieldPath: spec.bogus'));
});

void t.test('resourceFieldRef: limits, requests, divisors, node allocatable fallback', async (t) => {
  const env = (resource: string, divisor?: string, containerName?: string): Container['env'] => [
    { name: 'V', valueFrom: { resourceFieldRef: { resource, ...(divisor === undefined ? {} : { divisor }), ...(containerName === undefined ? {} : { containerName }) } } },
  ];
  const limited: Container = { name: 'app', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi' } } };
  const cases: [Container, string, string | undefined, string][] = [
    [limited, 'limits.cpu', undefined, '1'],
    [limited, 'limits.cpu', '1m', '250'],
    [limited, 'limits.cpu', '100m', '3'],
    [limited, 'requests.cpu', '1m', '100'],
    [limited, 'limits.memory', undefined, String(64 * 1024 * 1024)],
    [limited, 'limits.memory', '1Mi', '64'],
    [limited, 'requests.memory', '1Mi', '32'],
    [limited, 'requests.memory', '1M', '34'],
    [{ name: 'app' }, 'limits.cpu', undefined, '4'],
    [{ name: 'app' }, 'limits.cpu', '1m', '3500'],
    [{ name: 'app' }, 'limits.memory', '1Gi', '8'],
    [{ name: 'app' }, 'requests.cpu', undefined, '0'],
  ];
  for (const [base, resource, divisor, expected] of cases) {
    const container: Container = { ...base, env: env(resource, divisor) };
    const resolved = await resolveContainerEnv(podWith(container), container, lookupOf([]), CONTEXT);
    t.equal(resolved[0]?.value, expected, `${resource} / ${divisor ?? '1'}`);
  }
  const sidecar: Container = { name: 'side', resources: { limits: { memory: '1Gi' } } };
  const main: Container = { name: 'app', env: env('limits.memory', '1Mi', 'side') };
  const pod = podWith(main);
  pod.spec?.containers.push(sidecar);
  t.equal((await resolveContainerEnv(pod, main, lookupOf([]), CONTEXT))[0]?.value, '1024', 'another container by name');
  const unsupported: Container = { name: 'app', env: env('limits.gpu') };
  await t.rejects(resolveContainerEnv(podWith(unsupported), unsupported, lookupOf([]), CONTEXT), CreateContainerConfigError);
});

void t.test('configMapKeyRef / secretKeyRef: values, optional, kubelet messages when missing', async (t) => {
  const lookup = lookupOf([SETTINGS], [CREDS]);
  const container: Container = {
    name: 'app',
    env: [
      { name: 'M', valueFrom: { configMapKeyRef: { name: 'settings', key: 'MODE' } } },
      { name: 'P', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } },
      { name: 'OPT_KEY', valueFrom: { configMapKeyRef: { name: 'settings', key: 'nope', optional: true } } },
      { name: 'OPT_MAP', valueFrom: { configMapKeyRef: { name: 'gone', key: 'x', optional: true } } },
      { name: 'OPT_SECRET', valueFrom: { secretKeyRef: { name: 'gone', key: 'x', optional: true } } },
    ],
    envFrom: [{ configMapRef: { name: 'gone', optional: true } }, { secretRef: { name: 'gone', optional: true } }],
  };
  t.same(await resolveContainerEnv(podWith(container), container, lookup, CONTEXT), [
    { name: 'M', value: 'fast' },
    { name: 'P', value: 's3cret' },
  ]);
  t.equal(lookup.calls.filter((c) => c === 'cm prod/settings').length, 1, 'each source read once per resolution');

  const failures: [Container['env'], Container['envFrom'], string][] = [
    [[{ name: 'X', valueFrom: { configMapKeyRef: { name: 'gone', key: 'k' } } }], undefined, 'configmap "gone" not found'],
    [[{ name: 'X', valueFrom: { configMapKeyRef: { name: 'settings', key: 'k' } } }], undefined, "couldn't find key k in ConfigMap prod/settings"],
    [[{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }], undefined, 'secret "gone" not found'],
    [[{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }], undefined, "couldn't find key k in Secret prod/creds"],
    [undefined, [{ configMapRef: { name: 'gone' } }], 'configmap "gone" not found'],
    [undefined, [{ secretRef: { name: 'gone' } }], 'secret "gone" not found'],
  ];
  for (const [env, envFrom, message] of failures) {
    const failing: Container = { name: 'app', ...(env === undefined ? {} : { env }), ...(envFrom === undefined ? {} : { envFrom }) };
    try {
      await resolveContainerEnv(podWith(failing), failing, lookup, CONTEXT);
      t.fail(`expected ${message}`);
    } catch (error) {
      t.ok(error instanceof CreateContainerConfigError, message);
      if (error instanceof CreateContainerConfigError) {
        t.equal(error.message, message);
        t.equal(error.containerName, 'app');
        t.equal(error.reason, 'CreateContainerConfigError');
      }
    }
  }
});

void t.test('an API failure other than NotFound is passed through', async (t) => {
  const broken: ObjectLookup = { getConfigMap: () => Promise.reject(new Error('unavailable')), getSecret: () => Promise.resolve(undefined) };
  const container: Container = { name: 'app', envFrom: [{ configMapRef: { name: 'x', optional: true } }] };
  await t.rejects(resolveContainerEnv(podWith(container), container, broken, CONTEXT), { message: 'unavailable' });
});
