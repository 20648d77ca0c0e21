// The internal resource API that workers and controllers use: served over gRPC by every master
// of a `flotilla up` cluster, with the admin token; the same registry as the HTTP API.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { isNotFound, ResourceApiError } from '../../core/index.js';
import type { ResourceObject } from '../../core/index.js';
import { GrpcResourceClient } from '../../transport/index.js';

const cli = fileURLToPath(new URL('../../cluster/main.js', import.meta.url));

function flotilla(args: string[], timeoutMs = 90_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' };

void t.test('a master serves the resource API over gRPC', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-resource-api-'));
  t.teardown(async () => {
    await flotilla(['down', '--purge', '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const up = await flotilla(['up', '--masters', '1', '--data-dir', dir]);
  t.equal(up.code, 0, up.stderr);
  const state = JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as { processes: { urls: { resource?: string } }[] };
  const masters = state.processes.map((p) => p.urls.resource).filter((u): u is string => u !== undefined);
  t.equal(masters.length, 1, 'status names the resource API address');
  const token = readFileSync(join(dir, 'pki', 'tokens.csv'), 'utf8').split(',')[0]!;

  const anonymous = new GrpcResourceClient({ masters, token: 'wrong' });
  t.teardown(() => anonymous.close());
  const refused = await anonymous.list({ group: '', version: 'v1', resource: 'namespaces' }).catch((e: unknown) => e);
  t.ok(refused instanceof ResourceApiError && refused.code === 401, 'a wrong token is refused with 401');

  const client = new GrpcResourceClient({ masters, token });
  t.teardown(() => client.close());
  const namespaces = await client.list({ group: '', version: 'v1', resource: 'namespaces' });
  t.same(namespaces.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system'], 'the system namespaces');

  const seen: string[] = [];
  const watch = client.watch(CONFIGMAPS, { namespace: 'default', resourceVersion: namespaces.resourceVersion }, (evs) => seen.push(...evs.map((e) => `${e.type} ${(e.object as ResourceObject).metadata?.name ?? ''}`)), () => undefined);
  t.teardown(() => watch.stop());
  const created = await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'via-grpc', namespace: 'default' }, data: { a: '1' } } as ResourceObject);
  t.ok(created.metadata?.uid, 'created with a uid');
  const patched = await client.patch<ResourceObject & { data?: Record<string, string> }>({ ...CONFIGMAPS, namespace: 'default', name: 'via-grpc' }, 'merge', { data: { b: '2' } });
  t.same(patched.data, { a: '1', b: '2' }, 'a merge patch');
  const invalid = await client.create(CONFIGMAPS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: 'default' } } as ResourceObject).catch((e: unknown) => e);
  t.ok(invalid instanceof ResourceApiError && invalid.code === 422 && invalid.reason === 'Invalid', 'validation errors arrive as 422 Invalid');
  await client.delete({ ...CONFIGMAPS, namespace: 'default', name: 'via-grpc' });
  const missing = await client.get({ ...CONFIGMAPS, namespace: 'default', name: 'via-grpc' }).catch((e: unknown) => e);
  t.ok(isNotFound(missing), 'gone after delete: 404');
  const deadline = Date.now() + 10_000;
  while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.same(seen, ['ADDED via-grpc', 'MODIFIED via-grpc', 'DELETED via-grpc'], 'the watch saw every change');
});
