/**
 * Last-resort cleanup of the server processes and temp dirs a conformance test made. `flotilla
 * up` starts its masters detached, so they outlive a test process that dies before its teardown
 * ran (an uncaught error, a tap timeout, Ctrl-C); every pid guarded here and not yet forgotten is
 * SIGKILLed, and every guarded dir removed, when this process exits. Teardown is the normal
 * path; this only catches what it could not. A pid is forgotten as soon as its process is known
 * to be gone, so a pid the OS reuses later is never signalled.
 */
import { rmSync } from 'node:fs';

const guarded = new Set<number>();
const guardedDirs = new Set<string>();
let installed = false;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function killGuarded(): void {
  for (const pid of guarded) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  guarded.clear();
  for (const dir of guardedDirs) rmSync(dir, { recursive: true, force: true });
  guardedDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killGuarded();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Re-raise: with our listener gone, the default action (or tap's own handler) ends the process.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killGuarded);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** SIGKILL `pid` if this process exits before forgetPid(pid). */
export function guardPid(pid: number): void {
  install();
  guarded.add(pid);
}

/** Remove `dir` if this process exits before forgetDir(dir) (after the guarded processes are killed). */
export function guardDir(dir: string): void {
  install();
  guardedDirs.add(dir);
}

/** The dir was removed (or is kept on purpose) by its owner. */
export function forgetDir(dir: string): void {
  guardedDirs.delete(dir);
}

/** The process is gone (or stopped by its owner): never signal this pid. */
export function forgetPid(pid: number): void {
  guarded.delete(pid);
}
