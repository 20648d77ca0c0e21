// Starting a container's process so that it outlives the worker and its exit code survives too.
//
// The command runs under a small /bin/sh wrapper, detached in its own process group (the wrapper's
// pid is the group id). The wrapper traps TERM, INT and HUP with a no-op so a signal to the group
// does not end it before the command: a trapped signal is reset to its default action on exec, so
// the command gets it as usual. When the command ends, the wrapper writes `$?` (128+signal for a
// signal) to the exit file, which a runtime that re-adopts the container reads.
//
// stdout and stderr are FIFOs that the container holds open read-write: with a reader always
// present (itself), it never gets SIGPIPE while no worker reads; it blocks once the pipe buffer is
// full, until a worker reads again. The runtime reads them non-blocking through net.Socket (a
// libuv pipe), never through fs streams, whose blocking reads would hold libuv's thread pool.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ContainerLaunchSpec } from './isolation-contract.js';

// The wrapper's own stderr goes to /dev/null (the command's goes to the FIFO through fd 3), so the
// shell's "Killed" notice for a command ended by a signal does not land in the container's log.
// The command runs as `(exec …)`: its redirections happen in the forked child, not in the wrapper
// while it waits (dash applies a simple command's redirections in the parent).
const EXIT_CODE_WRAPPER = 'trap : TERM INT HUP\nf=$1\nshift\nexec 3>&2 2>/dev/null\n(exec "$@" 2>&3 3>&-)\nc=$?\necho "$c" > "$f"\nexit $c\n';

export function createFifos(paths: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('mkfifo', ['-m', '600', ...paths], (err, _stdout, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve()));
  });
}

/** Opens a FIFO for reading without blocking, as a socket that ends when every writer has closed it. */
export function openFifoReader(fifoPath: string): net.Socket {
  const fd = fs.openSync(fifoPath, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: true, writable: false });
}

/** The exit code a process that ended by `signal` reports: 128 + its number. */
export function exitCodeOfSignal(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

/** The code the wrapper wrote to the exit file, or undefined when it wrote none (it was killed too). */
export function readExitFile(exitFilePath: string): number | undefined {
  try {
    const text = fs.readFileSync(exitFilePath, 'utf8').trim();
    return /^\d+$/.test(text) ? Number(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `file` names an executable, looked up on `PATH` when it has no slash (as execvp does). */
export function findExecutable(file: string, env: Readonly<Record<string, string>>, cwd: string): string | undefined {
  const candidates = file.includes('/') ? [path.resolve(cwd, file)] : (env['PATH'] ?? '').split(':').filter((d) => d !== '').map((d) => path.join(d, file));
  for (const c of candidates) {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      if (fs.statSync(c).isFile()) return c;
    } catch {
      // Not there: the next directory.
    }
  }
  return undefined;
}

export interface SpawnedContainer {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Readers of the container's stdout and stderr FIFOs. */
  readonly stdout: net.Socket;
  readonly stderr: net.Socket;
  /** Settles when the wrapper exits (it is this worker's child). */
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/**
 * Spawns the wrapper with the container's command; resolves once the process exists. The worker
 * holds the FIFOs' write ends until the child has them and the readers are open, so a command
 * that writes and exits at once loses nothing and no reader sees an early end of file.
 */
export async function spawnContainerProcess(launch: ContainerLaunchSpec, exitFilePath: string, stdoutFifo: string, stderrFifo: string): Promise<SpawnedContainer> {
  const writeFds: number[] = [];
  const readers: net.Socket[] = [];
  try {
    writeFds.push(fs.openSync(stdoutFifo, fs.constants.O_RDWR));
    writeFds.push(fs.openSync(stderrFifo, fs.constants.O_RDWR));
    readers.push(openFifoReader(stdoutFifo));
    readers.push(openFifoReader(stderrFifo));
    const child = spawn('/bin/sh', ['-c', EXIT_CODE_WRAPPER, 'flotilla-container', exitFilePath, launch.file, ...launch.args], {
      detached: true,
      stdio: ['ignore', writeFds[0]!, writeFds[1]!],
      env: { ...launch.env },
      cwd: launch.cwd,
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    if (child.pid === undefined) throw new Error('spawned process has no pid');
    return { child, pid: child.pid, stdout: readers[0]!, stderr: readers[1]!, exit };
  } catch (err) {
    for (const r of readers) r.destroy();
    throw err;
  } finally {
    for (const fd of writeFds) fs.closeSync(fd);
  }
}
