// A manual clock, a fixed random source and object builders shared by the client tests.
import type { ClientClock, ClientTimerHandle, Random, ResourceObject } from '../../../core/index.js';
import { DeletedFinalStateUnknown } from '../../../core/index.js';

interface Timer {
  readonly id: number;
  readonly dueMs: number;
  readonly fn: () => void;
}

/** Time that moves only in advance(); timers fire in due order inside it. */
export class TestClock implements ClientClock {
  private nowMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): ClientTimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.nowMs + Math.max(0, ms), fn });
    return { cancel: () => void this.timers.delete(id) };
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Delays of pending timers from now, ascending. */
  pendingDelaysMs(): number[] {
    return [...this.timers.values()].map((t) => t.dueMs - this.nowMs).sort((a, b) => a - b);
  }

  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers.values()) if (t.dueMs <= target && (next === undefined || t.dueMs < next.dueMs || (t.dueMs === next.dueMs && t.id < next.id))) next = t;
      if (next === undefined) break;
      this.timers.delete(next.id);
      this.nowMs = next.dueMs;
      next.fn();
    }
    this.nowMs = target;
  }
}

/** Randomness pinned to one value: jitter becomes predictable. */
export function fixedRandom(value = 0): Random {
  return { next: () => value, int: (n) => Math.floor(value * n) };
}

/** Lets queued microtasks and promise callbacks run (the in-memory client delivers on microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
export const DEPLOYMENTS = { group: 'apps', version: 'v1', resource: 'deployments' } as const;

export function pod(namespace: string, name: string, extra: { labels?: Record<string, string>; nodeName?: string; ownerUid?: string; finalizers?: string[] } = {}): ResourceObject {
  const metadata: NonNullable<ResourceObject['metadata']> = { name, namespace };
  if (extra.labels !== undefined) metadata.labels = extra.labels;
  if (extra.ownerUid !== undefined) metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: extra.ownerUid, controller: true }];
  if (extra.finalizers !== undefined) metadata.finalizers = extra.finalizers;
  const spec: Record<string, unknown> = { containers: [{ name: 'c', image: 'busybox' }] };
  if (extra.nodeName !== undefined) spec['nodeName'] = extra.nodeName;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** Records every handler call as text, for compact assertions. */
export class HandlerLog {
  readonly entries: string[] = [];
  readonly handler = {
    onAdd: (o: ResourceObject, initial: boolean) => this.entries.push(`add ${key(o)}${initial ? ' (initial)' : ''}`),
    onUpdate: (a: ResourceObject, b: ResourceObject) => this.entries.push(a === b ? `resync ${key(b)}` : `update ${key(b)} ${a.metadata?.resourceVersion ?? ''}->${b.metadata?.resourceVersion ?? ''}`),
    onDelete: (o: ResourceObject | DeletedFinalStateUnknown) => this.entries.push(o instanceof DeletedFinalStateUnknown ? `tombstone ${o.key}` : `delete ${key(o)}`),
  };

  take(): string[] {
    return this.entries.splice(0);
  }
}

function key(o: ResourceObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
