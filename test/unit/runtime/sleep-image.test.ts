// The shipped `flotilla/sleep` image keeps its contract while it runs as a shell line: the message
// it prints, a timed sleep that exits 0, exit 0 at once on SIGTERM, exit 2 for a malformed number.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ImageStore } from '../../../actors/index.js';

const clock = { now: () => 1_700_000_000_000 };

async function sleepArgv(): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-sleep-img-'));
  try {
    const image = await new ImageStore(dir, clock).resolve('flotilla/sleep');
    return [...image.manifest.entrypoint, ...image.manifest.cmd];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void t.test('a timed sleep prints its length and exits 0', async (t) => {
  const [file, ...args] = await sleepArgv();
  const run = spawnSync(file!, [...args, '0.05'], { encoding: 'utf8' });
  t.equal(run.status, 0);
  t.equal(run.stdout, 'sleep: sleeping 0.05 seconds\n');
});

void t.test('a malformed number of seconds exits 2 with a message', async (t) => {
  const [file, ...args] = await sleepArgv();
  for (const bad of ['abc', '-1', '', '.', '1.2.3']) {
    const run = spawnSync(file!, [...args, bad], { encoding: 'utf8' });
    t.equal(run.status, 2, JSON.stringify(bad));
    t.equal(run.stderr, `sleep: invalid number of seconds "${bad}"\n`, JSON.stringify(bad));
  }
});

void t.test('without arguments it runs until SIGTERM, then exits 0', async (t) => {
  const [file, ...args] = await sleepArgv();
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  t.teardown(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  });
  const firstLine = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
  t.equal(firstLine, 'sleep: sleeping until stopped\n');
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // As the runtime stops a container: SIGTERM to its process group.
  process.kill(-child.pid!, 'SIGTERM');
  t.equal(await exit, 0);
});
