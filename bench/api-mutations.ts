import type { ApiBenchClient } from './api-client.js';
import { statusErrorOf } from './api-client.js';
import { BENCH_RUN_LABEL } from './api-namespace.js';
import { runBounded, runOpenLoop } from './api-open-loop.js';
import type { OpenLoopResult } from './api-open-loop.js';

/** Bytes of filler data in each ConfigMap, so objects are not trivially small. */
export const CONFIGMAP_PAYLOAD_BYTES = 256;
/** Attempts of one update (PUT with resourceVersion) before a run of 409s counts as an error. */
export const MAX_UPDATE_ATTEMPTS = 5;
/** Concurrency of setup creates when a phase needs objects the create phase did not make. */
const SETUP_CONCURRENCY = 32;

const PAYLOAD = 'x'.repeat(CONFIGMAP_PAYLOAD_BYTES);

export interface UpdatePhaseResult extends OpenLoopResult {
  /** 409 Conflict answers that were retried (after a GET of the current object). */
  readonly conflicts: number;
}

interface ObjectMeta {
  readonly metadata?: { readonly resourceVersion?: string };
}

export interface LoadPhaseOptions {
  readonly ratePerS: number;
  readonly count: number;
  readonly signal?: AbortSignal;
}

/**
 * Open-loop create/get/update/patch/delete of ConfigMaps in one namespace. It keeps the set of
 * objects that exist and the last resourceVersion it saw of each, which the update phase sends
 * as its precondition, as a client with an informer cache would.
 */
export class ConfigMapLoad {
  /** Names of objects this load created and has not deleted, in creation order. */
  private live: string[] = [];
  private readonly resourceVersions = new Map<string, string>();
  private nextName = 0;

  constructor(
    private readonly client: ApiBenchClient,
    readonly namespace: string,
    private readonly runId: string,
  ) {}

  get size(): number {
    return this.live.length;
  }

  private path(name = ''): string {
    return `/api/v1/namespaces/${this.namespace}/configmaps${name === '' ? '' : `/${name}`}`;
  }

  private async createOne(seq: number): Promise<void> {
    const name = `bench-cm-${this.nextName++}`;
    const created = await this.client.requestJson<ObjectMeta>('POST', this.path(), [201], {
      body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { [BENCH_RUN_LABEL]: this.runId } }, data: { seq: String(seq), payload: PAYLOAD } },
    });
    this.resourceVersions.set(name, created.metadata?.resourceVersion ?? '');
    this.live.push(name);
  }

  create(o: LoadPhaseOptions): Promise<OpenLoopResult> {
    return runOpenLoop(o, (i) => this.createOne(i));
  }

  /** Creates objects (closed loop, not measured) until at least `count` exist. */
  async ensure(count: number, signal?: AbortSignal): Promise<void> {
    const missing = count - this.live.length;
    if (missing <= 0) return;
    const r = await runBounded(missing, SETUP_CONCURRENCY, (i) => this.createOne(i), signal);
    if (r.errors > 0) throw new Error(`could not create ${r.errors} of ${missing} ConfigMaps for the benchmark: ${r.firstError ?? ''}`);
  }

  private pick(i: number): string {
    if (this.live.length === 0) throw new RangeError('no ConfigMaps to work on');
    return this.live[i % this.live.length]!;
  }

  get(o: LoadPhaseOptions): Promise<OpenLoopResult> {
    return runOpenLoop(o, async (i) => {
      await this.client.requestJson('GET', this.path(this.pick(i)), [200]);
    });
  }

  async update(o: LoadPhaseOptions): Promise<UpdatePhaseResult> {
    let conflicts = 0;
    const r = await runOpenLoop(o, async (i) => {
      const name = this.pick(i);
      for (let attempt = 1; ; attempt++) {
        const body = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, namespace: this.namespace, resourceVersion: this.resourceVersions.get(name) ?? '', labels: { [BENCH_RUN_LABEL]: this.runId } },
          data: { seq: String(i), payload: PAYLOAD },
        };
        const res = await this.client.request('PUT', this.path(name), { body });
        if (res.status === 200) {
          this.resourceVersions.set(name, (JSON.parse(res.body.toString('utf8')) as ObjectMeta).metadata?.resourceVersion ?? '');
          return;
        }
        if (res.status !== 409 || attempt >= MAX_UPDATE_ATTEMPTS) throw statusErrorOf('PUT', this.path(name), res);
        conflicts++;
        const current = await this.client.requestJson<ObjectMeta>('GET', this.path(name), [200]);
        this.resourceVersions.set(name, current.metadata?.resourceVersion ?? '');
      }
    });
    return { ...r, conflicts };
  }

  patch(o: LoadPhaseOptions): Promise<OpenLoopResult> {
    return runOpenLoop(o, async (i) => {
      const name = this.pick(i);
      const patched = await this.client.requestJson<ObjectMeta>('PATCH', this.path(name), [200], {
        body: { data: { seq: String(i) } },
        contentType: 'application/strategic-merge-patch+json',
      });
      this.resourceVersions.set(name, patched.metadata?.resourceVersion ?? '');
    });
  }

  /** Deletes up to `count` objects, oldest first; what is deleted leaves the live set. */
  async delete(o: LoadPhaseOptions): Promise<OpenLoopResult> {
    const victims = this.live.slice(0, o.count);
    try {
      return await runOpenLoop({ ...o, count: victims.length }, async (i) => {
        const name = victims[i]!;
        const res = await this.client.request('DELETE', this.path(name));
        if (res.status !== 200) throw statusErrorOf('DELETE', this.path(name), res);
        this.resourceVersions.delete(name);
      });
    } finally {
      this.live = this.live.filter((n) => this.resourceVersions.has(n));
    }
  }
}
