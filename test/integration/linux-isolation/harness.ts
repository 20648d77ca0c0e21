// Runs launch specs the way the process runtime does: detached (own process group) inside the
// exit-code wrapper, output to files, the exit code read back from the wrapper's file.

import { spawn } from 'node:child_process';
import { promises as fsp, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** The launch spec's shape (ContainerLaunchSpec of the process runtime's isolation contract). */
export interface LaunchSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** How long a test waits for a container to exit before failing (not a timing assertion). */
export const WAIT_EXIT_MS = 30_000;
const POLL_MS = 25;

export interface RunningContainer {
  readonly pgid: number;
  readonly exitFile: string;
  readonly stdoutFile: string;
  readonly stderrFile: string;
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function startWrapped(spec: LaunchSpec, dir: string, name: string): RunningContainer {
  const exitFile = join(dir, `${name}.exit`);
  const stdoutFile = join(dir, `${name}.out`);
  const stderrFile = join(dir, `${name}.err`);
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  const child = spawn('/bin/sh', ['-c', `trap : TERM INT HUP; "$@"; echo $? > ${shQuote(exitFile)}`, 'sh', spec.file, ...spec.args], {
    detached: true,
    stdio: ['ignore', out, err],
    env: { ...spec.env },
    cwd: spec.cwd,
  });
  closeSync(out);
  closeSync(err);
  child.unref();
  if (child.pid === undefined) throw new Error('spawn failed');
  return { pgid: child.pid, exitFile, stdoutFile, stderrFile };
}

export async function waitExit(c: RunningContainer, timeoutMs = WAIT_EXIT_MS): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await fsp.readFile(c.exitFile, 'utf8').catch(() => '');
    if (text.trim() !== '') return Number(text.trim());
    if (Date.now() > deadline) throw new Error(`container ${c.exitFile} did not exit; stderr: ${await fsp.readFile(c.stderrFile, 'utf8').catch(() => '')}`);
    await delay(POLL_MS);
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = WAIT_EXIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(POLL_MS);
  }
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

export async function output(c: RunningContainer): Promise<{ stdout: string; stderr: string }> {
  return { stdout: await fsp.readFile(c.stdoutFile, 'utf8'), stderr: await fsp.readFile(c.stderrFile, 'utf8') };
}
