// SharedInformerFactory: one informer per (resource, namespace, selectors) per process, so every
// controller reading pods shares a single list+watch and a single cache.

import type { Random } from '../random.js';
import type { ClientBackoffPolicy } from './backoff.js';
import type { ClientClock } from './clock.js';
import type { InformerErrorHandler } from './informer-types.js';
import type { SharedInformerOptions } from './informer.js';
import { SharedInformer } from './informer.js';
import type { ObjectIndexers } from './object-cache.js';
import type { GroupVersionResource, ResourceObject } from './object.js';
import { groupVersionResourceKey } from './object.js';
import type { ResourceClient } from './resource-client.js';

export interface SharedInformerFactoryOptions {
  readonly client: ResourceClient;
  readonly clock: ClientClock;
  readonly random: Random;
  /** Resync period of informers that do not set their own; 0 (default) never. */
  readonly defaultResyncPeriodMs?: number;
  readonly listPageSize?: number;
  readonly maxObjectsPerInformer?: number;
  readonly backoff?: ClientBackoffPolicy;
  /** Receives every informer's errors, with the resource they came from. */
  readonly onError?: (resource: GroupVersionResource, ...args: Parameters<InformerErrorHandler>) => void;
}

export interface InformerForOptions<T extends ResourceObject = ResourceObject> {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Only applies when this call creates the informer. */
  readonly resyncPeriodMs?: number;
  /** Added to the informer, whether this call creates it or not. */
  readonly indexers?: ObjectIndexers<T>;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer>();
  private started = false;
  private stopped = false;

  constructor(private readonly options: SharedInformerFactoryOptions) {}

  /**
   * The informer for `resource` with these scope options, created on first use. Once the factory
   * is started, informers created later start at once.
   */
  informerFor<T extends ResourceObject = ResourceObject>(resource: GroupVersionResource, options: InformerForOptions<T> = {}): SharedInformer<T> {
    const key = [groupVersionResourceKey(resource), options.namespace ?? '', options.labelSelector ?? '', options.fieldSelector ?? ''].join('\u0000');
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (informer === undefined) {
      const f = this.options;
      const onError = f.onError;
      const informerOptions: SharedInformerOptions<T> = {
        client: f.client,
        resource,
        clock: f.clock,
        random: f.random,
        ...scope(options),
        resyncPeriodMs: options.resyncPeriodMs ?? f.defaultResyncPeriodMs ?? 0,
        ...(f.listPageSize === undefined ? {} : { listPageSize: f.listPageSize }),
        ...(f.maxObjectsPerInformer === undefined ? {} : { maxObjects: f.maxObjectsPerInformer }),
        ...(f.backoff === undefined ? {} : { backoff: f.backoff }),
        ...(onError === undefined ? {} : { onError: (err, source) => onError(resource, err, source) }),
      };
      informer = new SharedInformer<T>(informerOptions);
      this.informers.set(key, informer as unknown as SharedInformer);
      if (this.started && !this.stopped) informer.start();
    }
    if (options.indexers !== undefined) informer.addIndexers(options.indexers);
    return informer;
  }

  /** Starts every informer created so far, and every one created from now on. */
  start(): void {
    if (this.stopped) return;
    this.started = true;
    for (const informer of this.informers.values()) informer.start();
  }

  /** Resolves when every informer created so far has synced; rejects if one is stopped first. */
  async waitForCacheSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((informer) => informer.waitForSync()));
  }

  /** Stops every informer. Final. */
  stop(): void {
    this.stopped = true;
    for (const informer of this.informers.values()) informer.stop();
  }
}

function scope(options: Pick<InformerForOptions, 'namespace' | 'labelSelector' | 'fieldSelector'>): Pick<SharedInformerOptions, 'namespace' | 'labelSelector' | 'fieldSelector'> {
  const out: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {};
  if (options.namespace !== undefined && options.namespace !== '') out.namespace = options.namespace;
  if (options.labelSelector !== undefined && options.labelSelector !== '') out.labelSelector = options.labelSelector;
  if (options.fieldSelector !== undefined && options.fieldSelector !== '') out.fieldSelector = options.fieldSelector;
  return out;
}
