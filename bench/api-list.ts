import type { ApiBenchClient, ApiBenchResponse } from './api-client.js';
import { statusErrorOf } from './api-client.js';
import { BENCH_RUN_LABEL } from './api-namespace.js';
import { runBounded } from './api-open-loop.js';
import type { OpenLoopResult } from './api-open-loop.js';
import { ApiLatencyRecorder } from './api-stats.js';
import type { ApiLatencySummary } from './api-stats.js';

/** Creates (and deletes) in flight at once while filling the namespace with pods. */
export const LIST_SETUP_CONCURRENCY = 64;
/** Full lists measured, one after the other. */
export const LIST_RUNS = 10;
/** Paged walks (limit=LIST_PAGE_LIMIT, following `continue`) measured. */
export const LIST_PAGED_RUNS = 3;
export const LIST_PAGE_LIMIT = 500;
/** A paged walk that has not ended after this many pages is broken, not slow. */
const MAX_PAGES = 100_000;
/** The schedulerName of the listed pods: one no scheduler answers to, so they stay Pending, untouched. */
const LIST_POD_SCHEDULER = 'flotilla-bench-unscheduled';

export interface ListPhaseOptions {
  readonly pods: number;
  readonly signal?: AbortSignal;
}

export interface PagedListSummary extends ApiLatencySummary {
  readonly limit: number;
  /** Pages of the last walk. */
  readonly pages: number;
}

export interface ListPhaseResult extends ApiLatencySummary {
  /** Pods asked for (--list-pods). */
  readonly requestedPods: number;
  /** Pods the namespace held while it was listed (fewer when creates failed). */
  readonly pods: number;
  /** Bytes of one full list response. */
  readonly bytes: number;
  readonly paged: PagedListSummary;
  /** Filling the namespace (closed loop, LIST_SETUP_CONCURRENCY in flight). */
  readonly setup: OpenLoopResult;
  /** The message of the first failed list, to say why there were errors. */
  readonly firstError?: string;
}

interface PodList {
  readonly items?: readonly { readonly metadata?: { readonly name?: string } }[];
  readonly metadata?: { readonly continue?: string };
}

/**
 * The list benchmark: fills a namespace with `pods` pods, then times full JSON lists of it (from
 * sending the request to the last byte of the response, parsing not included) and walks with
 * limit/continue paging (total time of a walk). A list that does not return every pod is an error.
 */
export class PodListLoad {
  private created: string[] = [];

  constructor(
    private readonly client: ApiBenchClient,
    readonly namespace: string,
    private readonly runId: string,
  ) {}

  private podPath(name = ''): string {
    return `/api/v1/namespaces/${this.namespace}/pods${name === '' ? '' : `/${name}`}`;
  }

  async run(o: ListPhaseOptions): Promise<ListPhaseResult> {
    const setup = await runBounded(
      o.pods,
      LIST_SETUP_CONCURRENCY,
      async (i) => {
        const name = `bench-pod-${i}`;
        await this.client.requestJson('POST', this.podPath(), [201], { body: this.pod(name) });
        this.created.push(name);
      },
      o.signal,
    );
    if (setup.errors > 0) {
      // A create that failed with a timeout or a 503 may still have happened: the namespace,
      // not this process, says how many pods there are (and which, for the cleanup).
      const items = (await this.client.requestJson<PodList>('GET', this.podPath(), [200])).items ?? [];
      this.created = items.map((p) => p.metadata?.name ?? '').filter((n) => n !== '');
    }
    const expected = this.created.length;
    const full = new ApiLatencyRecorder();
    let bytes = 0;
    let firstError: string | undefined;
    const fail = (err: unknown): void => {
      full.errors++;
      firstError ??= err instanceof Error ? err.message : String(err);
    };
    // Each answer is checked only after the last timed list: parsing 13 MB of JSON into 10,000
    // objects leaves this process a garbage collection to do, which would otherwise land inside
    // the next list's timing (a client-side pause, not the server's latency).
    const answers: { readonly ms: number; readonly res: ApiBenchResponse }[] = [];
    for (let r = 0; r < LIST_RUNS && !o.signal?.aborted; r++) {
      try {
        const t0 = performance.now();
        const res = await this.client.request('GET', this.podPath());
        answers.push({ ms: performance.now() - t0, res });
      } catch (err) {
        fail(err);
      }
    }
    for (const { ms, res } of answers) {
      try {
        if (res.status !== 200) throw statusErrorOf('GET', this.podPath(), res);
        const items = (JSON.parse(res.body.toString('utf8')) as PodList).items?.length ?? 0;
        if (items !== expected) throw new Error(`a list returned ${items} pods, not ${expected}`);
        full.record(ms);
        bytes = res.body.length;
      } catch (err) {
        fail(err);
      }
    }
    answers.length = 0;
    const paged = new ApiLatencyRecorder();
    let pages = 0;
    for (let r = 0; r < LIST_PAGED_RUNS && !o.signal?.aborted; r++) {
      try {
        const t0 = performance.now();
        const walk = await this.walkPages();
        paged.record(performance.now() - t0);
        pages = walk.pages;
        if (walk.items !== expected) throw new Error(`a paged walk returned ${walk.items} pods, not ${expected}`);
      } catch (err) {
        paged.errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
    return {
      ...full.summary(),
      requestedPods: o.pods,
      pods: expected,
      bytes,
      paged: { ...paged.summary(), limit: LIST_PAGE_LIMIT, pages },
      setup,
      ...(firstError !== undefined ? { firstError } : {}),
    };
  }

  /** Time spent parsing pages is part of a walk: a client must read `continue` before it asks again. */
  private async walkPages(): Promise<{ pages: number; items: number }> {
    let cont = '';
    let items = 0;
    for (let pages = 1; pages <= MAX_PAGES; pages++) {
      const path = `${this.podPath()}?limit=${LIST_PAGE_LIMIT}${cont === '' ? '' : `&continue=${encodeURIComponent(cont)}`}`;
      const page = await this.client.requestJson<PodList>('GET', path, [200]);
      items += page.items?.length ?? 0;
      cont = page.metadata?.continue ?? '';
      if (cont === '') return { pages, items };
    }
    throw new Error(`a paged list did not end after ${MAX_PAGES} pages`);
  }

  /** Deletes every pod this load created (no grace period), LIST_SETUP_CONCURRENCY at a time. */
  async deletePods(): Promise<OpenLoopResult> {
    const names = this.created.splice(0);
    return runBounded(names.length, LIST_SETUP_CONCURRENCY, async (i) => {
      const path = `${this.podPath(names[i]!)}?gracePeriodSeconds=0`;
      const res = await this.client.request('DELETE', path);
      if (res.status !== 200 && res.status !== 404) throw statusErrorOf('DELETE', path, res);
    });
  }

  /** A pod of typical size: one container with ports, requests, env and a few labels. */
  private pod(name: string): unknown {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { [BENCH_RUN_LABEL]: this.runId, app: 'bench-list', tier: 'backend' } },
      spec: {
        // No scheduler acts on them: on a cluster without workers the default scheduler would give
        // each of the 10,000 pods a FailedScheduling status and Event, writes the lists would race.
        schedulerName: LIST_POD_SCHEDULER,
        containers: [
          {
            name: 'app',
            image: 'registry.k8s.io/pause:3.10',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
            env: [
              { name: 'BENCH_RUN', value: this.runId },
              { name: 'POD_NAME', value: name },
            ],
          },
        ],
      },
    };
  }
}
