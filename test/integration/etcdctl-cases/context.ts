/**
 * What every behavioural case gets: the cluster under test and etcdctl helpers that assert the
 * exit code and hand back what a user would read. The cases are written once and run against
 * Flotilla's store and against etcd; an expectation is etcd's behaviour, so a case that fails only
 * for Flotilla has found a difference.
 */
import type { Test } from 'tap';
import type { BackendKind, EtcdctlResult, TestCluster } from '../harness/index.js';
import { errorLine, etcdctl } from '../harness/index.js';

export interface Ctx {
  readonly kind: BackendKind;
  readonly cluster: TestCluster;
  /** --max-request-bytes every member was started with. */
  readonly maxRequestBytes: number;
}

export interface CtlOptions {
  /** Default: the founding members' endpoints. */
  readonly endpoints?: readonly string[];
  readonly stdin?: string | Uint8Array;
  readonly timeoutMs?: number;
  /** tap's assertion options for the exit-code assertion, e.g. known(c, …). */
  readonly extra?: { todo?: string };
}

/**
 * Differences from etcd that this suite found and that were reported. An assertion covering one
 * still runs and prints its diff, but against Flotilla as a tap todo (not a failure) until it is
 * fixed; against etcd it is a plain assertion. Delete an entry when Flotilla is fixed.
 */
export const KNOWN_DIFFERENCES = {
  revisionBase: 'Flotilla starts an empty store at revision 0, so its first write makes revision 1; etcd starts at 1 and its first write makes 2',
} as const;

/** tap's assertion options for an assertion that covers a known difference. */
export function known(c: Ctx, difference: keyof typeof KNOWN_DIFFERENCES): { todo?: string } {
  return c.kind === 'flotilla' ? { todo: `known difference from etcd: ${KNOWN_DIFFERENCES[difference]}` } : {};
}

/** A case: one tap subtest, run against each backend in turn. */
export interface Case {
  readonly name: string;
  readonly run: (t: Test, c: Ctx) => Promise<void>;
  /** tap's subtest timeout (ms); default CASE_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  /** Skip against some backends (a reason), e.g. a case too slow to run twice in CI. */
  readonly skip?: (kind: BackendKind) => string | false;
}

export const CASE_TIMEOUT_MS = 60_000;

/** Shortens long arguments (values) in assertion messages. */
const show = (args: readonly string[]): string => args.map((a) => (a.length > 40 ? `${a.slice(0, 36)}…` : a)).join(' ');

export function ctl(c: Ctx, args: readonly string[], opts: CtlOptions = {}): Promise<EtcdctlResult> {
  return etcdctl(args, { endpoints: opts.endpoints ?? c.cluster.endpoints, ...(opts.stdin === undefined ? {} : { stdin: opts.stdin }), timeoutMs: opts.timeoutMs ?? 20_000 });
}

/** Runs etcdctl, asserts it exits 0, returns stdout. */
export async function ok(t: Test, c: Ctx, args: readonly string[], opts: CtlOptions = {}): Promise<string> {
  const r = await ctl(c, args, opts);
  t.equal(r.code, 0, `etcdctl ${show(args)} exits 0${r.code === 0 ? '' : `; stderr: ${r.stderr.trim()}`}`, opts.extra ?? {});
  return r.stdout;
}

/** Runs etcdctl, asserts it fails, returns etcdctl's error (the last "Error: …" line). */
export async function fails(t: Test, c: Ctx, args: readonly string[], opts: CtlOptions = {}): Promise<string> {
  const r = await ctl(c, args, opts);
  t.not(r.code, 0, `etcdctl ${show(args)} fails${r.code === 0 ? `; it printed: ${r.stdout}` : ''}`, opts.extra ?? {});
  return errorLine(r);
}

/**
 * Parses etcdctl's JSON keeping uint64 ids exact: integers of 16 or more digits (member, cluster
 * and lease ids; revisions never get there) become strings.
 */
export function parseJson<T>(text: string): T {
  return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"')) as T;
}

export interface RangeJson {
  readonly header: { readonly revision: number; readonly raft_term: number };
  readonly kvs?: { key: string; value?: string; create_revision: number; mod_revision: number; version: number; lease?: number | string }[];
  readonly more?: boolean;
  readonly count?: number;
}

/** The store's current revision, from the header of a linearizable get. */
export async function currentRevision(t: Test, c: Ctx, opts: CtlOptions = {}): Promise<number> {
  const out = await ok(t, c, ['get', '__revision_probe', '-w', 'json'], opts);
  return parseJson<RangeJson>(out).header.revision;
}

/** How many keys start with `prefix` (etcdctl 3.4 has no --count-only). */
export async function countKeys(t: Test, c: Ctx, prefix: string): Promise<number> {
  const out = await ok(t, c, ['get', prefix, '--prefix', '--keys-only', '--limit=1', '-w', 'json']);
  return parseJson<RangeJson>(out).count ?? 0;
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Runs etcdctl until it exits 0 or the deadline passes; resolves to every result (the last one last). */
export async function retryUntilOk(c: Ctx, args: readonly string[], opts: CtlOptions & { deadlineMs: number; pauseMs?: number }): Promise<EtcdctlResult[]> {
  const results: EtcdctlResult[] = [];
  const deadline = Date.now() + opts.deadlineMs;
  for (;;) {
    const r = await ctl(c, args, opts);
    results.push(r);
    if (r.code === 0 || Date.now() > deadline) return results;
    await new Promise((resolve) => setTimeout(resolve, opts.pauseMs ?? 250));
  }
}
