/**
 * Values derived from objects, by the objects' identity, for the last `capacity` objects in the
 * order they were first seen: what is made once from a shared, frozen object (a watch event's
 * JSON line, its encoded bytes) for everyone who receives that same object within moments.
 */
export class BoundedIdentityCache<K extends object, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`BoundedIdentityCache: capacity must be a positive integer, got ${capacity}`);
  }

  /** The value kept for `key`, else `make()`'s, kept (dropping the oldest key past capacity). */
  getOrMake(key: K, make: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = make();
      this.entries.set(key, value);
      if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
