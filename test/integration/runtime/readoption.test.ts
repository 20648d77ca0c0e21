import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { NoIsolation, ProcessRuntime, realClock, type ContainerStatus } from '../../../actors/index.js';
import { collectLogs, containerConfig, runContainer, runtimeFixture, silentLog, waitFor, waitForExit } from './helpers.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A shell container that prints ticks until `stopFile` exists, then prints "bye" and exits 7. */
function tickingContainer(stopFile: string) {
  return containerConfig('flotilla/shell', {
    command: ['sh', '-c', `i=0; while [ ! -f '${stopFile}' ]; do echo tick $i; i=$((i+1)); sleep 0.05; done; echo bye; exit 7`],
  });
}

void t.test('a restarted runtime re-adopts a running container: it stays running, its log continues, its exit is reported', async (t) => {
  const fx = runtimeFixture(t);
  const stopFile = path.join(fx.dir, 'stop');
  const a = await fx.newRuntime();
  const { sandboxId, containerId } = await runContainer(a, 'adoptee', tickingContainer(stopFile));
  await waitFor('a few ticks', async () => ((await collectLogs(a.readContainerLogs(containerId, {}))).length >= 3 ? true : undefined));
  const pid = fx.recordedPids()[0]!;
  await a.close();
  t.ok(alive(pid), 'closing the runtime leaves the container running');

  const b = await fx.newRuntime();
  const exits: ContainerStatus[] = [];
  b.onContainerExit((s) => exits.push(s));
  t.same((await b.listPodSandboxes()).map((s) => s.id), [sandboxId]);
  const listed = await b.listContainers(sandboxId);
  t.equal(listed.length, 1);
  t.equal(listed[0]?.state, 'running');
  const before = (await collectLogs(b.readContainerLogs(containerId, {}))).length;
  await waitFor('the log to continue under the new runtime', async () => ((await collectLogs(b.readContainerLogs(containerId, {}))).length >= before + 5 ? true : undefined));

  fs.writeFileSync(stopFile, '');
  const status = await waitForExit(b, containerId);
  t.equal(status.exitCode, 7);
  t.equal(status.reason, 'Error');
  await waitFor('the exit event', () => (exits.length > 0 ? true : undefined));
  t.equal(exits.length, 1);
  t.equal(exits[0]?.exitCode, 7);
  const lines = await collectLogs(b.readContainerLogs(containerId, {}));
  t.equal(lines.at(-1), 'bye');
  const ticks = lines.filter((l) => l.startsWith('tick ')).map((l) => Number(l.slice(5)));
  t.same(ticks, ticks.map((_, i) => i), 'no tick lost or repeated across the restart');
  t.end();
});

void t.test('a container that exited while no runtime watched is reported exited with its recorded code', async (t) => {
  const fx = runtimeFixture(t);
  const stopFile = path.join(fx.dir, 'stop');
  const a = await fx.newRuntime();
  const { containerId } = await runContainer(a, 'gone', tickingContainer(stopFile));
  const pid = fx.recordedPids()[0]!;
  await a.close();
  fs.writeFileSync(stopFile, '');
  await waitFor('the container to exit unwatched', () => (alive(pid) ? undefined : true));

  const exits: ContainerStatus[] = [];
  const b = new ProcessRuntime({ stateDir: fx.stateDir, imageStore: fx.images, isolation: new NoIsolation(), clock: realClock, log: silentLog });
  t.teardown(() => b.close());
  b.onContainerExit((s) => exits.push(s));
  await b.start();
  const s = await b.containerStatus(containerId);
  t.equal(s.state, 'exited');
  t.equal(s.exitCode, 7);
  t.equal(s.reason, 'Error');
  t.same(exits.map((e) => [e.id, e.exitCode]), [[containerId, 7]], 'reported once, to a listener subscribed before start');
  t.end();
});

