/**
 * Last-resort cleanup of what the integration harness started: if the test process ends before a
 * cluster's close() ran (an uncaught error, a tap timeout, Ctrl-C), every child still alive is
 * SIGKILLed and every temp dir removed, so no orphaned etcd or store member keeps ports and disk.
 * close() is the normal path; this only catches what it could not.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let installed = false;

/** Set FLOTILLA_IT_KEEP=1 to keep data dirs and logs after the run, for a post-mortem. */
export const KEEP_TEMP_DIRS = process.env.FLOTILLA_IT_KEEP === '1';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function cleanupSync(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  liveChildren.clear();
  if (!KEEP_TEMP_DIRS) for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupSync();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // Re-raise: with our listener gone, the default action (or tap's own handler) ends the process.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const s of SIGNALS) process.on(s, onSignal);
}

/** Tracks a child until it exits; it is SIGKILLed if this process exits first. */
export function trackChild(child: ChildProcess): void {
  install();
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

/** Tracks a temp dir; it is removed when this process exits, unless released first. */
export function trackDir(dir: string): void {
  install();
  tempDirs.add(dir);
}

/** Removes a tracked dir now (unless FLOTILLA_IT_KEEP=1) and stops tracking it. */
export function removeDir(dir: string): void {
  tempDirs.delete(dir);
  if (!KEEP_TEMP_DIRS) rmSync(dir, { recursive: true, force: true });
}
