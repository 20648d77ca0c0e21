/**
 * Runs the real kubectl against a conformance cluster: one child process per command, with an
 * environment that holds nothing of the developer's (a temp HOME, the cluster's KUBECONFIG, the
 * test's own KUBECACHEDIR) so neither a personal kubeconfig nor a stale discovery cache can make
 * a run pass or fail. Every run has a deadline; a run that misses it is SIGKILLed and reported
 * as timed out, never left behind.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { waitUntil } from '../integration/harness/index.js';

/** The kubectl under test: the system one (1.32), or FLOTILLA_KUBECTL for another build. */
export const KUBECTL_BIN = process.env.FLOTILLA_KUBECTL ?? '/usr/bin/kubectl';

/** How long one kubectl command may run unless a caller says otherwise. */
export const KUBECTL_TIMEOUT_MS = 60_000;

/** Why the kubectl tests cannot run here, or undefined when they can. */
export function kubectlMissing(): string | undefined {
  try {
    accessSync(KUBECTL_BIN, constants.X_OK);
    return undefined;
  } catch {
    return `kubectl is not installed at ${KUBECTL_BIN} (set FLOTILLA_KUBECTL to run these tests)`;
  }
}

/** Where kubectl finds its cluster and keeps its files. */
export interface KubectlEnvironment {
  readonly kubeconfig: string;
  /** kubectl's discovery and HTTP cache; one per test cluster, so nothing leaks between runs. */
  readonly kubeCacheDir: string;
  /** HOME for kubectl: empty, so ~/.kube of whoever runs the tests is never read. */
  readonly home: string;
}

export interface KubectlRunOptions {
  /** Written to kubectl's stdin, which is then closed (for `-f -`). */
  readonly stdin?: string;
  /** Extra environment, e.g. EDITOR for `kubectl edit`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Another kubeconfig than the cluster's (another master, a bad token). */
  readonly kubeconfig?: string;
  readonly timeoutMs?: number;
}

export interface KubectlResult {
  readonly args: readonly string[];
  /** The exit code; null when kubectl was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether kubectl missed its deadline and was killed. */
  readonly timedOut: boolean;
}

/** The one-paragraph account of a run, for assertion messages. */
export function describeRun(r: KubectlResult): string {
  const how = r.timedOut ? 'timed out' : r.signal !== null ? `killed by ${r.signal}` : `exit ${r.code}`;
  return `kubectl ${r.args.join(' ')} → ${how}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}`;
}

function childEnv(env: KubectlEnvironment, opts: KubectlRunOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: env.home,
    KUBECONFIG: opts.kubeconfig ?? env.kubeconfig,
    KUBECACHEDIR: env.kubeCacheDir,
    // Stable, uncoloured output whatever the terminal of the developer.
    TERM: 'dumb',
    LANG: 'C',
    ...opts.env,
  };
}

/** A running kubectl and the promise of its result; the deadline is already armed. */
function start(env: KubectlEnvironment, args: readonly string[], opts: KubectlRunOptions): { child: ChildProcess; result: Promise<KubectlResult>; out: { stdout: string; stderr: string } } {
  const child = spawn(KUBECTL_BIN, [...args], { env: childEnv(env, opts), stdio: ['pipe', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out.stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (out.stderr += chunk));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(opts.stdin ?? '');
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, opts.timeoutMs ?? KUBECTL_TIMEOUT_MS);
  const result = new Promise<KubectlResult>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      resolve({ args, code, signal, stdout: out.stdout, stderr: out.stderr, timedOut });
    };
    child.once('error', (err) => {
      out.stderr += `(could not run ${KUBECTL_BIN}: ${err.message})\n`;
      done(null, null);
    });
    child.once('close', done);
  });
  return { child, result, out };
}

/** Runs one kubectl command to its end (or its deadline). */
export function runKubectl(env: KubectlEnvironment, args: readonly string[], opts: KubectlRunOptions = {}): Promise<KubectlResult> {
  return start(env, args, opts).result;
}

/**
 * A long-running kubectl (`get -w`): its output so far, a wait for a condition on it, and a stop
 * that kills it. The deadline still holds, so a forgotten watch ends by itself.
 */
export class KubectlWatch {
  private readonly child: ChildProcess;
  private readonly out: { stdout: string; stderr: string };
  readonly result: Promise<KubectlResult>;

  constructor(env: KubectlEnvironment, args: readonly string[], opts: KubectlRunOptions = {}) {
    const started = start(env, args, opts);
    this.child = started.child;
    this.out = started.out;
    this.result = started.result;
  }

  get stdout(): string {
    return this.out.stdout;
  }

  /** Whether kubectl has not exited yet. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get stderr(): string {
    return this.out.stderr;
  }

  /** Waits until the output so far satisfies `condition`; rejects with the output after timeoutMs. */
  async waitForOutput(condition: (stdout: string) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    await waitUntil(() => condition(this.out.stdout) || !this.running, {
      timeoutMs,
      what: () => `${what}; stdout so far:\n${this.out.stdout}\nstderr so far:\n${this.out.stderr}`,
    });
    if (!condition(this.out.stdout)) throw new Error(`kubectl ended before ${what}; stdout:\n${this.out.stdout}\nstderr:\n${this.out.stderr}`);
  }

  /** Kills kubectl (SIGTERM, as Ctrl-C would) and resolves to what it printed. */
  async stop(): Promise<KubectlResult> {
    if (this.running) this.child.kill('SIGTERM');
    return this.result;
  }
}

/** The output lines, without the trailing empty one. */
export function outputLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A kubectl table as cells: kubectl pads columns with at least three spaces (its tabwriter's
 * padding), and no cell it prints holds two spaces in a row, so two or more spaces separate.
 */
export function tableCells(text: string): string[][] {
  return outputLines(text).map((line) => line.trim().split(/ {2,}/));
}
