// The real kubectl against an in-process API server (InMemoryStorage, plain HTTP) whose pods run
// in a real ProcessRuntime behind a real kubelet server: `kubectl logs [-f]`, `kubectl exec`
// (WebSocket v5.channel.k8s.io) with stdin and exit codes, and `kubectl top pod|node`.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ApiServer, CONTAINER_NAME_LABEL, ImageStore, kubeletTokenAuthenticator, NO_AUTHENTICATION, NoIsolation, ProcessRuntime, realClock, startKubeletServer } from '../../../actors/index.js';
import { InMemoryStorage, SeededRandom } from '../../../core/index.js';
import { KubeHttpServer, KubeletClientPool } from '../../../transport/index.js';
import { KubectlWatch, kubectlMissing, runKubectl } from '../../conformance/kubectl-runner.js';
import type { KubectlEnvironment, KubectlResult } from '../../conformance/kubectl-runner.js';

const KUBELET_TOKEN = 'kubelet-test-token';
const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function describe(r: KubectlResult): string {
  return `exit ${String(r.code)}${r.timedOut ? ' (timed out)' : ''}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`;
}

async function json(port: number, method: string, urlPath: string, body: unknown): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed: unknown = await res.json();
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

const skip = kubectlMissing();

void t.test('kubectl logs, logs -f, exec and top against pods in a ProcessRuntime', { skip: skip ?? false }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-logs-exec-'));
  const runtime = new ProcessRuntime({ stateDir: path.join(dir, 'runtime'), imageStore: new ImageStore(path.join(dir, 'images'), realClock), isolation: new NoIsolation(), clock: realClock, log: silentLog, podIP: '127.0.0.1' });
  const kubelets = new KubeletClientPool({ token: KUBELET_TOKEN });
  const api = new ApiServer({ storage: new InMemoryStorage(), clock: realClock, random: new SeededRandom(11), authenticator: NO_AUTHENTICATION, kubelets });
  const http = new KubeHttpServer({ handler: api.handler });
  const started: { kubelet?: Awaited<ReturnType<typeof startKubeletServer>> } = {};
  const pids: number[] = [];
  t.teardown(async () => {
    await http.close();
    api.close();
    await started.kubelet?.close();
    for (const c of await runtime.listContainers()) await runtime.stopContainer(c.id, 0).catch(() => undefined);
    await runtime.close();
    for (const pid of pids) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await runtime.start();
  await api.ensureSystemNamespaces();
  const port = (await http.listen(0, '127.0.0.1')).port;
  const kubelet = await startKubeletServer({ runtime, nodeName: 'node-1', clock: realClock, port: 0, host: '127.0.0.1', authenticate: kubeletTokenAuthenticator(KUBELET_TOKEN), statsSampleIntervalMs: 1_000 });
  started.kubelet = kubelet;

  await json(port, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' } });
  const node = (await (await fetch(`http://127.0.0.1:${port}/api/v1/nodes/node-1`)).json()) as Record<string, unknown>;
  await json(port, 'PUT', '/api/v1/nodes/node-1/status', {
    ...node,
    status: { capacity: { cpu: '2', memory: '4Gi', pods: '10' }, allocatable: { cpu: '2', memory: '4Gi', pods: '10' }, addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } },
  });

  // The pod object, bound to node-1, and what the kubelet would have started for it.
  const script = 'echo hello; i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.2; done';
  await json(port, 'POST', '/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web' },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'flotilla/shell', command: ['sh', '-c', script] }] },
  });
  const pod = (await (await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/pods/web`)).json()) as { metadata: { uid: string } };
  const sandboxId = await runtime.runPodSandbox({ podUid: pod.metadata.uid, podName: 'web', podNamespace: 'default', hostname: 'web', labels: {}, annotations: {} });
  const containerId = await runtime.createContainer(sandboxId, { name: 'app', attempt: 0, image: 'flotilla/shell', command: ['sh', '-c', script], env: [], mounts: [], resources: {}, labels: { [CONTAINER_NAME_LABEL]: 'app' } });
  await runtime.startContainer(containerId);
  const startedStatus = await runtime.containerStatus(containerId);
  const current = (await (await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/pods/web`)).json()) as Record<string, unknown>;
  await json(port, 'PUT', '/api/v1/namespaces/default/pods/web/status', {
    ...current,
    status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'flotilla/shell', imageID: startedStatus.imageId, containerID: `flotilla://${containerId}`, state: { running: { startedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z') } } }] },
  });

  const home = path.join(dir, 'home');
  const cache = path.join(dir, 'kube-cache');
  fs.mkdirSync(home);
  fs.mkdirSync(cache);
  const kubeconfig = path.join(dir, 'kubeconfig');
  fs.writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: test\n  cluster:\n    server: http://127.0.0.1:${port}`,
      'users:',
      '- name: admin\n  user:\n    token: anything',
      'contexts:',
      '- name: test\n  context:\n    cluster: test\n    user: admin',
      'current-context: test',
      '',
    ].join('\n'),
  );
  const env: KubectlEnvironment = { kubeconfig, kubeCacheDir: cache, home };
  const kubectl = (args: string[], stdin?: string): Promise<KubectlResult> => runKubectl(env, args, stdin === undefined ? {} : { stdin });

  // Give the container a moment to write a few lines: poll through kubectl itself.
  let logs = await kubectl(['logs', 'web']);
  for (let i = 0; i < 50 && !logs.stdout.includes('tick 2'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    logs = await kubectl(['logs', 'web']);
  }
  t.equal(logs.code, 0, describe(logs));
  t.match(logs.stdout, /^hello\ntick 0\ntick 1\ntick 2\n/, 'kubectl logs prints the log from the start');

  const tail = await kubectl(['logs', 'web', '--tail=1']);
  t.equal(tail.code, 0, describe(tail));
  t.match(tail.stdout, /^tick \d+\n$/, '--tail=1 prints one line');

  const stamped = await kubectl(['logs', 'web', '--timestamps', '--tail=1']);
  t.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z tick \d+\n$/, describe(stamped));

  const limited = await kubectl(['logs', 'web', '--limit-bytes=3']);
  t.equal(limited.stdout, 'hel', describe(limited));

  const follow = new KubectlWatch(env, ['logs', '-f', 'web', '--tail=1']);
  const seenAt = (await kubectl(['logs', 'web', '--tail=1'])).stdout.trim();
  const startTick = Number(seenAt.replace('tick ', ''));
  await follow.waitForOutput((out) => out.includes(`tick ${startTick + 3}`), 'logs -f to print new lines');
  const followed = await follow.stop();
  t.ok(followed.stdout.split('\n').filter((l) => l.startsWith('tick ')).length >= 3, 'logs -f kept streaming new lines');

  const wrong = await kubectl(['logs', 'web', '-c', 'nope']);
  t.not(wrong.code, 0);
  t.match(wrong.stderr, /container nope is not valid for pod web/);

  const echo = await kubectl(['exec', 'web', '--', 'echo', 'hi']);
  t.equal(echo.code, 0, describe(echo));
  t.equal(echo.stdout, 'hi\n');

  const both = await kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2']);
  t.equal(both.stdout, 'out\n', describe(both));
  t.equal(both.stderr, 'err\n');

  const exit3 = await kubectl(['exec', 'web', '--', 'sh', '-c', 'exit 3']);
  t.equal(exit3.code, 3, `exit code passes through: ${describe(exit3)}`);

  const withStdin = await kubectl(['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z'], 'piped input\n');
  t.equal(withStdin.code, 0, describe(withStdin));
  t.equal(withStdin.stdout, 'PIPED INPUT\n');

  const missing = await kubectl(['exec', 'web', '--', 'no-such-program-xyz']);
  t.not(missing.code, 0, describe(missing));

  let top = await kubectl(['top', 'pod', 'web']);
  for (let i = 0; i < 30 && top.code !== 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    top = await kubectl(['top', 'pod', 'web']);
  }
  t.equal(top.code, 0, describe(top));
  t.match(top.stdout, /NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nweb\s+\d+m\s+\d+Mi/);

  const topNode = await kubectl(['top', 'node']);
  t.equal(topNode.code, 0, describe(topNode));
  t.match(topNode.stdout, /node-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);

  for (const c of await runtime.listContainers()) {
    const s = await runtime.containerStatus(c.id);
    if (s.state === 'running') await runtime.stopContainer(c.id, 0);
  }
  pids.length = 0;
  t.end();
});
