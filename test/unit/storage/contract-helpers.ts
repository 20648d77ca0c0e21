/** What the contract suite needs of an implementation, and the helpers its tests share. */
import type { Storage, StorageObject } from '../../../core/index.js';

export interface StorageFixture {
  readonly storage: Storage;
  /**
   * Lets `ms` pass on the storage's clock. In memory it moves the manual clock (bookmark timers
   * fire, leases expire); against a real store, whose clock runs by itself, it sleeps.
   */
  elapse(ms: number): Promise<void>;
  /** The bookmark interval the storage was built with. */
  readonly bookmarkIntervalMs: number;
  /** The storage's watchMaxPendingEvents (small, so that the overflow test stays small). */
  readonly watchMaxPendingEvents: number;
  /** How long a test waits for an event before it fails (a hang guard, not a timing assertion). */
  readonly waitMs: number;
}

let scopes = 0;

/** A key prefix no other test uses. */
export function freshScope(): string {
  scopes++;
  return `/registry/contract-${String(scopes).padStart(4, "0")}`;
}

/** A Pod-shaped object. */
export function podObject(name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): StorageObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels }, spec };
}

/** metadata.resourceVersion as a number. */
export function rvOf(o: StorageObject): number {
  const rv = (o.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  if (typeof rv !== 'string' || !/^[1-9][0-9]*$/.test(rv)) throw new Error(`no resourceVersion in ${JSON.stringify(o)}`);
  return Number(rv);
}

export function nameOf(o: StorageObject): string {
  return String((o.metadata as { name?: unknown } | undefined)?.name);
}

export function labelsOf(o: StorageObject): Record<string, string> {
  return ((o.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {});
}

export function specOf(o: StorageObject): Record<string, unknown> {
  return (o.spec ?? {}) as Record<string, unknown>;
}

/** The object without metadata.resourceVersion, to compare with what was written. */
export function withoutRv(o: StorageObject): StorageObject {
  const { resourceVersion: _rv, ...metadata } = (o.metadata ?? {}) as Record<string, unknown>;
  return { ...o, metadata };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
