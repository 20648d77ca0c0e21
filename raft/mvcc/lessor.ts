import { assert } from '../../core/index.js';
import { LeaseExistsError, LeaseNotFoundError, LeaseTTLTooLargeError } from './errors.js';
import { MAX_LEASE_TTL_SECONDS } from './limits.js';

/** One lease. `ttlSeconds` and `keys` are replicated state; `expiryMs` is the leader's bookkeeping. */
export interface Lease {
  readonly id: number;
  /** Granted TTL after raising it to the minimum. */
  readonly ttlSeconds: number;
  /** Attached keys (latin1 strings of the key bytes). */
  readonly keys: Set<string>;
  /** When the lease expires, on the leader's clock; Infinity on a follower (it never expires leases). */
  expiryMs: number;
  /** While a reported expiry awaits its revoke: when to report it again. */
  retryAtMs: number;
}

export interface LeaseTimeToLive {
  readonly id: number;
  /** Remaining whole seconds; -1 once expired. On a follower, the granted TTL. */
  readonly ttlSeconds: number;
  readonly grantedTtlSeconds: number;
  /** Attached keys, in byte order (latin1 strings). */
  readonly keys: string[];
}

export interface LessorOptions {
  /**
   * Smallest TTL granted; shorter requests are raised to it. etcd: ⌈1.5 × election timeout⌉ in
   * seconds. Must be equal on every member: it is part of the applied state.
   */
  readonly minTtlSeconds: number;
  /** The leader's clock (ms), read only when granting on the leader. */
  readonly now: () => number;
  readonly maxExpiredPerCall: number;
  readonly expiredRetryMs: number;
}

/**
 * Leases (etcd's lessor). Grants, revokes and key attachment are applied through Raft and are the
 * same on every member; expiry is tracked only while `primary` (the leader), on an injected
 * clock, and acted on by the caller proposing revokes — so apply stays deterministic.
 */
export class Lessor {
  private readonly leases = new Map<number, Lease>();
  private primary = false;

  constructor(private readonly options: LessorOptions) {
    assert(options.minTtlSeconds >= 1, 'lessor: minTtlSeconds must be >= 1');
  }

  get isPrimary(): boolean {
    return this.primary;
  }

  get size(): number {
    return this.leases.size;
  }

  lookup(id: number): Lease | undefined {
    return this.leases.get(id);
  }

  /** Lease ids, ascending. */
  ids(): number[] {
    return [...this.leases.keys()].sort((a, b) => a - b);
  }

  /**
   * Creates a lease (etcd's Grant). Throws LeaseExistsError for an id in use,
   * LeaseTTLTooLargeError past MAX_LEASE_TTL_SECONDS, LeaseNotFoundError for id 0 (etcd's
   * answer to "no lease").
   */
  grant(id: number, ttlSeconds: number): Lease {
    this.checkGrant(id, ttlSeconds);
    return this.insert(id, ttlSeconds);
  }

  /** The checks of grant, without granting. */
  checkGrant(id: number, ttlSeconds: number): void {
    assert(Number.isSafeInteger(id) && id >= 0, () => `lessor: lease id ${id} is not a non-negative safe integer`);
    if (id === 0) throw new LeaseNotFoundError();
    if (ttlSeconds > MAX_LEASE_TTL_SECONDS) throw new LeaseTTLTooLargeError();
    if (this.leases.has(id)) throw new LeaseExistsError();
  }

  /** Re-creates a persisted lease (load, restore): no checks, no expiry until promoted. */
  insert(id: number, ttlSeconds: number): Lease {
    const ttl = Math.max(Math.floor(ttlSeconds), this.options.minTtlSeconds);
    const lease: Lease = { id, ttlSeconds: ttl, keys: new Set(), expiryMs: Infinity, retryAtMs: 0 };
    if (this.primary) lease.expiryMs = this.options.now() + ttl * 1000;
    this.leases.set(id, lease);
    return lease;
  }

  /** Removes the lease; its keys (returned in byte order) are the caller's to delete. */
  revoke(id: number): string[] {
    const lease = this.leases.get(id);
    if (lease === undefined) throw new LeaseNotFoundError();
    this.leases.delete(id);
    return [...lease.keys].sort();
  }

  attach(id: number, key: string): void {
    const lease = this.leases.get(id);
    assert(lease !== undefined, () => `lessor: attach to unknown lease ${id}`);
    lease.keys.add(key);
  }

  detach(id: number, key: string): void {
    this.leases.get(id)?.keys.delete(key);
  }

  clear(): void {
    this.leases.clear();
  }

  // ---- The leader's bookkeeping ----

  /** Becomes the leader's lessor: every lease gets a fresh TTL from nowMs (+ extendMs). */
  promote(nowMs: number, extendMs = 0): void {
    this.primary = true;
    for (const lease of this.leases.values()) {
      lease.expiryMs = nowMs + extendMs + lease.ttlSeconds * 1000;
      lease.retryAtMs = 0;
    }
  }

  /** Stops tracking expiry (leadership lost). */
  demote(): void {
    this.primary = false;
    for (const lease of this.leases.values()) lease.expiryMs = Infinity;
  }

  /**
   * Keep-alive: the lease's expiry becomes nowMs + TTL; returns the TTL. Throws
   * LeaseNotFoundError when the lease is unknown or already expired (its revoke is on its way).
   * Only the leader renews.
   */
  renew(id: number, nowMs: number): number {
    assert(this.primary, 'lessor: renew on a lessor that is not primary (only the leader renews)');
    const lease = this.leases.get(id);
    if (lease === undefined || lease.expiryMs <= nowMs) throw new LeaseNotFoundError();
    lease.expiryMs = nowMs + lease.ttlSeconds * 1000;
    lease.retryAtMs = 0;
    return lease.ttlSeconds;
  }

  /**
   * Leases expired at nowMs, for the leader to revoke through Raft: earliest expiry first, at most
   * `maxExpiredPerCall`. A reported lease is reported again only after `expiredRetryMs` (in case
   * its revoke was lost). Empty on a follower.
   */
  expired(nowMs: number): number[] {
    if (!this.primary) return [];
    const due: Lease[] = [];
    for (const lease of this.leases.values()) {
      if (lease.expiryMs <= nowMs && lease.retryAtMs <= nowMs) due.push(lease);
    }
    due.sort((a, b) => a.expiryMs - b.expiryMs || a.id - b.id);
    const out = due.slice(0, this.options.maxExpiredPerCall);
    for (const lease of out) lease.retryAtMs = nowMs + this.options.expiredRetryMs;
    return out.map((l) => l.id);
  }

  /** etcd's LeaseTimeToLive; undefined for an unknown lease. */
  timeToLive(id: number, nowMs: number): LeaseTimeToLive | undefined {
    const lease = this.leases.get(id);
    if (lease === undefined) return undefined;
    let ttl = lease.ttlSeconds;
    if (this.primary) {
      const remainingMs = lease.expiryMs - nowMs;
      ttl = remainingMs > 0 ? Math.floor(remainingMs / 1000) : -1;
    }
    return { id, ttlSeconds: ttl, grantedTtlSeconds: lease.ttlSeconds, keys: [...lease.keys].sort() };
  }
}
