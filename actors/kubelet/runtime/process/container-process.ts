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
//
// The wrapper makes the FIFOs itself and opens them before it says so on fd 3, a socket pair with
// the worker: Node has no mkfifo, and a process spawned from the worker costs the worker a fork of
// its whole address space (about 2 ms of CPU with its event loop blocked for 5-7 ms, measured on
// this 2-core VM at 50-110 MB RSS), where the wrapper's shell forks mkfifo for a fraction of that.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { ContainerLaunchSpec } from './isolation-contract.js';
import { awaitReadyLine } from './ready-line.js';

/** Exit code of a wrapper that could not make or open its FIFOs (as a shell's "cannot execute"). */
export const FIFO_SETUP_FAILED_EXIT_CODE = 126;
/** The line the wrapper writes on fd 3 (a socket pair with the worker) once its FIFOs are open. */
const FIFOS_READY = 'fifos-ready';
/** The worker's answer once it reads both FIFOs, which lets the command start. */
const READERS_OPEN = 'readers-open';

// $1 exit file, $2 stdout FIFO, $3 stderr FIFO, $4 mkfifo, then the command. The wrapper's own
// stderr goes to /dev/null (the command's goes to the stderr FIFO through fd 3), so the shell's
// "Killed" notice for a command ended by a signal does not land in the container's log. The
// command runs as `(exec …)`: its redirections happen in the forked child, not in the wrapper while
// it waits (dash applies a simple command's redirections in the parent).
const EXIT_CODE_WRAPPER = [
  'trap : TERM INT HUP',
  'f=$1 o=$2 e=$3 m=$4',
  'shift 4',
  // Both may exist already: a container created by a worker that still made them itself.
  `{ [ -p "$o" ] && [ -p "$e" ]; } || "$m" -m 600 "$o" "$e" 2>&3 || exit ${FIFO_SETUP_FAILED_EXIT_CODE}`,
  `exec 1<>"$o" 5<>"$e" || exit ${FIFO_SETUP_FAILED_EXIT_CODE}`,
  // Wait for the worker's readers: a FIFO nobody holds open loses what was written to it, so a
  // command that writes and exits at once must not finish before the worker has opened them.
  `echo ${FIFOS_READY} >&3`,
  `read -r go <&3 && [ "$go" = ${READERS_OPEN} ] || exit ${FIFO_SETUP_FAILED_EXIT_CODE}`,
  'exec 3>&5 5>&- 2>/dev/null',
  '(exec "$@" 2>&3 3>&-)',
  'c=$?',
  'echo "$c" > "$f"',
  'exit $c',
  '',
].join('\n');

let mkfifoPath: string | undefined;

/** mkfifo's absolute path (found once on the worker's PATH), so the wrapper does not search for it. */
function mkfifo(): string {
  mkfifoPath ??= findExecutable('mkfifo', { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, '/') ?? 'mkfifo';
  return mkfifoPath;
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
 * Spawns the wrapper with the container's command; resolves once its FIFOs are open and the
 * worker reads them. The wrapper holds both FIFOs open read-write before it says so, so a command
 * that writes and exits at once loses nothing and no reader sees an early end of file.
 */
export async function spawnContainerProcess(launch: ContainerLaunchSpec, exitFilePath: string, stdoutFifo: string, stderrFifo: string): Promise<SpawnedContainer> {
  const child = spawn('/bin/sh', ['-c', EXIT_CODE_WRAPPER, 'flotilla-container', exitFilePath, stdoutFifo, stderrFifo, mkfifo(), launch.file, ...launch.args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    env: { ...launch.env },
    cwd: launch.cwd,
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  if (child.pid === undefined) throw new Error('spawned process has no pid');
  const handshake = child.stdio[3] as Duplex;
  const { ready, said } = await awaitReadyLine(handshake, FIFOS_READY);
  if (!ready) {
    handshake.destroy();
    const { code, signal } = await exit;
    throw new Error(`container output FIFOs could not be set up (wrapper exit ${String(code ?? signal)})${said === '' ? '' : `: ${said}`}`);
  }
  const readers: net.Socket[] = [];
  try {
    readers.push(openFifoReader(stdoutFifo));
    readers.push(openFifoReader(stderrFifo));
  } catch (err) {
    for (const r of readers) r.destroy();
    handshake.destroy();
    signalGroupQuietly(child.pid);
    throw err;
  }
  handshake.end(`${READERS_OPEN}\n`);
  handshake.resume();
  return { child, pid: child.pid, stdout: readers[0]!, stderr: readers[1]!, exit };
}

/** Kills a wrapper whose output cannot be read, with its command, so no container runs unwatched. */
function signalGroupQuietly(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
