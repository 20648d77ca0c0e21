import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import t from 'tap';
import { runProbe, type ContainerRuntime, type ProbeTarget } from '../../../actors/index.js';
import { createClusterCa } from '../../../cluster/index.js';

type ExecResult = Awaited<ReturnType<ContainerRuntime['execSync']>>;

interface ExecCall {
  containerId: string;
  command: readonly string[];
  timeoutMs: number;
}

function fakeExecRuntime(calls: ExecCall[], answer: (command: readonly string[]) => ExecResult | Error): ContainerRuntime {
  const partial: Pick<ContainerRuntime, 'execSync'> = {
    execSync(containerId, command, timeoutMs) {
      calls.push({ containerId, command, timeoutMs });
      const result = answer(command);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
  };
  return partial as ContainerRuntime;
}

const NO_RUNTIME = fakeExecRuntime([], () => new Error('exec not expected'));

function target(extra: Partial<ProbeTarget> = {}): ProbeTarget {
  return { podIP: '127.0.0.1', containerId: 'c1', runtime: NO_RUNTIME, ...extra };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

void t.test('exec: exit 0 succeeds, non-zero fails with the output, timeout fails', async (t) => {
  const calls: ExecCall[] = [];
  const runtime = fakeExecRuntime(calls, (command) => {
    if (command[0] === 'ok') return { exitCode: 0, stdout: 'fine', stderr: '', timedOut: false };
    if (command[0] === 'slow') return { exitCode: 137, stdout: '', stderr: '', timedOut: true };
    return { exitCode: 1, stdout: 'out ', stderr: 'err', timedOut: false };
  });
  t.same(await runProbe({ exec: { command: ['ok'] } }, target({ runtime })), { result: 'success', message: 'fine' });
  t.same(calls[0], { containerId: 'c1', command: ['ok'], timeoutMs: 1_000 });
  t.same(await runProbe({ exec: { command: ['bad'] }, timeoutSeconds: 3 }, target({ runtime })), { result: 'failure', message: 'out err' });
  t.equal(calls[1]?.timeoutMs, 3_000);
  t.same(await runProbe({ exec: { command: ['slow', '-c', 'sleep 10'] } }, target({ runtime })), {
    result: 'failure',
    message: 'command "slow -c sleep 10" timed out',
  });
});

void t.test('exec: a runtime error is a failure, not a rejection', async (t) => {
  const runtime = fakeExecRuntime([], () => new Error('container c1 is not running'));
  t.same(await runProbe({ exec: { command: ['x'] } }, target({ runtime })), { result: 'failure', message: 'container c1 is not running' });
});

void t.test('httpGet: status ranges, path and query, headers, named port', async (t) => {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createHttpServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const status = Number.parseInt(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? '200', 10);
    res.writeHead(status);
    res.end('body');
  });
  const port = await listen(server);
  t.teardown(() => close(server));

  t.same(await runProbe({ httpGet: { port, path: '/healthz' } }, target()), { result: 'success', message: 'body' });
  t.equal(seen[0]?.url, '/healthz');
  t.equal(seen[0]?.headers['user-agent'], 'kube-probe/1.32');
  t.equal(seen[0]?.headers.accept, '*/*');
  t.equal(seen[0]?.headers.connection, 'close');

  t.same(await runProbe({ httpGet: { port, path: '/x?status=500' } }, target()), { result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
  t.same(await runProbe({ httpGet: { port, path: '/x?status=404' } }, target()), { result: 'failure', message: 'HTTP probe failed with statuscode: 404' });
  t.equal((await runProbe({ httpGet: { port, path: '/x?status=204' } }, target())).result, 'success');
  t.equal((await runProbe({ httpGet: { port, path: '/x?status=399' } }, target())).result, 'success');
  t.equal((await runProbe({ httpGet: { port, path: '/x?status=199' } }, target())).result, 'failure');

  await runProbe({ httpGet: { port, httpHeaders: [{ name: 'X-Custom', value: 'a' }, { name: 'User-Agent', value: 'mine' }, { name: 'Accept', value: 'text/plain' }] } }, target());
  const last = seen.at(-1);
  t.equal(last?.headers['x-custom'], 'a');
  t.equal(last?.headers['user-agent'], 'mine', "the pod's headers win");
  t.equal(last?.headers.accept, 'text/plain');
  t.equal(last?.url, '/', 'path defaults to /');

  const named = await runProbe({ httpGet: { port: 'http', path: '/named' } }, target({ containerPorts: [{ name: 'metrics', containerPort: 1 }, { name: 'http', containerPort: port }] }));
  t.equal(named.result, 'success');
  t.equal(seen.at(-1)?.url, '/named');
  t.same(await runProbe({ httpGet: { port: 'nope' } }, target()), { result: 'failure', message: 'port nope not found' });
  t.equal((await runProbe({ httpGet: { port: String(port) } }, target())).result, 'success', 'a number written as a string');
  t.same(await runProbe({ httpGet: { port: 70_000 } }, target()), { result: 'failure', message: 'invalid port number: 70000' });

  // host overrides the pod IP.
  t.equal((await runProbe({ httpGet: { port, host: '127.0.0.1' } }, target({ podIP: '203.0.113.1' }))).result, 'success');
});

void t.test('httpGet: redirects on the same host are followed; elsewhere end the probe as a warning success', async (t) => {
  const hits: string[] = [];
  const server = createHttpServer((req, res) => {
    const url = req.url ?? '/';
    hits.push(url);
    const port = (server.address() as AddressInfo).port;
    if (url === '/start') {
      res.writeHead(302, { location: '/next' });
    } else if (url === '/next') {
      res.writeHead(301, { location: `http://127.0.0.1:${port}/fail` });
    } else if (url === '/fail') {
      res.writeHead(503);
    } else if (url === '/away') {
      res.writeHead(302, { location: 'http://other.invalid/elsewhere' });
    } else if (url.startsWith('/loop')) {
      res.writeHead(302, { location: `/loop${hits.length}` });
    } else {
      res.writeHead(200);
    }
    res.end('moved');
  });
  const port = await listen(server);
  t.teardown(() => close(server));

  t.same(await runProbe({ httpGet: { port, path: '/start' } }, target()), { result: 'failure', message: 'HTTP probe failed with statuscode: 503' });
  t.same(hits, ['/start', '/next', '/fail']);

  t.same(await runProbe({ httpGet: { port, path: '/away' } }, target()), { result: 'success', message: 'Probe terminated redirects, Response body: moved' });
  t.equal(hits.at(-1), '/away', 'the other host is never contacted');

  hits.length = 0;
  const loop = await runProbe({ httpGet: { port, path: '/loop' } }, target());
  t.equal(loop.result, 'failure');
  t.match(loop.message ?? '', /stopped after 10 redirects$/);
  t.equal(hits.length, 10);
});

void t.test('httpGet: refused connection and timeout fail with Go-like messages', async (t) => {
  const blackhole = createHttpServer(() => {
    // Never answers: the probe must time out.
  });
  const port = await listen(blackhole);
  t.teardown(() => close(blackhole));
  const slow = await runProbe({ httpGet: { port, path: '/slow' }, timeoutSeconds: 1 }, target());
  t.same(slow, { result: 'failure', message: `Get "http://127.0.0.1:${port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });

  const closedPort = await freePort();
  t.same(await runProbe({ httpGet: { port: closedPort, path: '/' } }, target()), {
    result: 'failure',
    message: `Get "http://127.0.0.1:${closedPort}/": dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
  });
});

void t.test('httpGet: HTTPS without verifying the certificate, as kubelet does', async (t) => {
  // A self-signed certificate no client trusts.
  const pair = await createClusterCa();
  const server = createHttpsServer({ cert: pair.certPem, key: pair.keyPem }, (req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 500);
    res.end();
  });
  const port = await listen(server);
  t.teardown(() => close(server));
  t.equal((await runProbe({ httpGet: { port, path: '/ok', scheme: 'HTTPS' } }, target())).result, 'success');
  t.same(await runProbe({ httpGet: { port, path: '/bad', scheme: 'HTTPS' } }, target()), { result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
});

void t.test('httpGet: only a bounded part of a large body is read', async (t) => {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200);
    res.end('x'.repeat(1024 * 1024));
  });
  const port = await listen(server);
  t.teardown(() => close(server));
  const outcome = await runProbe({ httpGet: { port } }, target());
  t.equal(outcome.result, 'success');
  t.equal(outcome.message?.length, 10 * 1024);
});

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

void t.test('tcpSocket: connects, refused, named port', async (t) => {
  const server = createTcpServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));

  t.same(await runProbe({ tcpSocket: { port } }, target()), { result: 'success' });
  t.same(await runProbe({ tcpSocket: { port: 'db' } }, target({ containerPorts: [{ name: 'db', containerPort: port }] })), { result: 'success' });
  const closedPort = await freePort();
  t.same(await runProbe({ tcpSocket: { port: closedPort } }, target()), {
    result: 'failure',
    message: `dial tcp 127.0.0.1:${closedPort}: connect: connection refused`,
  });
});

void t.test('grpc probes and probes without a handler fail', async (t) => {
  t.same(await runProbe({ grpc: { port: 1 } }, target()), { result: 'failure', message: 'grpc probes are not supported' });
  t.same(await runProbe({}, target()), { result: 'failure', message: 'missing probe handler' });
});