void t.test('a record whose pid now belongs to another process is not adopted and that process is left alone', async (t) => {
  const fx = runtimeFixture(t);
  const a = await fx.newRuntime();
  const { containerId } = await runContainer(a, 'reused', containerConfig('flotilla/sleep'));
  await a.stopContainer(containerId, 5_000);
  await a.close();

  // Another process now has "the container's" pid (we fake it: a live process with a start time that does not match).
  const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  stranger.unref();
  const strangerPid = stranger.pid!;
  t.teardown(() => {
    try {
      process.kill(-strangerPid, 'SIGKILL');
    } catch {
      // gone
    }
  });
  const recordFile = path.join(fx.stateDir, 'containers', containerId, 'container.json');
  const record = JSON.parse(fs.readFileSync(recordFile, 'utf8')) as Record<string, unknown>;
  for (const k of ['exitCode', 'reason', 'finishedAtMs', 'killedByRuntime']) delete record[k];
  fs.writeFileSync(recordFile, JSON.stringify({ ...record, state: 'running', pid: strangerPid, startTimeTicks: 1 }));
  fs.rmSync(path.join(fx.stateDir, 'containers', containerId, 'exit'), { force: true });

  const b = await fx.newRuntime();
  const s = await b.containerStatus(containerId);
  t.equal(s.state, 'exited', 'not adopted');
  t.equal(s.reason, 'ContainerStatusUnknown');
  t.equal(s.exitCode, 137);
  await b.stopContainer(containerId, 0);
  t.ok(alive(strangerPid), 'the process that reused the pid was not signalled');
  t.end();
});

/** An isolation that, like LinuxIsolation after a worker ran with --no-isolation, did not make `{}` sandboxes. */
class OtherIsolation extends NoIsolation {
  override createSandbox(): Promise<Record<string, unknown>> {
    return Promise.resolve({ kind: 'other' });
  }
  override ownsSandbox(sandbox: Record<string, unknown>): boolean {
    return sandbox['kind'] === 'other';
  }
}

void t.test('a restarted runtime with another isolation reports the old sandbox not ready and can still stop it', async (t) => {
  const fx = runtimeFixture(t);
  const stopFile = path.join(fx.dir, 'stop');
  const a = await fx.newRuntime();
  const { sandboxId, containerId } = await runContainer(a, 'foreign', tickingContainer(stopFile));
  const pid = fx.recordedPids()[0]!;
  await a.close();

  const b = new ProcessRuntime({ stateDir: fx.stateDir, imageStore: fx.images, isolation: new OtherIsolation(), clock: realClock, log: silentLog });
  t.teardown(() => b.close());
  await b.start();
  t.same((await b.listPodSandboxes()).map((s) => [s.id, s.state]), [[sandboxId, 'notready']], 'not ready: the pod gets a new sandbox');
  t.equal((await b.containerStatus(containerId)).state, 'running', 'its container is still adopted');
  await b.stopPodSandbox(sandboxId);
  await waitFor('the old container to be stopped', () => (alive(pid) ? undefined : true));
  t.equal((await b.containerStatus(containerId)).state, 'exited');
  await b.removePodSandbox(sandboxId);
  t.same(await b.listPodSandboxes(), [], 'and removed');
  const fresh = await b.runPodSandbox({ podUid: 'u2', podName: 'p2', podNamespace: 'ns', hostname: 'p2', labels: {}, annotations: {} });
  t.equal((await b.podSandboxStatus(fresh)).state, 'ready', 'its own sandboxes are ready');
  t.end();
});

void t.test('NoIsolation ends what the isolation of an earlier run made, and only that', async (t) => {
  const ended: Record<string, unknown>[] = [];
  const removed: string[] = [];
  const before = new OtherIsolation();
  before.destroySandbox = (s: Record<string, unknown>) => {
    ended.push(s);
    return Promise.resolve();
  };
  before.removeContainer = (id: string) => {
    removed.push(id);
    return Promise.resolve();
  };
  const none = new NoIsolation('off', before);
  await none.destroySandbox({});
  t.same(ended, [], 'its own sandboxes have nothing to end');
  await none.destroySandbox({ kind: 'other' });
  t.same(ended, [{ kind: 'other' }], "the earlier isolation's sandbox is ended by it");
  await none.destroySandbox({ kind: 'unknown' });
  t.equal(ended.length, 1, 'a sandbox neither made is left alone');
  await none.removeContainer('c1', '/nonexistent');
  t.same(removed, ['c1'], 'container removal is passed on (it is idempotent)');
  t.ok(none.ownsSandbox({}) && !none.ownsSandbox({ kind: 'other' }));
  await new NoIsolation().destroySandbox({ kind: 'other' });
  t.end();
});
