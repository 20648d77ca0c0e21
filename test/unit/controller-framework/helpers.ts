// Shared by the controller framework tests: a toy "ConfigMap mirror" controller, a gated
// reconciler whose reconciles the test finishes by hand, and turn-counting waits.
import type { Registry } from 'prom-client';
import type { ConfigMap } from '../../../core/index.js';
import { isAlreadyExists, isNotFound } from '../../../core/index.js';
import type { ControllerDefinition, ReconcileRequest, ReconcileResult } from '../../../actors/index.js';

export const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' } as const;

export function configMap(namespace: string, name: string, data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name }, data };
}

/** Runs event-loop turns until `cond()` holds; throws after `maxTurns` (no wall-clock limit). */
export async function until(what: string, cond: () => boolean, maxTurns = 5_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (cond()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`not reached after ${maxTurns} event-loop turns: ${what}`);
}

export async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** The value of one sample line of a registry's exposition, e.g. `name{label="x"}`. */
export async function sample(registry: Registry, series: string): Promise<number | undefined> {
  for (const line of (await registry.metrics()).split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** What every reconcile of a test controller saw; checks "never twice at once" as it goes. */
export class ReconcileTrace {
  readonly calls: { key: string; atMs: number }[] = [];
  readonly inFlight = new Set<string>();
  maxInFlight = 0;
  overlaps = 0;

  begin(request: ReconcileRequest, atMs: number): string {
    const key = `${request.namespace}/${request.name}`;
    if (this.inFlight.has(key)) this.overlaps++;
    this.inFlight.add(key);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
    this.calls.push({ key, atMs });
    return key;
  }

  end(key: string): void {
    this.inFlight.delete(key);
  }

  callsOf(key: string): number[] {
    return this.calls.filter((c) => c.key === key).map((c) => c.atMs);
  }
}

/**
 * A controller over ConfigMaps whose reconcile is `behave(request, callNumberOfKey)`; the trace
 * records each call at the injected clock's time.
 */
export function scriptedController(
  name: string,
  trace: ReconcileTrace,
  behave: (request: ReconcileRequest, call: number) => Promise<ReconcileResult | void> | ReconcileResult | void,
  concurrency?: number,
): ControllerDefinition {
  return {
    name,
    primary: CONFIGMAPS,
    watches: [],
    ...(concurrency === undefined ? {} : { concurrency }),
    makeReconciler: (context) => ({
      async reconcile(request) {
        const key = trace.begin(request, context.clock.now());
        try {
          return await behave(request, trace.callsOf(key).length);
        } finally {
          trace.end(key);
        }
      },
    }),
  };
}

/**
 * The toy controller: every ConfigMap in namespace `src` is mirrored (same name, same data) into
 * namespace `dst`, and mirrors without a source are deleted. Reads only from the informer cache,
 * so stale caches make it fail (AlreadyExists, Conflict) and retry, as real controllers do.
 */
export function mirrorController(trace: ReconcileTrace): ControllerDefinition {
  return {
    name: 'configmap-mirror',
    primary: CONFIGMAPS,
    watches: [
      {
        resource: CONFIGMAPS,
        mapToRequests: (object) => (object.metadata?.namespace === 'dst' ? [{ namespace: 'src', name: object.metadata.name ?? '' }] : []),
      },
    ],
    concurrency: 3,
    makeReconciler: (context) => {
      const informer = context.informers.informerFor<ConfigMap>(CONFIGMAPS);
      return {
        async reconcile(request) {
          if (request.namespace !== 'src') return;
          const key = trace.begin(request, context.clock.now());
          try {
            const source = informer.get('src', request.name);
            const mirror = informer.get('dst', request.name);
            if (source === undefined) {
              if (mirror !== undefined) {
                await context.client.delete({ ...CONFIGMAPS, namespace: 'dst', name: request.name }).catch((err: unknown) => {
                  if (!isNotFound(err)) throw err;
                });
              }
              return;
            }
            if (mirror === undefined) {
              await context.client.create(CONFIGMAPS, configMap('dst', request.name, source.data ?? {})).catch((err: unknown) => {
                // The cache is behind: fail, so the key is retried once it has caught up.
                if (isAlreadyExists(err)) throw new Error(`mirror of ${request.name} exists but is not cached yet`);
                throw err;
              });
              context.events.record(source, 'Normal', 'Mirrored', `created dst/${request.name}`);
            } else if (JSON.stringify(mirror.data ?? {}) !== JSON.stringify(source.data ?? {})) {
              await context.client.update(CONFIGMAPS, { ...mirror, data: source.data ?? {} });
            }
          } finally {
            trace.end(key);
          }
        },
      };
    },
  };
}
