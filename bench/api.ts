import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { readCpuTimes, stealPercent } from './cpu-steal.js';
import { ApiBenchClient } from './api-client.js';
import type { ApiBenchTarget } from './api-client.js';
import { PodListLoad } from './api-list.js';
import type { ListPhaseResult } from './api-list.js';
import { ConfigMapLoad } from './api-mutations.js';
import type { UpdatePhaseResult } from './api-mutations.js';
import { createBenchNamespace, deleteBenchNamespace, waitNamespacesGone } from './api-namespace.js';
import type { OpenLoopResult } from './api-open-loop.js';
import { runWatchPhase } from './api-watch.js';
import type { WatchPhaseResult } from './api-watch.js';

/** The phases in the order they run, whatever order they were asked for in. */
export const API_BENCH_PHASES = ['create', 'get', 'update', 'patch', 'delete', 'list', 'watch'] as const;
export type ApiBenchPhase = (typeof API_BENCH_PHASES)[number];

/** Objects get, update and patch cycle over when the create phase did not run. */
export const API_BENCH_DEFAULT_POOL = 1_000;

export interface ApiBenchOptions {
  readonly target: ApiBenchTarget;
  /** Requests per second of the create/get/update/patch/delete phases. */
  readonly ratePerS: number;
  /** Seconds each of those phases, and the watch phase, lasts. */
  readonly durationS: number;
  readonly listPods: number;
  readonly watchers: number;
  /** Changes per second of the watch phase. */
  readonly watchRatePerS: number;
  readonly phases: readonly ApiBenchPhase[];
  /** Aborting stops the running phase early and skips the rest; cleanup still runs. */
  readonly signal?: AbortSignal;
  /** Progress lines (the command sends them to stderr). */
  readonly log?: (line: string) => void;
}

export interface ApiBenchCleanup {
  /** Every namespace of the run, and so everything in it, is gone. */
  readonly ok: boolean;
  readonly seconds: number;
  /**
   * Steps that failed: deleting a collection or a namespace. With `ok` they did no harm (the
   * namespace controller finished the job), but they say the cluster was still struggling.
   */
  readonly failures: readonly string[];
  /**
   * Failed deletes of single pods: not failures, since deleting their namespace removes them
   * too, but worth knowing (they say the cluster was still struggling).
   */
  readonly notes: readonly string[];
  /** Namespaces still there when cleanup stopped waiting for the namespace controller. */
  readonly namespacesLeft: readonly string[];
}

export interface ApiBenchReport {
  /** Names the run's namespaces (`bench-api-RUNID`, …) and labels its objects. */
  readonly runId: string;
  readonly servers: number;
  readonly ratePerS: number;
  readonly durationS: number;
  /** 1-minute load average of this machine before and after the run. */
  readonly load1Before: number;
  readonly load1After: number;
  /** The host's CPU steal over the run, in percent, where /proc/stat says (Linux). */
  readonly cpuStealPercent?: number;
  readonly create?: OpenLoopResult;
  readonly get?: OpenLoopResult;
  readonly update?: UpdatePhaseResult;
  readonly patch?: OpenLoopResult;
  readonly delete?: OpenLoopResult;
  readonly list?: ListPhaseResult;
  readonly watch?: WatchPhaseResult;
  /** Phases that could not run to the end, with the reason. */
  readonly failedPhases: Readonly<Partial<Record<ApiBenchPhase, string>>>;
  readonly cleanup: ApiBenchCleanup;
}

type MutablePhaseResults = { -readonly [K in 'create' | 'get' | 'update' | 'patch' | 'delete' | 'list' | 'watch']?: ApiBenchReport[K] };

/**
 * Runs the asked-for phases against every API server of the target, each phase in a namespace
 * of its own made for the run, and deletes those namespaces and what is in them at the end,
 * whether the phases succeeded or not.
 */
