import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const cli = fileURLToPath(new URL('../../cluster/main.js', import.meta.url));

function flotilla(args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

interface StatusJson {
  processes: { name: string; kind: string; pid: number; up: boolean; raft?: { state: string; term: number; commitIndex: number; appliedIndex: number }; urls: { client: string; peer: string; metrics: string } }[];
}

async function status(dir: string): Promise<StatusJson> {
  const r = await flotilla(['status', '--json', '--data-dir', dir]);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as StatusJson;
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

t.test('up, status, stop --signal KILL, restart, up again, down --purge', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-launcher-'));
  t.teardown(async () => {
    await flotilla(['down', '--purge', '--data-dir', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  const up = await flotilla(['up', '--masters', '3', '--data-dir', dir]);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /cluster up in/);
  t.match(up.stdout, /endpoints: 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+/);

  // Right after `up`, a loaded machine may answer /status slowly: wait until every member does.
  await waitFor('every member to report its Raft state', async () => (await status(dir)).processes.every((p) => p.raft !== undefined));
  const s = await status(dir);
  t.equal(s.processes.length, 3);
  for (const p of s.processes) {
    t.equal(p.kind, 'master');
    t.ok(p.up, `${p.name} is up`);
    t.ok(p.pid > 0);
    t.match(p.urls, { client: /^http:\/\/127\.0\.0\.1:\d+$/, peer: /^http:\/\/127\.0\.0\.1:\d+$/, metrics: /^http:\/\/127\.0\.0\.1:\d+$/ });
    t.ok(p.raft && p.raft.term >= 2 && p.raft.commitIndex >= 1, `${p.name} reports its Raft state`);
  }
  t.equal(s.processes.filter((p) => p.raft?.state === 'leader').length, 1, 'exactly one leader');

  const again = await flotilla(['up', '--data-dir', dir]);
  t.equal(again.code, 0);
  t.match(again.stdout, /already running/, 'up on a running cluster reports it');

  const leader = s.processes.find((p) => p.raft?.state === 'leader')!;
  const stop = await flotilla(['stop', leader.name, '--signal', 'KILL', '--data-dir', dir]);
  t.equal(stop.code, 0, stop.stderr);
  await waitFor('a new leader among the survivors', async () => {
    const st = await status(dir);
    const dead = st.processes.find((p) => p.name === leader.name)!;
    return !dead.up && st.processes.some((p) => p.name !== leader.name && p.raft?.state === 'leader');
  });

  const restart = await flotilla(['restart', leader.name, '--data-dir', dir]);
  t.equal(restart.code, 0, restart.stderr);
  await waitFor('the restarted member to rejoin', async () => {
    const st = await status(dir);
    return st.processes.every((p) => p.up && p.raft !== undefined);
  });

  const down = await flotilla(['down', '--data-dir', dir]);
  t.equal(down.code, 0);
  const after = await status(dir);
  t.ok(after.processes.every((p) => !p.up), 'down stops every process');

  const up2 = await flotilla(['up', '--data-dir', dir]);
  t.equal(up2.code, 0, up2.stderr);
  t.match(up2.stdout, /restarted the cluster/, 'up on a stopped cluster starts it again with its data');
});

t.test('commands on a missing cluster and bad flags are usage errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-launcher-none-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = await flotilla(['status', '--data-dir', dir]);
  t.equal(r.code, 2);
  t.match(r.stderr, /no local cluster/);
  const bad = await flotilla(['up', '--masters', 'lots', '--data-dir', dir]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--masters must be an integer/);
});
