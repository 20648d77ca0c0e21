/**
 * What every kubectl case gets: the cluster under test and helpers that run kubectl, assert its
 * exit code, and hand back what a user would read. An expectation is what kubectl 1.32 prints
 * against kube-apiserver, so a failing case has found a difference from Kubernetes.
 */
import type { Test } from 'tap';
import type { ConformanceCluster } from '../harness.js';
import type { KubectlResult, KubectlRunOptions } from '../kubectl-runner.js';
import { describeRun, outputLines } from '../kubectl-runner.js';
import { namespaceManifest } from '../manifests.js';

/** One tap subtest; the cases of a file run in order on one cluster, each in its own namespace. */
export interface KubectlCase {
  readonly name: string;
  readonly run: (t: Test, c: ConformanceCluster) => Promise<void>;
}

/**
 * Differences from Kubernetes this suite found and reported. An assertion covering one still runs
 * and prints its diff, as a tap todo (not a failure) until it is fixed. Delete an entry when fixed.
 */
export const KNOWN_DIFFERENCES: Readonly<Record<string, string>> = {};

/** tap's assertion options for an assertion that covers a known difference. */
export function known(difference: string): { todo: string } {
  return { todo: `known difference from Kubernetes: ${KNOWN_DIFFERENCES[difference] ?? difference}` };
}

/** The AGE column: a short duration kubectl computed from creationTimestamp (`0s`, `12s`, `2m3s`). */
export const AGE_PATTERN = /^\d+[smhd](\d+[smh])?$/;

/** Runs kubectl, asserts it exits 0, returns stdout. */
export async function kubectlOk(t: Test, c: ConformanceCluster, args: readonly string[], opts: KubectlRunOptions = {}): Promise<string> {
  const r = await c.kubectl(args, opts);
  t.equal(r.code, 0, `kubectl ${args.join(' ')} exits 0`, r.code === 0 ? {} : { diagnostic: true, run: describeRun(r) });
  return r.stdout;
}

/** Runs kubectl, asserts it fails with kubectl's usual exit code 1, returns the run. */
export async function kubectlFails(t: Test, c: ConformanceCluster, args: readonly string[], opts: KubectlRunOptions = {}): Promise<KubectlResult> {
  const r = await c.kubectl(args, opts);
  t.equal(r.code, 1, `kubectl ${args.join(' ')} exits 1`, r.code === 1 ? {} : { diagnostic: true, run: describeRun(r) });
  return r;
}

/**
 * kubectl's error message: stderr without the klog lines client-go logs on the way
 * (`E0102 15:04:05.000000 123 memcache.go:…`), which are diagnostics, not the message.
 */
export function errorMessage(r: KubectlResult): string {
  return outputLines(r.stderr)
    .filter((l) => !/^[IWEF]\d{4} \d\d:\d\d:\d\d/.test(l))
    .join('\n');
}

/** `kubectl apply -f` of a manifest written to the work dir; returns stdout. */
export async function applyManifest(t: Test, c: ConformanceCluster, fileName: string, manifest: string): Promise<string> {
  return kubectlOk(t, c, ['apply', '-f', c.writeFile(fileName, manifest)]);
}

/** Creates a namespace with `kubectl apply -f` (JSON body: independent of protobuf support). */
export async function makeNamespace(t: Test, c: ConformanceCluster, name: string): Promise<void> {
  const out = await applyManifest(t, c, `namespace-${name}.yaml`, namespaceManifest(name));
  t.equal(out, `namespace/${name} created\n`, `namespace ${name} created`);
}

/** Parses kubectl's `-o json`; a parse failure fails the test with the text it got. */
export function parseJsonOutput<T>(t: Test, stdout: string): T | undefined {
  try {
    return JSON.parse(stdout) as T;
  } catch (err) {
    t.fail(`kubectl printed no JSON: ${String(err)}`, { stdout });
    return undefined;
  }
}

/** Splits a header line into its column names (two or more spaces separate columns). */
export function headerColumns(line: string | undefined): string[] {
  return (line ?? '').trim().split(/ {2,}/);
}

/** The objects kubectl's `-o json` printed (a `List`, or one object). */
export interface ObjectJson {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly resourceVersion?: string;
    readonly generation?: number;
    readonly creationTimestamp?: string;
    readonly deletionTimestamp?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly finalizers?: readonly string[];
  };
  readonly spec?: Readonly<Record<string, unknown>>;
  readonly status?: Readonly<Record<string, unknown>>;
  readonly data?: Readonly<Record<string, string>>;
  readonly type?: string;
  readonly items?: readonly ObjectJson[];
}
