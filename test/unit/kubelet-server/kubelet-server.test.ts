import t from 'tap';
import type { Test } from 'tap';
import { kubeletTokenAuthenticator, ManualClock, startKubeletServer } from '../../../actors/index.js';
import { ResourceApiError } from '../../../core/index.js';
import type { KubeletExecSession } from '../../../transport/index.js';
import { KubeletClient } from '../../../transport/index.js';
import { FakeRuntime } from './fake-runtime.js';

const TOKEN = 'cluster-token';

async function setUp(t: Test) {
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const runtime = new FakeRuntime(() => clock.now());
  let nodeCpuNs = 0;
  const server = await startKubeletServer({
    runtime,
    nodeName: 'n1',
    clock,
    port: 0,
    host: '127.0.0.1',
    authenticate: kubeletTokenAuthenticator(TOKEN),
    // Rounds only when a test asks for one (or a summary needs one).
    statsSampleIntervalMs: 3_600_000,
    nodeUsage: () => ({ cpuUsageCoreNanoSeconds: nodeCpuNs, memoryWorkingSetBytes: 4096 }),
  });
  const client = new KubeletClient({ address: `127.0.0.1:${server.port}`, token: TOKEN });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  return { clock, runtime, server, client, setNodeCpu: (ns: number) => (nodeCpuNs = ns) };
}

async function text(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += Buffer.from(c).toString();
  return out;
}

async function runExec(session: KubeletExecSession, stdin?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  session.onStdout((d) => (stdout += Buffer.from(d).toString()));
  session.onStderr((d) => (stderr += Buffer.from(d).toString()));
  if (stdin !== undefined) {
    session.writeStdin(Buffer.from(stdin));
    session.closeStdin();
  }
  const code = await session.exited;
  return { stdout, stderr, code };
}

function statusOf(err: unknown): { code: number; reason: string; message: string } {
  if (!(err instanceof ResourceApiError)) throw err;
  return { code: err.code, reason: err.reason, message: err.status.message ?? '' };
}

void t.test('ContainerLogs: the current instance, tail, limitBytes (newline counted), previous', async (t) => {
  const { runtime, client } = await setUp(t);
  const sb = runtime.addPod('default', 'web');
  runtime.addContainer(sb, 'app', 0, 'exited', ['old-1', 'old-2']);
  runtime.addContainer(sb, 'app', 1, 'running', ['one', 'two', 'three']);
  const req = { namespace: 'default', pod: 'web', container: 'app' };
  t.equal(await text(await client.containerLogs(req)), 'one\ntwo\nthree\n');
  t.equal(await text(await client.containerLogs({ ...req, tailLines: 2 })), 'two\nthree\n');
  t.equal(await text(await client.containerLogs({ ...req, limitBytes: 6 })), 'one\ntw');
  t.equal(await text(await client.containerLogs({ ...req, previous: true })), 'old-1\nold-2\n');
  t.end();
});

void t.test('ContainerLogs: refusals carry the kubelet Status', async (t) => {
  const { runtime, client } = await setUp(t);
  const sb = runtime.addPod('default', 'one');
  runtime.addContainer(sb, 'app', 0, 'running', ['x']);
  const noPod = await client.containerLogs({ namespace: 'default', pod: 'missing', container: 'app' }).then(() => undefined, statusOf);
  t.match(noPod, { code: 404, reason: 'NotFound' });
  const noPrevious = await client.containerLogs({ namespace: 'default', pod: 'one', container: 'app', previous: true }).then(() => undefined, statusOf);
  t.same(noPrevious, { code: 400, reason: 'BadRequest', message: 'previous terminated container "app" in pod "one" not found' });
  const noContainer = await client.containerLogs({ namespace: 'default', pod: 'one', container: 'other' }).then(() => undefined, statusOf);
  t.same(noContainer, { code: 400, reason: 'BadRequest', message: 'container "other" in pod "one" is waiting to start: ContainerCreating' });
  t.end();
});

void t.test('ContainerLogs: follow streams new lines until the container exits; cancelling ends it', async (t) => {
  const { runtime, client } = await setUp(t);
  const sb = runtime.addPod('default', 'f');
  const c = runtime.addContainer(sb, 'app', 0, 'running', ['first']);
  const chunks = await client.containerLogs({ namespace: 'default', pod: 'f', container: 'app', follow: true });
  const seen: string[] = [];
  const reading = (async () => {
    for await (const chunk of chunks) {
      seen.push(Buffer.from(chunk).toString());
      if (seen.join('') === 'first\n') runtime.appendLog(c, 'second');
      if (seen.join('') === 'first\nsecond\n') runtime.exit(c);
    }
  })();
  await reading;
  t.equal(seen.join(''), 'first\nsecond\n');

  const abort = new AbortController();
  const c2 = runtime.addContainer(runtime.addPod('default', 'g'), 'app', 0, 'running', ['only']);
  const followed = await client.containerLogs({ namespace: 'default', pod: 'g', container: 'app', follow: true }, abort.signal);
  let got = '';
  for await (const chunk of followed) {
    got += Buffer.from(chunk).toString();
    abort.abort();
  }
  t.equal(got, 'only\n');
  t.equal(c2.status.state, 'running');
  t.end();
});

