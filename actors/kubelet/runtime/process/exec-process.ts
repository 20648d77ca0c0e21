// Commands run in a running container (`exec`): probes and hooks through execSync, `kubectl exec`
// through an ExecSession. Each runs detached in its own process group so a timeout or kill ends
// everything it started. There is no pseudo-terminal: a `tty` session gets plain pipes, and
// resize is a no-op.

import { spawn, type ChildProcess } from 'node:child_process';
import type { Clock } from '../../../../raft/index.js';
import type { ExecResult, ExecSession } from '../cri.js';
import type { ContainerLaunchSpec } from './isolation-contract.js';
import { exitCodeOfSignal } from './container-process.js';
import { signalProcessGroup } from './proc.js';

/** Most bytes execSync keeps of each of stdout and stderr; the rest is read and dropped. */
export const MAX_EXEC_SYNC_OUTPUT_BYTES = 64 * 1024;

/** Exit code reported when the command could not be started at all (as a shell reports "not found"). */
export const EXEC_NOT_STARTED_EXIT_CODE = 127;

function spawnExec(launch: ContainerLaunchSpec, stdin: boolean): ChildProcess {
  return spawn(launch.file, [...launch.args], {
    detached: true,
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...launch.env },
    cwd: launch.cwd,
  });
}

class BoundedText {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  add(chunk: Buffer): void {
    const room = MAX_EXEC_SYNC_OUTPUT_BYTES - this.bytes;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.bytes += kept.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Runs to completion; a command still running after `timeoutMs` has its group killed (timedOut). */
export function runExecSync(launch: ContainerLaunchSpec, timeoutMs: number, clock: Clock): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawnExec(launch, false);
    const stdout = new BoundedText();
    const stderr = new BoundedText();
    let timedOut = false;
    let settled = false;
    const timer = clock.setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) signalProcessGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.stdout?.on('data', (c: Buffer) => stdout.add(c));
    child.stderr?.on('data', (c: Buffer) => stderr.add(c));
    child.once('error', (err) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      resolve({ exitCode: EXEC_NOT_STARTED_EXIT_CODE, stdout: '', stderr: `${err.message}\n`, timedOut: false });
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      resolve({ exitCode: code ?? (signal ? exitCodeOfSignal(signal) : 1), stdout: stdout.text(), stderr: stderr.text(), timedOut });
    });
  });
}

/**
 * Starts an interactive command. Output waits in the pipe until a handler is attached; once the
 * command has exited, a stream nobody listens to is drained so `exited` can settle.
 */
export function startExecSession(launch: ContainerLaunchSpec, stdin: boolean): ExecSession {
  const child = spawnExec(launch, stdin);
  // A command that exits without reading its stdin makes later writes fail with EPIPE: not an error of ours.
  child.stdin?.on('error', () => undefined);
  let startError: Error | undefined;
  const exited = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      startError = err;
      resolve(EXEC_NOT_STARTED_EXIT_CODE);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal ? exitCodeOfSignal(signal) : 1)));
  });
  child.once('exit', () => {
    if (child.stdout && child.stdout.listenerCount('data') === 0) child.stdout.resume();
    if (child.stderr && child.stderr.listenerCount('data') === 0) child.stderr.resume();
  });
  return {
    writeStdin: (data) => {
      if (child.stdin && !child.stdin.destroyed) child.stdin.write(data);
    },
    closeStdin: () => child.stdin?.end(),
    resize: () => undefined,
    onStdout: (handler) => {
      child.stdout?.on('data', (c: Buffer) => handler(c));
    },
    onStderr: (handler) => {
      if (startError !== undefined) handler(Buffer.from(`${startError.message}\n`));
      child.stderr?.on('data', (c: Buffer) => handler(c));
    },
    exited,
    kill: () => {
      if (child.pid !== undefined) signalProcessGroup(child.pid, 'SIGKILL');
    },
  };
}
