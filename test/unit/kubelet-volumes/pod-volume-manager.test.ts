import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { InMemoryResourceClient, type ConfigMap, type Pod, type Secret, type Volume } from '../../../core/index.js';
import {
  CreateContainerConfigError,
  HostPathTypeError,
  ManualClock,
  objectLookupFromClient,
  PodVolumeManager,
  prepareHostPath,
  VolumeSetupError,
  type ObjectLookup,
} from '../../../actors/index.js';

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-vol-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

class MapLookup implements ObjectLookup {
  readonly configMaps = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return Promise.resolve(this.configMaps.get(`${namespace}/${name}`));
  }
  getSecret(namespace: string, name: string): Promise<Secret | undefined> {
    return Promise.resolve(this.secrets.get(`${namespace}/${name}`));
  }
}

function pod(volumes: Volume[], uid = 'uid-1'): Pod {
  return {
    metadata: { name: 'web', namespace: 'prod', uid, labels: { app: 'web' }, annotations: { a: '1' } },
    spec: {
      volumes,
      containers: [{ name: 'app', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }],
    },
  };
}

function manager(t: Test, lookup?: ObjectLookup): { root: string; volumes: PodVolumeManager } {
  const root = tempDir(t);
  return { root, volumes: new PodVolumeManager({ rootDir: root, clock: new ManualClock(Date.UTC(2024, 0, 1)), nodeAllocatable: { cpuMillis: 2000, memoryBytes: 1024 }, ...(lookup === undefined ? {} : { lookup }) }) };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

void t.test('emptyDir: a world-writable dir under the pod; tearDown removes everything', async (t) => {
  const { root, volumes } = manager(t, new MapLookup());
  const paths = await volumes.setUp(pod([{ name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]));
  const scratch = join(root, 'pods/uid-1/volumes/kubernetes.io~empty-dir/scratch');
  t.equal(paths.get('scratch'), scratch);
  t.ok(statSync(scratch).isDirectory());
  t.equal(statSync(scratch).mode & 0o777, 0o777);
  t.ok(statSync(paths.get('mem') ?? '').isDirectory(), 'medium Memory is a plain dir');
  writeFileSync(join(scratch, 'data'), 'kept');
  await volumes.setUp(pod([{ name: 'scratch', emptyDir: {} }]));
  t.equal(readFileSync(join(scratch, 'data'), 'utf8'), 'kept', 'setUp again keeps emptyDir contents');
  await volumes.tearDown('uid-1');
  t.notOk(existsSync(join(root, 'pods/uid-1')));
  await volumes.tearDown('uid-1');
  t.throws(() => volumes.podDir('../etc'), TypeError);
});

void t.test('configMap: keys to files, items with paths and modes, binaryData, defaultMode, refresh on change', async (t) => {
  const lookup = new MapLookup();
  lookup.configMaps.set('prod/cfg', { metadata: { namespace: 'prod', name: 'cfg' }, data: { 'app.conf': 'v1', other: 'o' }, binaryData: { blob: b64('\u0000\u0001') } });
  const { root, volumes } = manager(t, lookup);
  const all: Volume = { name: 'all', configMap: { name: 'cfg' } };
  const some: Volume = { name: 'some', configMap: { name: 'cfg', defaultMode: 0o440, items: [{ key: 'app.conf', path: 'conf/app.conf', mode: 0o400 }, { key: 'other', path: 'o.txt' }] } };
  const paths = await volumes.setUp(pod([all, some]));
  const dir = paths.get('all') ?? '';
  t.equal(dir, join(root, 'pods/uid-1/volumes/kubernetes.io~configmap/all'));
  t.equal(readFileSync(join(dir, 'app.conf'), 'utf8'), 'v1');
  t.same([...readFileSync(join(dir, 'blob'))], [0, 1]);
  t.equal(readlinkSync(join(dir, 'app.conf')), '..data/app.conf');
  t.equal(statSync(join(dir, 'other')).mode & 0o777, 0o644, 'default mode 0644');
  const someDir = paths.get('some') ?? '';
  t.equal(readFileSync(join(someDir, 'conf/app.conf'), 'utf8'), 'v1');
  t.equal(statSync(join(someDir, 'conf/app.conf')).mode & 0o777, 0o400);
  t.equal(statSync(join(someDir, 'o.txt')).mode & 0o777, 0o440);
  t.notOk(existsSync(join(someDir, 'blob')), 'only the items');

  const before = readlinkSync(join(dir, '..data'));
  await volumes.setUp(pod([all, some]));
  t.equal(readlinkSync(join(dir, '..data')), before, 'unchanged source: nothing rewritten');
  lookup.configMaps.set('prod/cfg', { metadata: { namespace: 'prod', name: 'cfg' }, data: { 'app.conf': 'v2' } });
  await volumes.setUp(pod([all]));
  t.equal(readFileSync(join(dir, 'app.conf'), 'utf8'), 'v2');
  t.notOk(existsSync(join(dir, 'other')), 'a removed key disappears');
});

void t.test('configMap/secret missing: typed error unless optional; missing item key', async (t) => {
  const lookup = new MapLookup();
  lookup.configMaps.set('prod/cfg', { metadata: { namespace: 'prod', name: 'cfg' }, data: { a: '1' } });
  const { volumes } = manager(t);
  const cases: [Volume, string][] = [
    [{ name: 'v', configMap: { name: 'nope' } }, 'configmap "nope" not found'],
    [{ name: 's', secret: { secretName: 'nope' } }, 'secret "nope" not found'],
    [{ name: 'k', configMap: { name: 'cfg', items: [{ key: 'zz', path: 'zz' }] } }, 'configmap references non-existent config key: zz'],
  ];
  for (const [volume, detail] of cases) {
    try {
      await volumes.setUp(pod([volume]), lookup);
      t.fail(`expected ${detail}`);
    } catch (error) {
      t.ok(error instanceof VolumeSetupError, detail);
      if (error instanceof VolumeSetupError) {
        t.equal(error.volumeName, volume.name);
        t.equal(error.detail, detail);
        t.equal(error.reason, 'FailedMount');
        t.equal(error.message, `MountVolume.SetUp failed for volume "${volume.name}" : ${detail}`);
      }
    }
  }
  const optional = await volumes.setUp(
    pod([
      { name: 'v', configMap: { name: 'nope', optional: true } },
      { name: 's', secret: { secretName: 'nope', optional: true } },
      { name: 'k', configMap: { name: 'cfg', optional: true, items: [{ key: 'zz', path: 'zz' }, { key: 'a', path: 'a' }] } },
    ]),
    lookup,
  );
  t.ok(existsSync(join(optional.get('v') ?? '', '..data')), 'an optional missing source is an empty volume');
  t.equal(readFileSync(join(optional.get('k') ?? '', 'a'), 'utf8'), '1');
  t.notOk(existsSync(join(optional.get('k') ?? '', 'zz')));
  await t.rejects(volumes.setUp(pod([])), TypeError, 'no lookup at all');
});

void t.test('secret: values decoded from base64', async (t) => {
  const lookup = new MapLookup();
  lookup.secrets.set('prod/tls', { metadata: { namespace: 'prod', name: 'tls' }, data: { 'tls.key': b64('KEY'), 'tls.crt': b64('CRT') } });
  const { root, volumes } = manager(t, lookup);
  const paths = await volumes.setUp(pod([{ name: 'certs', secret: { secretName: 'tls', defaultMode: 0o400 } }]));
  const dir = paths.get('certs') ?? '';
  t.equal(dir, join(root, 'pods/uid-1/volumes/kubernetes.io~secret/certs'));
  t.equal(readFileSync(join(dir, 'tls.key'), 'utf8'), 'KEY');
  t.equal(statSync(join(dir, 'tls.crt')).mode & 0o777, 0o400);
});

void t.test('downwardAPI and projected volumes', async (t) => {
  const lookup = new MapLookup();
  lookup.configMaps.set('prod/ca', { metadata: { namespace: 'prod', name: 'ca' }, data: { 'ca.crt': 'CA' } });
  lookup.secrets.set('prod/tok', { metadata: { namespace: 'prod', name: 'tok' }, data: { token: b64('T') } });
  const { volumes } = manager(t, lookup);
  const downward: Volume = {
    name: 'info',
    downwardAPI: {
      items: [
        { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
        { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
        { path: 'meta/ns', fieldRef: { fieldPath: 'metadata.namespace' } },
        { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
        { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
        { path: 'cpureq', resourceFieldRef: { containerName: 'app', resource: 'requests.cpu', divisor: '1m' } },
      ],
    },
  };
  const projected: Volume = {
    name: 'proj',
    projected: {
      defaultMode: 0o444,
      sources: [
        { configMap: { name: 'ca' } },
        { secret: { name: 'tok', items: [{ key: 'token', path: 'sa/token' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
        { serviceAccountToken: { path: 'ignored' } },
      ],
    },
  };
  const p = pod([downward, projected]);
  const paths = await volumes.setUp(p);
  const info = paths.get('info') ?? '';
  t.equal(readFileSync(join(info, 'name'), 'utf8'), 'web');
  t.equal(readFileSync(join(info, 'labels'), 'utf8'), 'app="web"');
  t.equal(readFileSync(join(info, 'meta/ns'), 'utf8'), 'prod');
  t.equal(readFileSync(join(info, 'mem'), 'utf8'), '64');
  t.equal(readFileSync(join(info, 'cpu'), 'utf8'), '2', 'unset cpu limit: node allocatable in whole cores');
  t.equal(readFileSync(join(info, 'cpureq'), 'utf8'), '250');
  const proj = paths.get('proj') ?? '';
  t.equal(readFileSync(join(proj, 'ca.crt'), 'utf8'), 'CA');
  t.equal(readFileSync(join(proj, 'sa/token'), 'utf8'), 'T');
  t.equal(readFileSync(join(proj, 'namespace'), 'utf8'), 'prod');
  t.equal(statSync(join(proj, 'ca.crt')).mode & 0o777, 0o444);

  // Labels change: the file is refreshed on the next setUp.
  p.metadata = { ...p.metadata, labels: { app: 'web', v: '2' } };
  await volumes.setUp(p);
  t.equal(readFileSync(join(info, 'labels'), 'utf8'), 'app="web"\nv="2"');

  await t.rejects(volumes.setUp(pod([{ name: 'bad', downwardAPI: { items: [{ path: 'x', fieldRef: { fieldPath: 'spec.nodeName' } }] } }])), VolumeSetupError);
});

void t.test('unsupported volume types fail with a VolumeSetupError', async (t) => {
  const { volumes } = manager(t, new MapLookup());
  await t.rejects(volumes.setUp(pod([{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }])), new VolumeSetupError('data', 'volume type persistentVolumeClaim is not supported by this kubelet'));
});

void t.test('hostPath type checks', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  const socketPath = join(dir, 'sock');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));

  t.equal(await prepareHostPath({ path: dir, type: 'Directory' }), dir);
  t.equal(await prepareHostPath({ path: file, type: 'File' }), file);
  t.equal(await prepareHostPath({ path: socketPath, type: 'Socket' }), socketPath);
  t.equal(await prepareHostPath({ path: join(dir, 'whatever') }), join(dir, 'whatever'), 'no type: no check');
  t.equal(await prepareHostPath({ path: join(dir, 'whatever'), type: '' }), join(dir, 'whatever'));

  const created = join(dir, 'made/deep');
  await prepareHostPath({ path: created, type: 'DirectoryOrCreate' });
  t.ok(statSync(created).isDirectory());
  const newFile = join(dir, 'new-file');
  await prepareHostPath({ path: newFile, type: 'FileOrCreate' });
  t.ok(statSync(newFile).isFile());
  t.equal(statSync(newFile).size, 0);

  const failures: [Parameters<typeof prepareHostPath>[0], string][] = [
    [{ path: file, type: 'Directory' }, `hostPath type check failed: ${file} is not a directory`],
    [{ path: join(dir, 'missing'), type: 'Directory' }, `hostPath type check failed: ${join(dir, 'missing')} is not a directory`],
    [{ path: file, type: 'DirectoryOrCreate' }, `hostPath type check failed: ${file} is not a directory`],
    [{ path: dir, type: 'File' }, `hostPath type check failed: ${dir} is not a file`],
    [{ path: dir, type: 'FileOrCreate' }, `hostPath type check failed: ${dir} is not a file`],
    [{ path: file, type: 'Socket' }, `hostPath type check failed: ${file} is not a socket file`],
    [{ path: file, type: 'CharDevice' }, `hostPath type check failed: ${file} is not a character device`],
  ];
  for (const [source, message] of failures) await t.rejects(prepareHostPath(source), new HostPathTypeError(source.path, source.type ?? '', message), message);
  await t.rejects(prepareHostPath({ path: join(dir, 'no/parent/file'), type: 'FileOrCreate' }), HostPathTypeError, 'FileOrCreate does not create parents');

  const { volumes } = manager(t, new MapLookup());
  const paths = await volumes.setUp(pod([{ name: 'logs', hostPath: { path: dir, type: 'Directory' } }]));
  t.equal(paths.get('logs'), dir, 'a hostPath volume is the host path itself');
  await t.rejects(volumes.setUp(pod([{ name: 'logs', hostPath: { path: file, type: 'Directory' } }])), new VolumeSetupError('logs', `hostPath type check failed: ${file} is not a directory`));
});

void t.test('mountsFor: readOnly, subPath created when missing, subPathExpr, configMap always read-only', async (t) => {
  const lookup = new MapLookup();
  lookup.configMaps.set('prod/cfg', { metadata: { namespace: 'prod', name: 'cfg' }, data: { a: '1' } });
  const { volumes } = manager(t, lookup);
  const paths = await volumes.setUp(pod([{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } }]));
  const scratch = paths.get('scratch') ?? '';
  const mounts = volumes.mountsFor(
    {
      name: 'app',
      volumeMounts: [
        { name: 'scratch', mountPath: '/data' },
        { name: 'scratch', mountPath: '/ro', readOnly: true },
        { name: 'scratch', mountPath: '/sub', subPath: 'one/two' },
        { name: 'scratch', mountPath: '/expr', subPathExpr: 'pods/$(POD_NAME)' },
        { name: 'cfg', mountPath: '/etc/cfg' },
        { name: 'cfg', mountPath: '/etc/a', subPath: 'a' },
      ],
    },
    paths,
    [{ name: 'POD_NAME', value: 'web' }],
  );
  t.same(mounts, [
    { containerPath: '/data', hostPath: scratch, readOnly: false },
    { containerPath: '/ro', hostPath: scratch, readOnly: true },
    { containerPath: '/sub', hostPath: join(scratch, 'one/two'), readOnly: false },
    { containerPath: '/expr', hostPath: join(scratch, 'pods/web'), readOnly: false },
    { containerPath: '/etc/cfg', hostPath: paths.get('cfg'), readOnly: true },
    { containerPath: '/etc/a', hostPath: join(paths.get('cfg') ?? '', 'a'), readOnly: true },
  ]);
  t.ok(statSync(join(scratch, 'one/two')).isDirectory(), 'missing subPath created');
  t.ok(lstatSync(join(paths.get('cfg') ?? '', 'a')).isSymbolicLink(), 'an existing subPath is left as is');

  t.throws(() => volumes.mountsFor({ name: 'app', volumeMounts: [{ name: 'nope', mountPath: '/x' }] }, paths), CreateContainerConfigError);
  t.throws(() => volumes.mountsFor({ name: 'app', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: '/abs' }] }, paths), CreateContainerConfigError);
  t.throws(() => volumes.mountsFor({ name: 'app', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: 'a/../../b' }] }, paths), CreateContainerConfigError);
  mkdirSync(join(scratch, 'exists'));
  t.equal(volumes.mountsFor({ name: 'app', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: 'exists' }] }, paths)[0]?.hostPath, join(scratch, 'exists'));
});

void t.test('objectLookupFromClient reads through the API and maps NotFound to undefined', async (t) => {
  const client = new InMemoryResourceClient({ now: () => '2024-01-01T00:00:00Z' });
  await client.create({ group: '', version: 'v1', resource: 'configmaps' }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'prod', name: 'cfg' }, data: { a: '1' } });
  const lookup = objectLookupFromClient(client);
  t.same((await lookup.getConfigMap('prod', 'cfg'))?.data, { a: '1' });
  t.equal(await lookup.getConfigMap('prod', 'other'), undefined);
  t.equal(await lookup.getSecret('prod', 'cfg'), undefined);
});
