import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import {
  ContainerNotRunningError,
  CreateContainerError,
  ImageNotFoundError,
  InvalidImageNameError,
  StartContainerError,
  type ContainerStatus,
} from '../../../actors/index.js';
import { collectLogs, containerConfig, runContainer, runtimeFixture, sandboxConfig, waitFor, waitForExit } from './helpers.js';

void t.test('a container that exits 0 is Completed, one that exits 3 is Error; each exit is reported once', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const exits: ContainerStatus[] = [];
  rt.onContainerExit((s) => exits.push(s));
  const ok = await runContainer(rt, 'ok', containerConfig('flotilla/crash', { args: ['0'] }));
  const bad = await runContainer(rt, 'bad', containerConfig('flotilla/crash', { args: ['3'] }));
  const okStatus = await waitForExit(rt, ok.containerId);
  const badStatus = await waitForExit(rt, bad.containerId);
  t.equal(okStatus.exitCode, 0);
  t.equal(okStatus.reason, 'Completed');
  t.equal(badStatus.exitCode, 3);
  t.equal(badStatus.reason, 'Error');
  t.ok(badStatus.startedAtMs !== undefined && badStatus.finishedAtMs !== undefined && badStatus.finishedAtMs >= badStatus.startedAtMs);
  await waitFor('both exit events', () => (exits.length >= 2 ? true : undefined));
  t.same(exits.map((e) => e.id).sort(), [ok.containerId, bad.containerId].sort());
  const logs = await collectLogs(rt.readContainerLogs(bad.containerId, {}));
  t.same(logs, ['crash: exiting with code 3 after 0 seconds']);
  t.end();
});

void t.test('shell image runs sh -c lines; a command killed by a signal exits 128+signal', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const c = await runContainer(rt, 'sh', containerConfig('flotilla/shell', { command: ['sh', '-c', 'echo out; echo err >&2; kill -9 $$'] }));
  const s = await waitForExit(rt, c.containerId);
  t.equal(s.exitCode, 137);
  t.equal(s.reason, 'Error');
  const lines: { stream: string; text: string }[] = [];
  for await (const l of rt.readContainerLogs(c.containerId, {})) lines.push({ stream: l.stream, text: l.text });
  t.same(lines.sort((a, b) => a.stream.localeCompare(b.stream)), [
    { stream: 'stderr', text: 'err' },
    { stream: 'stdout', text: 'out' },
  ]);
  t.end();
});

void t.test('stop: SIGTERM reaches the command; one that ignores it is killed after the grace period', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const polite = await runContainer(rt, 'polite', containerConfig('flotilla/sleep'));
  const stubborn = await runContainer(rt, 'stubborn', containerConfig('flotilla/shell', { args: ['sh', '-c', "trap '' TERM; echo ready; while :; do sleep 0.05; done"] }));
  await waitFor('sleep to be ready', async () => ((await collectLogs(rt.readContainerLogs(polite.containerId, {}))).length > 0 ? true : undefined));
  await waitFor('shell to be ready', async () => ((await collectLogs(rt.readContainerLogs(stubborn.containerId, {}))).length > 0 ? true : undefined));
  t.equal((await rt.containerStatus(polite.containerId)).state, 'running');
  await rt.stopContainer(polite.containerId, 10_000);
  const p = await rt.containerStatus(polite.containerId);
  t.equal(p.state, 'exited');
  t.equal(p.exitCode, 0, 'flotilla/sleep exits 0 on SIGTERM');
  await rt.stopContainer(stubborn.containerId, 300);
  const s = await rt.containerStatus(stubborn.containerId);
  t.equal(s.state, 'exited');
  t.equal(s.exitCode, 137, 'killed after the grace period');
  await rt.stopContainer(stubborn.containerId, 0); // a no-op now
  t.end();
});

void t.test('stopPodSandbox kills every container; removePodSandbox forgets them', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const sandboxId = await rt.runPodSandbox(sandboxConfig('two'));
  const a = await rt.createContainer(sandboxId, containerConfig('flotilla/sleep', { name: 'a' }));
  const b = await rt.createContainer(sandboxId, containerConfig('flotilla/sleep', { name: 'b' }));
  await rt.startContainer(a);
  await rt.startContainer(b);
  await rt.stopPodSandbox(sandboxId);
  t.same((await rt.listContainers(sandboxId)).map((c) => c.state), ['exited', 'exited']);
  t.equal((await rt.podSandboxStatus(sandboxId)).state, 'notready');
  await rt.removePodSandbox(sandboxId);
  t.same(await rt.listContainers(), []);
  t.same(await rt.listPodSandboxes(), []);
  await rt.removePodSandbox(sandboxId); // idempotent
  t.end();
});

