// The admin kubeconfig: its YAML shape, and that @kubernetes/client-node reads it as meant.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import {
  apiServerUrl,
  authenticateToken,
  clusterPkiDir,
  ensureClusterAccess,
  fileMode,
  kubeconfigPath,
  loadTokenFile,
  renderAdminKubeconfig,
  tempDir,
  writeAdminKubeconfig,
} from './helpers.js';

// @kubernetes/client-node 2.0.1 bundles an undici that needs Node >= 22: under Node 20 importing it
// throws, and keeps throwing asynchronously afterwards, so whether it loads is probed in a child
// process first and its checks are skipped (with that reason) when it cannot.
const clientNodeLoads =
  spawnSync(process.execPath, ['--input-type=module', '-e', "await import('@kubernetes/client-node');"], { stdio: 'ignore' }).status === 0;
const clientNodeSkip = clientNodeLoads ? false : `@kubernetes/client-node cannot be imported under Node ${process.version}`;

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

interface KubeconfigShape {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { token: string } }[];
}

void t.test('renders cluster, user and context flotilla/admin/flotilla with the CA embedded', (t) => {
  const text = renderAdminKubeconfig({ serverUrl: 'https://127.0.0.1:6443', caCertPem: CA_PEM, token: 'tok-123' });
  t.same(parse(text), {
    apiVersion: 'v1',
    clusters: [
      {
        cluster: { 'certificate-authority-data': Buffer.from(CA_PEM).toString('base64'), server: 'https://127.0.0.1:6443' },
        name: 'flotilla',
      },
    ],
    contexts: [{ context: { cluster: 'flotilla', namespace: 'default', user: 'admin' }, name: 'flotilla' }],
    'current-context': 'flotilla',
    kind: 'Config',
    preferences: {},
    users: [{ name: 'admin', user: { token: 'tok-123' } }],
  });
  t.match(text, /^apiVersion: v1\n/);
  t.end();
});

void t.test('@kubernetes/client-node loads it: server, CA data, token, namespace', { skip: clientNodeSkip }, async (t) => {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(renderAdminKubeconfig({ serverUrl: 'https://127.0.0.1:6443', caCertPem: CA_PEM, token: 'tok-123', namespace: 'team-a' }));
  t.equal(kc.getCurrentContext(), 'flotilla');
  t.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
  t.equal(Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8'), CA_PEM);
  t.equal(kc.getCurrentUser()?.token, 'tok-123');
  t.equal(kc.getContextObject('flotilla')?.namespace, 'team-a');
});

void t.test('refuses a server URL that is not https', (t) => {
  t.throws(() => renderAdminKubeconfig({ serverUrl: 'http://127.0.0.1:8080', caCertPem: CA_PEM, token: 'x' }), RangeError);
  t.throws(() => renderAdminKubeconfig({ serverUrl: '127.0.0.1:8080', caCertPem: CA_PEM, token: 'x' }), RangeError);
  t.end();
});

void t.test('apiServerUrl brackets IPv6 and checks the port', (t) => {
  t.equal(apiServerUrl('127.0.0.1', 6443), 'https://127.0.0.1:6443');
  t.equal(apiServerUrl('::1', 6443), 'https://[::1]:6443');
  t.equal(apiServerUrl('master-1', 443), 'https://master-1:443');
  t.throws(() => apiServerUrl('127.0.0.1', 0), RangeError);
  t.throws(() => apiServerUrl('127.0.0.1', 70000), RangeError);
  t.end();
});

void t.test('writeAdminKubeconfig writes mode 0600', async (t) => {
  const path = join(tempDir(t), 'kubeconfig');
  await writeAdminKubeconfig(path, { serverUrl: 'https://127.0.0.1:1', caCertPem: CA_PEM, token: 't' });
  t.equal(fileMode(path), 0o600);
  t.equal(readFileSync(path, 'utf8'), renderAdminKubeconfig({ serverUrl: 'https://127.0.0.1:1', caCertPem: CA_PEM, token: 't' }));
});

void t.test('ensureClusterAccess ties PKI, tokens and kubeconfig together and is stable across runs', async (t) => {
  const dataDir = tempDir(t);
  const first = await ensureClusterAccess(dataDir, { serverUrl: 'https://127.0.0.1:7001' });
  t.equal(first.kubeconfigPath, kubeconfigPath(dataDir));
  t.equal(first.tokenFilePath, join(clusterPkiDir(dataDir), 'tokens.csv'));
  t.equal(fileMode(first.tokenFilePath), 0o600);
  t.equal(fileMode(first.kubeconfigPath), 0o600);
  const config = parse(readFileSync(first.kubeconfigPath, 'utf8')) as KubeconfigShape;
  t.equal(config.users[0]?.user.token, first.adminToken);
  t.equal(Buffer.from(config.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString('utf8'), first.pki.caCertPem);
  const tokens = await loadTokenFile(first.tokenFilePath);
  t.same(authenticateToken(tokens?.tokens ?? [], first.adminToken), { name: 'admin', uid: 'admin', groups: ['system:masters'] });

  const second = await ensureClusterAccess(dataDir, { serverUrl: 'https://127.0.0.1:7002' });
  t.equal(second.adminToken, first.adminToken);
  t.equal(second.pki.caCertPem, first.pki.caCertPem);
  t.equal(second.pki.caCreated, false);
  const again = parse(readFileSync(second.kubeconfigPath, 'utf8')) as KubeconfigShape;
  t.equal(again.clusters[0]?.cluster.server, 'https://127.0.0.1:7002');
});
