// The informer's store: objects by namespace/name key, plus secondary indexes (client-go's
// ThreadSafeStore with Indexers). Single-threaded JavaScript needs no locks; the invariant is that
// every index is exactly what its function yields for the stored objects.

import type { ResourceObject } from './object.js';
import { metaNamespaceKey } from './object.js';

/** The index values of an object (an object may sit under several values, or none). */
export type ObjectIndexFunc<T extends ResourceObject = ResourceObject> = (object: T) => readonly string[];

export type ObjectIndexers<T extends ResourceObject = ResourceObject> = Readonly<Record<string, ObjectIndexFunc<T>>>;

/**
 * Thrown by ObjectCache.byIndex / indexKeys for an index that was never registered: always a
 * caller's bug (a typo in the index name), never a state of the cluster.
 */
export class UnknownObjectIndexError extends Error {
  override readonly name = 'UnknownObjectIndexError';
  constructor(readonly indexName: string) {
    super(`no index named ${JSON.stringify(indexName)}`);
  }
}

/** Read access to a cache; what controllers are handed. Objects are shared: do not mutate them. */
export interface ObjectCacheReader<T extends ResourceObject = ResourceObject> {
  readonly size: number;
  /** The object under `key` (`namespace/name`, or `name` for cluster-scoped). */
  get(key: string): T | undefined;
  list(): T[];
  listKeys(): string[];
  /** Objects whose index `indexName` yields `value`. */
  byIndex(indexName: string, value: string): T[];
  /** Keys of the objects whose index `indexName` yields `value`. */
  indexKeys(indexName: string, value: string): string[];
  /** The values index `indexName` currently holds objects under. */
  indexValues(indexName: string): string[];
}

export class ObjectCache<T extends ResourceObject = ResourceObject> implements ObjectCacheReader<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, ObjectIndexFunc<T>>();
  /** indexName → value → keys. Invariant: no empty key sets are kept. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: ObjectIndexers<T> = {}) {
    this.addIndexers(indexers);
  }

  get size(): number {
    return this.items.size;
  }

  /**
   * Adds indexes, built over the objects already stored. Re-registering a name with another
   * function replaces it; with the same function it is a no-op (controllers ask for their
   * informer, with its indexers, on every sync: rebuilding each time made a 1,000-pod scale-up
   * spend a fifth of the controller master's CPU re-indexing pods).
   */
  addIndexers(indexers: ObjectIndexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.get(name) === fn) continue;
      this.indexers.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, object] of this.items) addToIndex(index, fn(object), key);
    }
  }

  hasIndex(indexName: string): boolean {
    return this.indexers.has(indexName);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  /** Stores `object` under its key; returns the object it replaced. */
  upsert(object: T): T | undefined {
    const key = metaNamespaceKey(object);
    const old = this.items.get(key);
    this.items.set(key, object);
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      if (old !== undefined) removeFromIndex(index, fn(old), key);
      addToIndex(index, fn(object), key);
    }
    return old;
  }

  /** Removes the object under `key`; returns it. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (old === undefined) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.indexers) removeFromIndex(this.indices.get(name)!, fn(old), key);
    return old;
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((key) => this.items.get(key)!);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (index === undefined) throw new UnknownObjectIndexError(indexName);
    return [...(index.get(value) ?? [])];
  }

  indexValues(indexName: string): string[] {
    const index = this.indices.get(indexName);
    if (index === undefined) throw new UnknownObjectIndexError(indexName);
    return [...index.keys()];
  }
}

function addToIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    let keys = index.get(value);
    if (keys === undefined) {
      keys = new Set();
      index.set(value, keys);
    }
    keys.add(key);
  }
}

function removeFromIndex(index: Map<string, Set<string>>, values: readonly string[], key: string): void {
  for (const value of values) {
    const keys = index.get(value);
    if (keys === undefined) continue;
    keys.delete(key);
    if (keys.size === 0) index.delete(value);
  }
}

/** Index name and function: objects by metadata.namespace (client-go's NamespaceIndex). */
export const NAMESPACE_INDEX = 'namespace';
export function indexByNamespace(object: ResourceObject): readonly string[] {
  const namespace = object.metadata?.namespace;
  return namespace === undefined || namespace === '' ? [] : [namespace];
}

/** Index name and function: objects by the uid of each owner reference. */
export const OWNER_UID_INDEX = 'ownerUid';
export function indexByOwnerUid(object: ResourceObject): readonly string[] {
  const out: string[] = [];
  for (const owner of object.metadata?.ownerReferences ?? []) if (owner.uid !== undefined && owner.uid !== '') out.push(owner.uid);
  return out;
}

/** Index name and function: pods by spec.nodeName (unscheduled pods are not indexed). */
export const NODE_NAME_INDEX = 'nodeName';
export function indexByNodeName(object: ResourceObject): readonly string[] {
  const spec = object['spec'];
  if (typeof spec !== 'object' || spec === null) return [];
  const nodeName = (spec as Record<string, unknown>)['nodeName'];
  return typeof nodeName === 'string' && nodeName !== '' ? [nodeName] : [];
}