void t.test('typed errors: unknown image, malformed name, mounts without isolation, missing executable, exec on exited', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const sandboxId = await rt.runPodSandbox(sandboxConfig('errs'));
  await t.rejects(rt.pullImage('nosuch/image:1.0'), ImageNotFoundError);
  await t.rejects(rt.createContainer(sandboxId, containerConfig('nosuch/image')), ImageNotFoundError);
  await t.rejects(rt.pullImage('Bad Name'), InvalidImageNameError);
  t.equal(await rt.imageStatus('nosuch/image'), undefined);
  t.ok((await rt.imageStatus('flotilla/echo'))?.id.startsWith('sha256:'));
  await t.rejects(rt.createContainer(sandboxId, containerConfig('flotilla/sleep', { mounts: [{ containerPath: '/data', hostPath: '/tmp', readOnly: false }] })), CreateContainerError);
  const missing = await rt.createContainer(sandboxId, containerConfig('flotilla/shell', { command: ['no-such-program-xyz'] }));
  await t.rejects(rt.startContainer(missing), StartContainerError);
  const done = await rt.createContainer(sandboxId, containerConfig('flotilla/crash', { name: 'done', args: ['0'] }));
  await rt.startContainer(done);
  await waitForExit(rt, done);
  await t.rejects(rt.execSync(done, ['true'], 1000), ContainerNotRunningError);
  t.end();
});

void t.test('what a command writes just before it exits at once is never lost', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const started = await Promise.all(Array.from({ length: 20 }, (_, i) => runContainer(rt, `quick${i}`, containerConfig('flotilla/shell', { command: ['sh', '-c', `echo out${i}; echo err${i} >&2`] }))));
  for (const [i, c] of started.entries()) {
    await waitForExit(rt, c.containerId);
    t.same((await collectLogs(rt.readContainerLogs(c.containerId, {}))).sort(), [`err${i}`, `out${i}`], `container ${i}`);
  }
  t.end();
});

void t.test('a container whose output FIFOs cannot be made does not start, and says why', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const sandboxId = await rt.runPodSandbox(sandboxConfig('nofifo'));
  const id = await rt.createContainer(sandboxId, containerConfig('flotilla/sleep'));
  // A regular file where the stdout FIFO goes: mkfifo refuses it.
  fs.writeFileSync(path.join(fx.stateDir, 'containers', id, 'stdout.fifo'), 'not a fifo');
  const err = await rt.startContainer(id).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, StartContainerError);
  t.match((err as Error).message, /output FIFOs could not be set up.*stdout\.fifo/s);
  t.equal((await rt.containerStatus(id)).state, 'created', 'nothing runs');
  t.end();
});

void t.test('echo image serves its pod name from the downward-API env', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const net = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
  const env = [
    { name: 'PORT', value: String(port) },
    { name: 'POD_NAME', value: 'web-1' },
    { name: 'POD_NAMESPACE', value: 'shop' },
    { name: 'POD_IP', value: '127.0.0.1' },
  ];
  const c = await runContainer(rt, 'web-1', containerConfig('flotilla/echo', { env }));
  const body = await waitFor('echo to answer', async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      return await res.text();
    } catch {
      return undefined;
    }
  });
  t.equal(body, 'pod=web-1 namespace=shop ip=127.0.0.1\n');
  t.equal(await (await fetch(`http://127.0.0.1:${port}/healthz`)).text(), 'ok\n');
  await rt.stopContainer(c.containerId, 5_000);
  t.equal((await rt.containerStatus(c.containerId)).exitCode, 0);
  t.end();
});

void t.test('an imported image runs with its entrypoint and cmd mapped onto its files', async (t) => {
  const fx = runtimeFixture(t);
  const fs = await import('node:fs');
  const path = await import('node:path');
  const src = path.join(fx.dir, 'src');
  fs.mkdirSync(path.join(src, 'app'), { recursive: true });
  fs.writeFileSync(path.join(src, 'app', 'run'), '#!/bin/sh\necho "args: $*"; echo "greeting: $GREETING"; pwd\n', { mode: 0o755 });
  await fx.images.importImage('team/app:1', src, { entrypoint: ['/app/run'], cmd: ['default'], env: ['GREETING=hi'], workingDir: '/app' });
  const rt = await fx.newRuntime();
  const a = await runContainer(rt, 'img-a', containerConfig('team/app:1'));
  const b = await runContainer(rt, 'img-b', containerConfig('team/app:1', { args: ['x', 'y'], env: [{ name: 'GREETING', value: 'yo' }] }));
  await waitForExit(rt, a.containerId);
  await waitForExit(rt, b.containerId);
  const root = (await fx.images.resolve('team/app:1')).rootDir!;
  t.same(await collectLogs(rt.readContainerLogs(a.containerId, {})), ['args: default', 'greeting: hi', path.join(root, 'app')]);
  t.same((await collectLogs(rt.readContainerLogs(b.containerId, {}))).slice(0, 2), ['args: x y', 'greeting: yo']);
  t.equal((await rt.containerStatus(a.containerId)).imageId, (await rt.imageStatus('team/app:1'))?.id);
  t.end();
});
