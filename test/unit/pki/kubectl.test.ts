// End to end with the real kubectl: an HTTPS server using the issued serving certificate, and the
// generated kubeconfig with no extra flags. kubectl must trust the certificate through the
// embedded CA alone and send the admin token.
import { writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import {
  apiServerUrl,
  authenticateToken,
  bearerTokenFromHeader,
  createClusterCa,
  ensureClusterAccess,
  findExecutable,
  renderAdminKubeconfig,
  runTool,
  tempDir,
} from './helpers.js';
import type { StaticToken } from './helpers.js';

const kubectl = findExecutable('kubectl');

const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };

/** A tiny API server: /version, /api, /apis behind bearer-token authentication. */
function apiHandler(tokens: readonly StaticToken[], seenAuthorization: string[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    seenAuthorization.push(req.headers.authorization ?? '');
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const user = authenticateToken(tokens, bearerTokenFromHeader(req.headers.authorization) ?? '');
    if (user === undefined) {
      send(401, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/version') send(200, VERSION);
    else if (path === '/api') send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    else if (path === '/apis') send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    else send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404 });
  };
}

/** kubectl's environment: a private HOME (its cache), no inherited kubeconfig or proxies. */
function kubectlEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  for (const name of ['KUBECONFIG', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

void t.test('kubectl trusts the serving certificate via the kubeconfig CA and sends the token', { skip: kubectl === undefined ? 'kubectl not installed' : false }, async (t) => {
  const bin = kubectl!;
  const dataDir = tempDir(t, 'pki-kubectl');
  const home = tempDir(t, 'pki-kubectl-home');

  // Ports are OS-assigned: listen first, then write the kubeconfig for that port.
  const seen: string[] = [];
  let tokens: readonly StaticToken[] = [];
  const pending = await ensureClusterAccess(dataDir, { serverUrl: 'https://127.0.0.1:1' });
  tokens = pending.tokens.tokens;
  const server = createServer({ cert: pending.pki.servingCertPem, key: pending.pki.servingKeyPem }, apiHandler(tokens, seen));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;
  const access = await ensureClusterAccess(dataDir, { serverUrl: apiServerUrl('127.0.0.1', port) });
  t.equal(access.adminToken, pending.adminToken);
  t.equal(access.pki.servingCertificateIssued, undefined, 'the running server still has the current certificate');

  const version = await runTool(bin, ['--kubeconfig', access.kubeconfigPath, 'version', '-o', 'json'], kubectlEnv(home));
  t.equal(version.code, 0, version.stderr);
  t.notMatch(version.stderr, /x509|certificate/i);
  const parsed = JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } };
  t.equal(parsed.serverVersion?.gitVersion, 'v1.32.0');
  t.ok(seen.length > 0, 'kubectl reached the server');
  t.ok(seen.every((h) => h === `Bearer ${access.adminToken}`), 'every request carried the admin token');

  // KUBECONFIG alone, no flags: the way users run it after `flotilla up`.
  seen.length = 0;
  const raw = await runTool(bin, ['get', '--raw', '/version'], kubectlEnv(home, { KUBECONFIG: access.kubeconfigPath }));
  t.equal(raw.code, 0, raw.stderr);
  t.same(JSON.parse(raw.stdout), VERSION);
  t.same(seen, [`Bearer ${access.adminToken}`]);

  const context = await runTool(bin, ['config', 'view', '--minify', '-o', 'jsonpath={.contexts[0].name}/{.contexts[0].context.namespace}/{.users[0].name}'], kubectlEnv(home, { KUBECONFIG: access.kubeconfigPath }));
  t.equal(context.stdout, 'flotilla/default/admin', context.stderr);

  const apiVersions = await runTool(bin, ['api-versions'], kubectlEnv(home, { KUBECONFIG: access.kubeconfigPath }));
  t.equal(apiVersions.code, 0, apiVersions.stderr);
  t.equal(apiVersions.stdout.trim(), 'v1');

  // The checks above can fail: another CA is not trusted, and another token is refused.
  const stranger = await createClusterCa();
  const wrongCa = join(dataDir, 'kubeconfig-wrong-ca');
  writeFileSync(wrongCa, renderAdminKubeconfig({ serverUrl: apiServerUrl('127.0.0.1', port), caCertPem: stranger.certPem, token: access.adminToken }));
  const untrusted = await runTool(bin, ['--kubeconfig', wrongCa, 'get', '--raw', '/version'], kubectlEnv(home));
  t.not(untrusted.code, 0);
  t.match(untrusted.stderr, /x509|certificate signed by unknown authority/);

  const wrongToken = join(dataDir, 'kubeconfig-wrong-token');
  writeFileSync(wrongToken, renderAdminKubeconfig({ serverUrl: apiServerUrl('127.0.0.1', port), caCertPem: access.pki.caCertPem, token: 'not-a-token' }));
  const refused = await runTool(bin, ['--kubeconfig', wrongToken, 'get', '--raw', '/version'], kubectlEnv(home));
  t.not(refused.code, 0);
  t.match(refused.stderr, /Unauthorized/);
  t.notMatch(refused.stderr, /x509/);
});
