import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ApiBenchClient, loadKubeconfigTarget } from '../../bench/index.js';

const cli = fileURLToPath(new URL('../../cluster/main.js', import.meta.url));

function flotilla(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function lastJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

interface ListJson {
  items: unknown[];
}

void t.test('bench api against a 1-master cluster: figures for every phase, counts right, cleaned up', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-api-'));
  t.teardown(async () => {
    await flotilla(['down', '--purge', '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const up = await flotilla(['up', '--masters', '1', '--data-dir', dir]);
  t.equal(up.code, 0, up.stderr);

  const run = await flotilla(['bench', 'api', '--data-dir', dir, '--rate', '10', '--duration-s', '1', '--list-pods', '25', '--watchers', '3', '--watch-rate', '10']);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^op\s+count\s+errors\s+p50 ms/m, 'a human table comes first');
  const r = lastJsonLine(run.stdout);
  t.equal(r.servers, 1);
  for (const op of ['create', 'get', 'update', 'patch', 'delete']) {
    t.match(r[op], { count: 10, errors: 0, p50Ms: Number, p99Ms: Number, rate: Number }, `${op}: 10 requests, no errors`);
  }
  t.match(r.update, { conflicts: 0 });
  t.match(r.list25, { pods: 25, runs: 10, errors: 0, paged: { limit: 500, pages: 1, runs: 3, errors: 0 }, setup: { count: 25, errors: 0 } });
  t.match(r.watch, { watchers: 3, changes: 10, events: 30, lost: 0, duplicates: 0, streamsEnded: 0, write: { count: 10, errors: 0 } });
  t.match(r.cleanup, { ok: true });
  t.equal(r.ok, true);

  // Nothing the run made is left: no labelled namespace, pod or ConfigMap anywhere.
  const client = new ApiBenchClient(loadKubeconfigTarget(join(dir, 'kubeconfig')));
  t.teardown(() => client.close());
  for (const resource of ['namespaces', 'pods', 'configmaps']) {
    const list = await client.requestJson<ListJson>('GET', `/api/v1/${resource}?labelSelector=bench.flotilla.io%2Frun`, [200]);
    t.same(list.items, [], `no ${resource} of the run remain`);
  }

  // Through a kubeconfig, and get without create: the phase makes its own objects.
  const viaKubeconfig = await flotilla(['bench', 'api', '--kubeconfig', join(dir, 'kubeconfig'), '--rate', '10', '--duration-s', '1', '--list-pods', '5', '--phases', 'list,get']);
  t.equal(viaKubeconfig.code, 0, viaKubeconfig.stderr);
  const k = lastJsonLine(viaKubeconfig.stdout);
  t.match(k, { servers: 1, get: { count: 10, errors: 0 }, list5: { pods: 5, errors: 0 }, cleanup: { ok: true }, ok: true });
  t.notOk('create' in k, 'phases not asked for are not run');
  t.notOk('watch' in k);
});

void t.test('bench api usage errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-api-none-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const none = await flotilla(['bench', 'api', '--data-dir', dir]);
  t.equal(none.code, 2);
  t.match(none.stderr, /no local cluster/);
  const phase = await flotilla(['bench', 'api', '--data-dir', dir, '--phases', 'create,bogus']);
  t.equal(phase.code, 2);
  t.match(phase.stderr, /unknown phase "bogus"/);
  const both = await flotilla(['bench', 'api', '--data-dir', dir, '--kubeconfig', join(dir, 'kubeconfig')]);
  t.equal(both.code, 2);
  t.match(both.stderr, /choose one of --kubeconfig and --data-dir/);
  const missing = await flotilla(['bench', 'api', '--kubeconfig', join(dir, 'nope')]);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /kubeconfig .*nope/);
});
