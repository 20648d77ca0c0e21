import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiBenchClient } from './api-client.js';
import { statusErrorOf } from './api-client.js';

/** The label on every namespace and object `bench api` makes; its value is the run id. */
export const BENCH_RUN_LABEL = 'bench.flotilla.io/run';

/** How long cleanup waits for the namespace controller to remove the run's namespaces. */
export const BENCH_NAMESPACE_GONE_TIMEOUT_MS = 60_000;
/** Deleting a collection of thousands of objects takes one store write each. */
const DELETE_COLLECTION_TIMEOUT_MS = 300_000;
const NAMESPACE_POLL_MS = 250;

/** Creates a namespace labelled with the run id; a 409 (left from a run with the same id) is an error. */
export async function createBenchNamespace(client: ApiBenchClient, name: string, runId: string): Promise<void> {
  await client.requestJson('POST', '/api/v1/namespaces', [201], {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [BENCH_RUN_LABEL]: runId } } },
  });
}

/**
 * Deletes what the run left in a namespace (ConfigMaps and Pods, pods with no grace period), then
 * the namespace itself. Every step is tried even when an earlier one failed; the failures are
 * returned, not thrown, so cleanup of the other namespaces still runs.
 */
export async function deleteBenchNamespace(client: ApiBenchClient, name: string): Promise<string[]> {
  const failures: string[] = [];
  for (const resource of ['configmaps', 'pods']) {
    const path = `/api/v1/namespaces/${name}/${resource}?gracePeriodSeconds=0`;
    await client
      .request('DELETE', path, { timeoutMs: DELETE_COLLECTION_TIMEOUT_MS })
      .then((res) => {
        if (res.status !== 200 && res.status !== 404) failures.push(statusErrorOf('DELETE', path, res).message);
      })
      .catch((err: unknown) => failures.push(messageOf(err)));
  }
  const nsPath = `/api/v1/namespaces/${name}`;
  await client
    .request('DELETE', nsPath)
    .then((res) => {
      if (res.status !== 200 && res.status !== 202 && res.status !== 404) failures.push(statusErrorOf('DELETE', nsPath, res).message);
    })
    .catch((err: unknown) => failures.push(messageOf(err)));
  return failures;
}

/** Waits until none of `names` exists any more; returns those still there at the deadline. */
export async function waitNamespacesGone(client: ApiBenchClient, names: readonly string[], timeoutMs = BENCH_NAMESPACE_GONE_TIMEOUT_MS): Promise<string[]> {
  const deadline = performance.now() + timeoutMs;
  let remaining = [...names];
  for (;;) {
    const still: string[] = [];
    for (const n of remaining) {
      const res = await client.request('GET', `/api/v1/namespaces/${n}`).catch(() => undefined);
      if (res?.status !== 404) still.push(n);
    }
    remaining = still;
    if (remaining.length === 0 || performance.now() > deadline) return remaining;
    await sleep(NAMESPACE_POLL_MS);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
