// The real kubectl 1.32, with KUBECONFIG set and no extra flags, against a Flotilla cluster on
// each store: the built-in one (`flotilla up --masters 3`) and a real etcd 3.4 cluster with
// API-only masters. One cluster per flavour; the cases (kubectl-cases/) run in order on it,
// each in its own namespace. An expectation is what kubectl prints against kube-apiserver, so a
// failing case is a difference from Kubernetes (known ones: kubectl-cases/context.ts).
// FLOTILLA_CONFORMANCE_FLAVOURS=builtin (or etcd) runs one flavour only, while working on a case.
import t from 'tap';
import { CONFORMANCE_FLAVOURS, flavourSkipReason, startConformanceCluster } from './harness.js';
import type { KubectlCase } from './kubectl-cases/context.js';
import { CREATE_ERROR_CASES } from './kubectl-cases/create-errors.js';
import { DELETE_CASES } from './kubectl-cases/delete.js';
import { MUTATE_CASES } from './kubectl-cases/mutate.js';
import { READ_CASES } from './kubectl-cases/read.js';
import { WATCH_DESCRIBE_CASES } from './kubectl-cases/watch-describe.js';

const CASES: readonly KubectlCase[] = [...READ_CASES, ...WATCH_DESCRIBE_CASES, ...MUTATE_CASES, ...DELETE_CASES, ...CREATE_ERROR_CASES];

/** A case that takes longer than this is stuck (a kubectl waiting on a watch that never ends). */
const CASE_TIMEOUT_MS = 120_000;

/**
 * The whole file: two clusters, one after the other, and a few hundred kubectl runs. tap's
 * default per-file limit (300 s) is too tight for that on a loaded two-core machine.
 */
const FILE_TIMEOUT_MS = 600_000;
t.setTimeout(FILE_TIMEOUT_MS);

const only = process.env.FLOTILLA_CONFORMANCE_FLAVOURS?.split(',');

for (const flavour of CONFORMANCE_FLAVOURS) {
  const skip = flavourSkipReason(flavour) ?? (only && !only.includes(flavour) ? `FLOTILLA_CONFORMANCE_FLAVOURS=${only.join(',')}` : undefined);
  void t.test(`kubectl against Flotilla on the ${flavour === 'builtin' ? 'built-in store' : 'etcd store'}`, { skip: skip ?? false }, async (t) => {
    const startedAt = Date.now();
    const cluster = await startConformanceCluster(t, flavour);
    t.comment(`${flavour}: ${cluster.apiUrls.length} API servers serving after ${Date.now() - startedAt} ms`);
    for (const c of CASES) await t.test(c.name, { timeout: CASE_TIMEOUT_MS }, (tt) => c.run(tt, cluster));
  });
}
