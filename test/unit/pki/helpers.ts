// Shared pieces of the PKI tests: the module under test (one import path to change when
// cluster/index.ts re-exports cluster/pki), temp dirs, and looking up tools on PATH.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export * from '../../../cluster/index.js';

export interface Teardown {
  teardown(fn: () => unknown): void;
}

export function tempDir(t: Teardown, name = 'pki'): string {
  const dir = mkdtempSync(join(tmpdir(), `flotilla-${name}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The permission bits of a file (e.g. 0o600). */
export function fileMode(path: string): number {
  return statSync(path).mode & 0o777;
}

/** The absolute path of an executable on PATH, or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Bound on how long one external tool may run before it is killed (a hang, not a timing check). */
export const TOOL_RUN_LIMIT_MS = 60_000;

/** Runs a program to completion; never rejects for a non-zero exit. */
export function runTool(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, [...args], { env: env ?? process.env, timeout: TOOL_RUN_LIMIT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
