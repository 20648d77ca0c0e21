/**
 * Leases for objects with a TTL (Events), shared the way kube's etcd3 leaseManager shares them:
 * one lease per window of creations instead of one lease per object. A lease is granted with a
 * little extra TTL (the reuse window) and reused while it expires no earlier than the requested
 * TTL and no later than TTL + window, for at most LEASE_MAX_ATTACHED_OBJECTS objects. An object
 * may so live up to the window longer than asked, never shorter.
 */
import type { StorageClock } from './clock.js';

/** The longest reuse window (kube's leaseReuseDurationSeconds default). */
export const LEASE_REUSE_WINDOW_SECONDS_MAX = 60;
/** The reuse window as a share of the TTL, below the maximum (kube's leaseReuseDurationPercent). */
export const LEASE_REUSE_WINDOW_FRACTION = 0.05;
/** Objects attached to one lease at most (kube's leaseMaxAttachedObjectCount default). */
export const LEASE_MAX_ATTACHED_OBJECTS = 1000;

export class StorageLeaseManager {
  private prevLeaseId = 0;
  private prevLeaseExpiresAtMs = 0;
  private attachedObjects = 0;
  /** Grants run one at a time, so that concurrent creations share the lease they produce. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly clock: StorageClock,
    private readonly grant: (ttlSeconds: number) => Promise<number>,
  ) {}

  /** A lease id under which an object lives at least `ttlSeconds`. */
  lease(ttlSeconds: number): Promise<number> {
    const next = this.chain.then(() => this.leaseNow(Math.max(1, Math.ceil(ttlSeconds))));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async leaseNow(ttlSeconds: number): Promise<number> {
    const nowMs = this.clock.nowMs();
    const windowSeconds = Math.min(LEASE_REUSE_WINDOW_SECONDS_MAX, Math.floor(ttlSeconds * LEASE_REUSE_WINDOW_FRACTION));
    const longEnough = nowMs + ttlSeconds * 1000 < this.prevLeaseExpiresAtMs;
    // kube compares with >, which refuses reuse within one clock tick; >= still bounds the extra life by the window.
    const notTooLong = nowMs + (ttlSeconds + windowSeconds) * 1000 >= this.prevLeaseExpiresAtMs;
    this.attachedObjects++;
    if (this.prevLeaseId !== 0 && longEnough && notTooLong && this.attachedObjects <= LEASE_MAX_ATTACHED_OBJECTS) return this.prevLeaseId;
    const grantedTtlSeconds = ttlSeconds + windowSeconds;
    const id = await this.grant(grantedTtlSeconds);
    this.prevLeaseId = id;
    this.prevLeaseExpiresAtMs = nowMs + grantedTtlSeconds * 1000;
    this.attachedObjects = 1;
    return id;
  }
}
