/**
 * The real etcdctl (API v3), run to completion or kept running (watch), against any endpoints.
 * Every process started here is SIGKILLed if the test process exits first.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { trackChild } from './cleanup.js';
import { waitUntil } from './wait.js';

/** The etcdctl binary, or undefined when it is not on PATH. */
export const ETCDCTL_BIN: string | undefined = which('etcdctl');

/** The etcd binary, or undefined when it is not on PATH. */
export const ETCD_BIN: string | undefined = which('etcd');

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface EtcdctlOptions {
  /** host:port of each endpoint. */
  readonly endpoints: readonly string[];
  /** Written to etcdctl's stdin, which is then closed. */
  readonly stdin?: string | Uint8Array;
  /** etcdctl is SIGKILLed after this long. Default 20 s. */
  readonly timeoutMs?: number;
}

export interface EtcdctlResult {
  /** The exit code; null when etcdctl was killed (see `timedOut`). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** Whether the harness killed it at `timeoutMs`. */
  readonly timedOut: boolean;
}

const DEFAULT_ETCDCTL_TIMEOUT_MS = 20_000;

function spawnEtcdctl(args: readonly string[], endpoints: readonly string[]): ChildProcess {
  if (!ETCDCTL_BIN) throw new Error('etcdctl is not installed');
  const child = spawn(ETCDCTL_BIN, [`--endpoints=${endpoints.join(',')}`, '--dial-timeout=2s', ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  trackChild(child);
  return child;
}

/** Runs etcdctl to completion. Never rejects on a failing command: look at `code`. */
export function etcdctl(args: readonly string[], opts: EtcdctlOptions): Promise<EtcdctlResult> {
  const started = Date.now();
  const child = spawnEtcdctl(args, opts.endpoints);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.on('error', () => undefined); // etcdctl may exit before reading all of stdin
  child.stdin?.end(opts.stdin ?? '');
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? DEFAULT_ETCDCTL_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
}

/** A long-running etcdctl (watch) whose output is collected as it comes. */
export interface EtcdctlProcess {
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once stdout satisfies `done`; rejects after timeoutMs showing what was printed. */
  waitFor(done: (stdout: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Resolves when it exits by itself; rejects after timeoutMs. */
  exited(timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Kills it (SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>;
}

export function startEtcdctl(args: readonly string[], opts: { endpoints: readonly string[] }): EtcdctlProcess {
  const child = spawnEtcdctl(args, opts.endpoints);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end();
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const describe = (): string => `etcdctl ${args.join(' ')} printed:\n${stdout}\nstderr:\n${stderr}`;
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: async (done, timeoutMs = 10_000) => {
      await waitUntil(() => done(stdout), { timeoutMs, what: describe });
      return stdout;
    },
    exited: async (timeoutMs = 10_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms: ${describe()}`)), timeoutMs);
      });
      try {
        const code = await Promise.race([exit, timeout]);
        return { code, stdout, stderr };
      } finally {
        clearTimeout(timer);
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** etcdctl's last "Error: …" line on stderr, without the prefix; the whole stderr if none. */
export function errorLine(r: { stderr: string }): string {
  const line = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('Error:'))
    .at(-1);
  return line === undefined ? r.stderr.trim() : line.slice('Error:'.length).trim();
}