export async function runApiBench(o: ApiBenchOptions): Promise<ApiBenchReport> {
  const log = o.log ?? ((): void => undefined);
  const runId = randomBytes(3).toString('hex');
  const client = new ApiBenchClient(o.target);
  const load1Before = loadavg()[0] ?? 0;
  const cpuBefore = readCpuTimes();
  const results: MutablePhaseResults = {};
  const failedPhases: Partial<Record<ApiBenchPhase, string>> = {};
  const namespaces: string[] = [];
  const wanted = new Set(o.phases);
  const count = Math.max(1, Math.round(o.ratePerS * o.durationS));
  const phase = { ratePerS: o.ratePerS, count, ...(o.signal ? { signal: o.signal } : {}) };
  let podLoad: PodListLoad | undefined;

  const namespace = async (prefix: string): Promise<string> => {
    const name = `bench-${prefix}-${runId}`;
    // Listed before it is asked for: a create that times out may still have happened.
    namespaces.push(name);
    await createBenchNamespace(client, name, runId);
    return name;
  };
  const attempt = async (p: ApiBenchPhase, body: () => Promise<void>): Promise<void> => {
    if (!wanted.has(p) || o.signal?.aborted) return;
    log(`bench api: ${p}…`);
    try {
      await body();
    } catch (err) {
      failedPhases[p] = err instanceof Error ? err.message : String(err);
      log(`bench api: ${p} failed: ${failedPhases[p]}`);
    }
  };

  let configMaps: Promise<ConfigMapLoad> | undefined;
  const cms = (): Promise<ConfigMapLoad> => (configMaps ??= namespace('api').then((ns) => new ConfigMapLoad(client, ns, runId)));
  const pool = Math.min(count, API_BENCH_DEFAULT_POOL);

  let cleanup: ApiBenchCleanup;
  try {
    log(`bench api: run ${runId} against ${client.serverCount} API server(s)`);
    await client.warmUp();
    await attempt('create', async () => {
      results.create = await (await cms()).create(phase);
    });
    await attempt('get', async () => {
      await (await cms()).ensure(pool, o.signal);
      results.get = await (await cms()).get(phase);
    });
    await attempt('update', async () => {
      await (await cms()).ensure(pool, o.signal);
      results.update = await (await cms()).update(phase);
    });
    await attempt('patch', async () => {
      await (await cms()).ensure(pool, o.signal);
      results.patch = await (await cms()).patch(phase);
    });
    await attempt('delete', async () => {
      await (await cms()).ensure(count, o.signal);
      results.delete = await (await cms()).delete(phase);
    });
    await attempt('list', async () => {
      podLoad = new PodListLoad(client, await namespace('list'), runId);
      results.list = await podLoad.run({ pods: o.listPods, ...(o.signal ? { signal: o.signal } : {}) });
    });
    await attempt('watch', async () => {
      results.watch = await runWatchPhase(client, await namespace('watch'), runId, {
        watchers: o.watchers,
        ratePerS: o.watchRatePerS,
        changes: Math.max(1, Math.round(o.watchRatePerS * o.durationS)),
        ...(o.signal ? { signal: o.signal } : {}),
      });
    });
  } finally {
    cleanup = await cleanUp(client, namespaces, podLoad, log);
    client.close();
  }
  const cpuStealPercent = stealPercent(cpuBefore, readCpuTimes());
  return {
    runId,
    servers: client.serverCount,
    ratePerS: o.ratePerS,
    durationS: o.durationS,
    load1Before,
    load1After: loadavg()[0] ?? 0,
    ...(cpuStealPercent !== undefined ? { cpuStealPercent } : {}),
    ...results,
    failedPhases,
    cleanup,
  };
}

async function cleanUp(client: ApiBenchClient, namespaces: readonly string[], podLoad: PodListLoad | undefined, log: (line: string) => void): Promise<ApiBenchCleanup> {
  const t0 = performance.now();
  const failures: string[] = [];
  const notes: string[] = [];
  if (namespaces.length === 0) return { ok: true, seconds: 0, failures, notes, namespacesLeft: [] };
  log(`bench api: cleaning up ${namespaces.join(', ')}…`);
  if (podLoad) {
    // Many deletes in parallel are faster than the server's one-by-one delete of a collection.
    const r = await podLoad.deletePods();
    if (r.errors > 0) notes.push(`${r.errors} pods could not be deleted one by one: ${r.firstError ?? ''}`);
  }
  for (const ns of namespaces) failures.push(...(await deleteBenchNamespace(client, ns)));
  const namespacesLeft = await waitNamespacesGone(client, namespaces);
  const seconds = Math.round((performance.now() - t0) / 10) / 100;
  return { ok: namespacesLeft.length === 0, seconds, failures, notes, namespacesLeft };
}
