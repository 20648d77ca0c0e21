import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { collectLogs, containerConfig, runContainer, runtimeFixture, waitFor, waitForExit } from './helpers.js';

void t.test('logs: follow streams until the container exits; tail, since, timestamps and limitBytes', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const go = path.join(fx.dir, 'go');
  const script = `echo one; echo two; while [ ! -f '${go}' ]; do sleep 0.02; done; sleep 0.05; echo three; echo four >&2; sleep 0.05; echo five`;
  const { containerId } = await runContainer(rt, 'logs', containerConfig('flotilla/shell', { command: ['sh', '-c', script] }));
  await waitFor('two lines', async () => ((await collectLogs(rt.readContainerLogs(containerId, {}))).length >= 2 ? true : undefined));
  const followed: string[] = [];
  const following = (async () => {
    for await (const l of rt.readContainerLogs(containerId, { follow: true })) followed.push(`${l.stream}:${l.text}`);
  })();
  const afterTwoMs = Date.now();
  fs.writeFileSync(go, '');
  await following;
  t.same(followed, ['stdout:one', 'stdout:two', 'stdout:three', 'stderr:four', 'stdout:five'], 'follow ends after the exit, with everything drained');
  t.equal((await rt.containerStatus(containerId)).state, 'exited');

  t.same(await collectLogs(rt.readContainerLogs(containerId, { tailLines: 2 })), ['four', 'five']);
  t.same(await collectLogs(rt.readContainerLogs(containerId, { tailLines: 0 })), []);
  t.same(await collectLogs(rt.readContainerLogs(containerId, { sinceMs: afterTwoMs })), ['three', 'four', 'five']);
  const stamped = await collectLogs(rt.readContainerLogs(containerId, { timestamps: true, tailLines: 1 }));
  t.match(stamped[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z five$/);
  t.same(await collectLogs(rt.readContainerLogs(containerId, { limitBytes: 6 })), ['one', 'tw']);
  t.end();
});

void t.test('logs: a follow ends when its reader aborts', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const { containerId } = await runContainer(rt, 'abort', containerConfig('flotilla/sleep'));
  const abort = new AbortController();
  const seen: string[] = [];
  const following = (async () => {
    for await (const l of rt.readContainerLogs(containerId, { follow: true }, abort.signal)) {
      seen.push(l.text);
      abort.abort();
    }
  })();
  await following;
  t.same(seen, ['sleep: sleeping until stopped']);
  t.equal((await rt.containerStatus(containerId)).state, 'running');
  t.end();
});

void t.test('logs: long lines are written as P chunks and read back whole; files rotate by size', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime({ maxLogFileBytes: 4_000, maxLogFiles: 3 });
  const script = `head -c 40000 /dev/zero | tr '\\0' a; echo; i=0; while [ $i -lt 400 ]; do echo "line $i"; i=$((i+1)); done`;
  const { containerId } = await runContainer(rt, 'rotate', containerConfig('flotilla/shell', { command: ['sh', '-c', script] }));
  const status = await waitForExit(rt, containerId);
  t.equal(status.exitCode, 0);
  const files = fs.readdirSync(path.dirname(status.logPath)).filter((f) => f.startsWith('container.log')).sort();
  t.same(files, ['container.log', 'container.log.1', 'container.log.2'], 'at most maxLogFiles files');
  for (const f of files) t.ok(fs.statSync(path.join(path.dirname(status.logPath), f)).size <= 4_000 + 16_500, `${f} near the size bound`);
  const lines = await collectLogs(rt.readContainerLogs(containerId, {}));
  t.equal(lines.at(-1), 'line 399');
  const nums = lines.filter((l) => l.startsWith('line ')).map((l) => Number(l.slice(5)));
  t.same(nums, nums.map((_, i) => nums[0]! + i), 'contiguous across rotated files');
  t.ok(nums[0]! > 0, 'the oldest lines rotated away');
  t.same(await collectLogs(rt.readContainerLogs(containerId, { tailLines: 3 })), ['line 397', 'line 398', 'line 399']);

  const rt2 = await fx.newRuntime();
  const big = await runContainer(rt2, 'big', containerConfig('flotilla/shell', { command: ['sh', '-c', "head -c 40000 /dev/zero | tr '\\0' b; echo; echo after"] }));
  await waitForExit(rt2, big.containerId);
  const raw = fs.readFileSync((await rt2.containerStatus(big.containerId)).logPath, 'utf8').split('\n').filter((l) => l !== '');
  t.same(raw.map((l) => l.split(' ')[2]), ['P', 'P', 'F', 'F']);
  const whole = await collectLogs(rt2.readContainerLogs(big.containerId, {}));
  t.same(whole.map((l) => l.length), [40000, 5]);
  t.ok(whole[0] === 'b'.repeat(40000) && whole[1] === 'after', 'the long line is whole');
  t.end();
});

void t.test('execSync runs in the container env, captures output and kills on timeout', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const { containerId } = await runContainer(rt, 'exec', containerConfig('flotilla/sleep', { env: [{ name: 'GREETING', value: 'hello' }], workingDir: fx.dir }));
  const r = await rt.execSync(containerId, ['sh', '-c', 'echo "$GREETING $HOSTNAME"; pwd; echo oops >&2; exit 4'], 5_000);
  t.same(r, { exitCode: 4, stdout: `hello exec\n${fx.dir}\n`, stderr: 'oops\n', timedOut: false });
  const slow = await rt.execSync(containerId, ['sh', '-c', 'echo started; sleep 30'], 200);
  t.equal(slow.timedOut, true);
  t.equal(slow.stdout, 'started\n');
  const missing = await rt.execSync(containerId, ['no-such-program-xyz'], 1_000);
  t.not(missing.exitCode, 0);
  const big = await rt.execSync(containerId, ['sh', '-c', 'head -c 200000 /dev/zero'], 5_000);
  t.equal(big.stdout.length, 64 * 1024, 'output is bounded');
  t.end();
});

void t.test('exec streams stdin, stdout and stderr and reports the exit code', async (t) => {
  const fx = runtimeFixture(t);
  const rt = await fx.newRuntime();
  const { containerId } = await runContainer(rt, 'exec2', containerConfig('flotilla/sleep'));
  const session = await rt.exec(containerId, ['sh', '-c', 'cat; echo done >&2; exit 3'], { stdin: true });
  const out: string[] = [];
  const err: string[] = [];
  session.onStdout((d) => out.push(Buffer.from(d).toString()));
  session.onStderr((d) => err.push(Buffer.from(d).toString()));
  session.writeStdin(Buffer.from('ping\n'));
  session.closeStdin();
  t.equal(await session.exited, 3);
  t.equal(out.join(''), 'ping\n');
  t.equal(err.join(''), 'done\n');

  const endless = await rt.exec(containerId, ['sleep', '30'], {});
  endless.kill();
  t.equal(await endless.exited, 137);
  const stats = await rt.containerStats(containerId);
  t.ok(stats.memoryWorkingSetBytes > 0, 'stats from /proc');
  t.end();
});
