import t from 'tap';
import { ContainerNotFoundError, ContainerNotRunningError, HollowRuntime, ImageNotFoundError, InvalidImageNameError, ManualClock, type ContainerStatus } from '../../../actors/index.js';

const config = (name: string, image = 'flotilla/echo') => ({ name, attempt: 0, image, env: [], mounts: [], resources: {}, labels: { app: name } });
const sandbox = (name: string) => ({ podUid: `u-${name}`, podName: name, podNamespace: 'default', hostname: name, labels: {}, annotations: {} });

void t.test('hollow containers run at once, exit only when stopped, and cost nothing', async (t) => {
  const clock = new ManualClock(1000);
  const rt = new HollowRuntime({ clock, podIP: '10.1.2.3', imageExists: (ref) => !ref.startsWith('missing/') });
  const exits: ContainerStatus[] = [];
  rt.onContainerExit((s) => exits.push(s));
  const sid = await rt.runPodSandbox(sandbox('a'));
  t.equal((await rt.podSandboxStatus(sid)).ip, '10.1.2.3');
  const cid = await rt.createContainer(sid, config('web'));
  t.equal((await rt.containerStatus(cid)).state, 'created');
  clock.advance(5);
  await rt.startContainer(cid);
  const running = await rt.containerStatus(cid);
  t.equal(running.state, 'running');
  t.equal(running.startedAtMs, 1005);
  t.same(await rt.execSync(cid, ['true'], 100), { exitCode: 0, stdout: '', stderr: '', timedOut: false });
  const session = await rt.exec(cid, ['sh'], { stdin: true });
  t.equal(await session.exited, 0);
  const lines: string[] = [];
  for await (const l of rt.readContainerLogs(cid, { follow: true })) lines.push(l.text);
  t.equal(lines.length, 1);
  t.same(await rt.containerStats(cid), { containerId: cid, timestampMs: 1005, cpuUsageCoreNanoSeconds: 0, memoryWorkingSetBytes: 0 });
  t.same(exits, []);

  await rt.stopPodSandbox(sid);
  t.equal(exits.length, 1);
  t.equal(exits[0]?.exitCode, 0);
  await t.rejects(rt.execSync(cid, ['true'], 100), ContainerNotRunningError);
  await rt.removePodSandbox(sid);
  await t.rejects(rt.containerStatus(cid), ContainerNotFoundError);
  await t.rejects(rt.pullImage('missing/x'), ImageNotFoundError);
  await t.rejects(rt.pullImage('Bad'), InvalidImageNameError);
  t.end();
});

void t.test('30,000 hollow containers fit in one process', async (t) => {
  const clock = new ManualClock(0);
  const nodes = Array.from({ length: 1000 }, (_, i) => new HollowRuntime({ clock, idPrefix: `n${i}` }));
  for (const rt of nodes) {
    for (let p = 0; p < 30; p++) {
      const sid = await rt.runPodSandbox(sandbox(`p${p}`));
      await rt.startContainer(await rt.createContainer(sid, config('c')));
    }
  }
  let running = 0;
  for (const rt of nodes) running += (await rt.listContainers()).filter((c) => c.state === 'running').length;
  t.equal(running, 30_000);
  t.end();
});