void t.test('Exec: output, stdin, exit codes, and a container that is not running', async (t) => {
  const { runtime, client } = await setUp(t);
  const sb = runtime.addPod('ns', 'p');
  runtime.addContainer(sb, 'c', 0, 'running');
  const open = { namespace: 'ns', pod: 'p', container: 'c', stdin: false, stdout: true, stderr: true, tty: false };
  t.same(await runExec(await client.exec({ ...open, command: ['echo', 'hi'] })), { stdout: 'hi\n', stderr: '', code: 0 });
  t.same(await runExec(await client.exec({ ...open, command: ['err', 'oops'] })), { stdout: '', stderr: 'oops\n', code: 1 });
  t.same(await runExec(await client.exec({ ...open, command: ['sh', '-c', 'exit 3'] })), { stdout: '', stderr: '', code: 3 });
  t.same(await runExec(await client.exec({ ...open, stdin: true, command: ['cat'] }), 'ping\n'), { stdout: 'ping\n', stderr: '', code: 0 });
  runtime.addContainer(runtime.addPod('ns', 'done'), 'c', 0, 'exited');
  const refused = await client.exec({ ...open, pod: 'done', command: ['echo'] }).then(() => undefined, statusOf);
  t.same(refused, { code: 400, reason: 'BadRequest', message: 'container "c" in pod "done" is not running' });
  t.end();
});

void t.test('every method refuses a wrong or missing token with 401', async (t) => {
  const { runtime, server } = await setUp(t);
  runtime.addContainer(runtime.addPod('ns', 'p'), 'c', 0, 'running', ['x']);
  for (const token of ['wrong', undefined]) {
    const client = new KubeletClient({ address: `127.0.0.1:${server.port}`, ...(token === undefined ? {} : { token }) });
    t.teardown(() => client.close());
    t.match(await client.containerLogs({ namespace: 'ns', pod: 'p', container: 'c' }).then(() => undefined, statusOf), { code: 401 });
    t.match(await client.exec({ namespace: 'ns', pod: 'p', container: 'c', command: ['echo'], stdin: false, stdout: true, stderr: false, tty: false }).then(() => undefined, statusOf), { code: 401 });
    t.match(await client.statsSummary().then(() => undefined, statusOf), { code: 401 });
  }
  t.end();
});

void t.test('StatsSummary: CPU rate over the window between two samples, latest memory', async (t) => {
  const { runtime, server, client, clock, setNodeCpu } = await setUp(t);
  const sb = runtime.addPod('ns', 'busy', 'uid-busy');
  const c = runtime.addContainer(sb, 'app', 0, 'running');
  const idle = runtime.addContainer(runtime.addPod('ns', 'exited'), 'app', 0, 'exited');
  idle.cpuNs = 5;
  c.memoryBytes = 10 * 1024 * 1024;
  await server.sampler.sampleNow();
  // 10 s later the container used 2.5 s of CPU: a quarter core.
  clock.advance(10_000);
  c.cpuNs = 2.5e9;
  c.memoryBytes = 20 * 1024 * 1024;
  setNodeCpu(5e9);
  await server.sampler.sampleNow();
  const summary = await client.statsSummary();
  t.equal(summary.nodeName, 'n1');
  t.same(summary.node, { cpuUsageNanoCores: 0.5e9, memoryWorkingSetBytes: 4096, timestampMs: clock.now(), windowMs: 10_000 });
  t.same(summary.pods, [{ namespace: 'ns', name: 'busy', uid: 'uid-busy', timestampMs: clock.now(), windowMs: 10_000, containers: [{ name: 'app', cpuUsageNanoCores: 0.25e9, memoryWorkingSetBytes: 20 * 1024 * 1024 }] }]);
  t.end();
});

void t.test('StatsSummary: a container with one reading gets a fresh round once the last is old enough', async (t) => {
  const { runtime, server, client, clock } = await setUp(t);
  const c = runtime.addContainer(runtime.addPod('ns', 'new'), 'app', 0, 'running');
  await server.sampler.sampleNow();
  t.same((await client.statsSummary()).pods, [], 'no rate from a single reading');
  clock.advance(2_000);
  c.cpuNs = 1e9;
  const summary = await client.statsSummary();
  t.equal(summary.pods[0]?.containers[0]?.cpuUsageNanoCores, 0.5e9);
  t.end();
});
