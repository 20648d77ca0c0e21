/** Shared set-up of the watch cache tests: CachedStorage over a spied InMemoryStorage on a manual clock. */
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { CachedStorageOptions } from '../../../actors/index.js';
import { CachedStorage } from '../../../actors/index.js';
import type { StorageObject, StorageWatchOptions } from '../../../core/index.js';
import { InMemoryStorage, ManualStorageClock } from '../../../core/index.js';
import { settle, WatchRecorder } from '../storage/watch-recorder.js';
import { SpyStorage } from './spy-storage.js';

export const WAIT_MS = 2_000;

export interface Fixture {
  readonly clock: ManualStorageClock;
  readonly spy: SpyStorage;
  readonly storage: CachedStorage;
  readonly registry: Registry;
}

export function setup(t: Test, options: Partial<CachedStorageOptions> = {}): Fixture {
  const clock = new ManualStorageClock(0);
  const spy = new SpyStorage(new InMemoryStorage({ clock, watchMaxPendingEvents: 100_000 }));
  const registry = new Registry();
  const storage = new CachedStorage(spy, { scheduler: clock, registry, ...options });
  t.teardown(() => storage.close());
  return { clock, spy, storage, registry };
}

export function pod(namespace: string, name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): StorageObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, uid: `uid-${namespace}-${name}`, labels }, spec };
}

export function podKey(namespace: string, name: string): string {
  return `/registry/pods/${namespace}/${name}`;
}

export function rvOf(o: StorageObject): number {
  return Number((o.metadata as { resourceVersion?: string }).resourceVersion);
}

export function nameOf(o: StorageObject): string {
  return String((o.metadata as { name?: unknown }).name);
}

export type Watcher = WatchRecorder & { stop(): void; pause(): void; resume(): void };

export async function watch(t: Test, fx: Fixture, key: string, options: StorageWatchOptions): Promise<Watcher> {
  const w = new WatchRecorder(WAIT_MS);
  const handle = await fx.storage.watch(key, options, w.onEvent, w.onError);
  t.teardown(() => handle.stop());
  return Object.assign(w, { stop: () => handle.stop(), pause: () => handle.pause(), resume: () => handle.resume() });
}

/** [type, name] of each event. */
export function brief(events: readonly { type: string; object: StorageObject }[]): [string, string][] {
  return events.map((e) => [e.type, e.type === 'BOOKMARK' || e.type === 'ERROR' ? '' : nameOf(e.object)]);
}

export { settle };
