// Real processes: `flotilla up --masters 1 --workers 1` → the worker's Node is Ready and its
// Lease renewed; a pod bound to it runs flotilla/sleep; `flotilla worker --hollow --count 50`
// registers 50 Ready hollow nodes. Everything is stopped and the temp dir removed at the end.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Lease, Node, Pod } from '../../../core/index.js';
import { GrpcResourceClient } from '../../../transport/index.js';

const cli = fileURLToPath(new URL('../../../cluster/main.js', import.meta.url));
const PODS = { group: '', version: 'v1', resource: 'pods' };
const NODES = { group: '', version: 'v1', resource: 'nodes' };

function flotilla(args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const isReady = (n: Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

void t.test('a worker registers a Ready node, renews its lease, runs a pod; hollow nodes register', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-worker-'));
  t.teardown(async () => {
    await flotilla(['down', '--purge', '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  const up = await flotilla(['up', '--masters', '1', '--workers', '1', '--data-dir', dir]);
  t.equal(up.code, 0, up.stderr);
  const status = JSON.parse((await flotilla(['status', '--json', '--data-dir', dir])).stdout) as { processes: { name: string; kind: string; up: boolean; urls: { resource?: string; metrics: string } }[] };
  const worker = status.processes.find((p) => p.kind === 'worker');
  t.match(worker, { name: 'w1', up: true }, 'status lists the worker');
  const masters = status.processes.filter((p) => p.kind === 'master').map((p) => p.urls.resource!);
  const token = readFileSync(join(dir, 'pki', 'tokens.csv'), 'utf8').split(',')[0]!;
  const client = new GrpcResourceClient({ masters, token });
  t.teardown(() => client.close());

  const node = await client.get<Node>({ ...NODES, name: 'w1' });
  t.ok(isReady(node), 'the Node is Ready');
  t.equal(node.status?.nodeInfo?.containerRuntimeVersion, 'flotilla-process://0.1');
  const leaseRef = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', namespace: 'kube-node-lease', name: 'w1' };
  const firstRenew = (await client.get<Lease>(leaseRef)).spec?.renewTime;
  await waitFor('a lease renewal', async () => ((await client.get<Lease>(leaseRef)).spec?.renewTime !== firstRenew ? true : undefined), 20_000);
  t.pass('the Lease is renewed');

  await client.create<Pod>(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sleeper', namespace: 'default' }, spec: { nodeName: 'w1', containers: [{ name: 'c', image: 'flotilla/sleep' }] } });
  const running = await waitFor('the pod to run', async () => {
    const pod = await client.get<Pod>({ ...PODS, namespace: 'default', name: 'sleeper' });
    return pod.status?.containerStatuses?.[0]?.state?.running !== undefined ? pod : undefined;
  }, 30_000);
  t.equal(running.status?.phase, 'Running');
  const metrics = await (await fetch(`${worker!.urls.metrics}/metrics`)).text();
  t.match(metrics, /kubelet_node_name\{node="w1"\} 1/, 'the worker serves kubelet metrics');
  await client.delete({ ...PODS, namespace: 'default', name: 'sleeper' });
  await waitFor('the pod to be gone', async () => (await client.get<Pod>({ ...PODS, namespace: 'default', name: 'sleeper' }).then(() => undefined, () => true)), 30_000);
  t.pass('a deleted pod is stopped and removed');

  const hollow = spawn(process.execPath, [cli, 'worker', '--hollow', '--count', '50', '--name', 'hollow', '--masters', masters.join(','), '--token-file', join(dir, 'pki', 'tokens.csv'), '--data-dir', join(dir, 'hollow')], { stdio: 'ignore' });
  t.teardown(() => void hollow.kill('SIGKILL'));
  const readyHollow = await waitFor('50 Ready hollow nodes', async () => {
    const nodes = await client.list<Node>(NODES, { labelSelector: 'flotilla.io/hollow=true' });
    const ready = nodes.items.filter(isReady);
    return ready.length === 50 ? ready : undefined;
  }, 60_000);
  t.equal(readyHollow.length, 50, '50 hollow nodes are Ready');
});
