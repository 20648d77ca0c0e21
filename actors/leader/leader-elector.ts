// Leader election over a coordination.k8s.io/v1 Lease, with client-go's algorithm
// (tools/leaderelection): candidates poll the lease every retry period (jittered); one whose
// holder has not changed the lease for a whole lease duration — by the candidate's own
// observation, never by comparing the lease's renewTime with its clock — may take it, with
// optimistic concurrency (a 409 means another candidate won the race). The leader renews every
// retry period, with one write over the lease it last wrote (client-go's fast path; a 409 sends it
// back to read-then-write), and steps down when it has not renewed for the renew deadline.
//
// Safety: the leader's deadline runs from the *start* of its last successful renew, and another
// candidate's lease duration from when it *saw* that renew (later), so with
// renewDeadline < leaseDuration the old leader has signalled onStoppedLeading before anyone else
// can take the lease (on a shared clock; across hosts, up to the clock-rate difference).

import type { Lease, Random, ResourceClient, ResourceObjectRef } from '../../core/index.js';
import { formatRfc3339Micro, isAlreadyExists, isConflict, isNotFound } from '../../core/index.js';
import type { Clock, TimerHandle } from '../../raft/index.js';
import type { ActorLogger } from '../runtime/index.js';

export const LEASES_RESOURCE = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;
/** Namespace of the components' leases (kube-scheduler, kube-controller-manager). */
export const LEADER_LEASE_NAMESPACE = 'kube-system';
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;
/** A candidate's retry delay is retryPeriod × (1 + U[0, JITTER_FACTOR)), as client-go's. */
export const LEADER_ELECTION_JITTER_FACTOR = 1.2;

export interface LeaderElectorOptions {
  readonly client: ResourceClient;
  readonly clock: Clock;
  readonly random: Random;
  /** The lease's name: `kube-scheduler`, `kube-controller-manager`. */
  readonly leaseName: string;
  /** Default LEADER_LEASE_NAMESPACE. */
  readonly leaseNamespace?: string;
  /** Unique per candidate process (kube uses `<hostname>_<uuid>`). */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Clear the holder on `stop()` so another candidate takes over at once. Default true. */
  readonly releaseOnStop?: boolean;
  readonly logger?: ActorLogger;
}

export interface LeaderCallbacks {
  /** This candidate now holds the lease: start acting. */
  onStartedLeading(): void;
  /** This candidate may no longer hold the lease: stop acting at once. */
  onStoppedLeading(): void;
  /** The holder this candidate observed changed (its own identity included; '' when released). */
  onNewLeader?(identity: string): void;
}

type Phase = 'new' | 'candidate' | 'leading' | 'stopped';

export class LeaderElector {
  readonly identity: string;
  private readonly client: ResourceClient;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly ref: ResourceObjectRef;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnStop: boolean;
  private readonly logger: ActorLogger | undefined;
  private callbacks: LeaderCallbacks | undefined;
  private phase: Phase = 'new';
  /** The lease as last read or written, and when its spec last changed by our observation. */
  private observed: Lease | undefined;
  private observedSpecText = '';
  private observedAtMs = 0;
  private observedHolder: string | undefined;
  private retryTimer: TimerHandle | undefined;
  private deadlineTimer: TimerHandle | undefined;
  /** The attempt in flight, if any: attempts never overlap. */
  private attempt: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.client = options.client;
    this.clock = options.clock;
    this.random = options.random;
    this.identity = options.identity;
    this.ref = { ...LEASES_RESOURCE, namespace: options.leaseNamespace ?? LEADER_LEASE_NAMESPACE, name: options.leaseName };
    this.leaseDurationMs = options.leaseDurationMs ?? DEFAULT_LEASE_DURATION_MS;
    this.renewDeadlineMs = options.renewDeadlineMs ?? DEFAULT_RENEW_DEADLINE_MS;
    this.retryPeriodMs = options.retryPeriodMs ?? DEFAULT_RETRY_PERIOD_MS;
    this.releaseOnStop = options.releaseOnStop ?? true;
    this.logger = options.logger;
    if (options.identity === '') throw new RangeError('leader election: identity must be non-empty');
    if (!(this.retryPeriodMs > 0)) throw new RangeError('leader election: retryPeriodMs must be > 0');
    if (!(this.leaseDurationMs > this.renewDeadlineMs)) throw new RangeError('leader election: leaseDurationMs must be greater than renewDeadlineMs');
    if (!(this.renewDeadlineMs > LEADER_ELECTION_JITTER_FACTOR * this.retryPeriodMs)) {
      throw new RangeError(`leader election: renewDeadlineMs must be greater than retryPeriodMs × ${LEADER_ELECTION_JITTER_FACTOR}`);
    }
  }

  get isLeader(): boolean {
    return this.phase === 'leading';
  }

  /** The holder of the lease as last observed ('' when released, undefined before any read). */
  get observedLeader(): string | undefined {
    return this.observedHolder;
  }

  /** Starts competing for the lease; the first attempt is immediate. Once only. */
  start(callbacks: LeaderCallbacks): void {
    if (this.phase !== 'new') throw new RangeError('leader election: start may be called once');
    this.callbacks = callbacks;
    this.phase = 'candidate';
    this.tick();
  }

  /**
   * Stops competing. A leader first signals onStoppedLeading, then (releaseOnStop) clears the
   * lease's holder, after any attempt in flight, so a candidate may take over at once. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.phase === 'stopped') return;
    const wasLeading = this.phase === 'leading';
    this.phase = 'stopped';
    this.retryTimer?.cancel();
    this.deadlineTimer?.cancel();
    if (wasLeading) this.signal((c) => c.onStoppedLeading());
    await this.attempt;
    if (this.releaseOnStop) await this.release();
  }

  // ---- The loop ----

  /** One attempt now, unless one is in flight; then the next after the retry period. */
  private tick(): void {
    if (this.phase !== 'candidate' && this.phase !== 'leading') return;
    if (this.attempt !== undefined) return;
    const startedAtMs = this.clock.now();
    this.attempt = this.tryAcquireOrRenew().then(
      (held) => this.afterAttempt(held, startedAtMs),
      (err: unknown) => {
        this.logger?.warn('leader election attempt failed', { lease: this.ref.name, identity: this.identity, ...errorFields(err) });
        this.afterAttempt(false, startedAtMs);
      },
    ).finally(() => {
      this.attempt = undefined;
    });
  }

  private afterAttempt(held: boolean, startedAtMs: number): void {
    if (this.phase === 'stopped') return;
    if (held) {
      this.armDeadline(startedAtMs);
      if (this.phase === 'candidate') {
        this.phase = 'leading';
        this.logger?.info('started leading', { lease: this.ref.name, identity: this.identity });
        this.signal((c) => c.onStartedLeading());
      }
    } else if (this.phase === 'leading' && this.observedHolder !== this.identity) {
      // Someone else holds it now: waiting out the deadline would only risk two leaders.
      this.stepDown('lease taken by another holder');
    }
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.phase === 'stopped') return;
    this.retryTimer?.cancel();
    const delayMs = this.phase === 'leading'
      ? this.retryPeriodMs
      : this.retryPeriodMs * (1 + this.random.next() * LEADER_ELECTION_JITTER_FACTOR);
    this.retryTimer = this.clock.setTimeout(() => this.tick(), delayMs);
  }

  /** The leader steps down unless a renew that starts before `startedAtMs + renewDeadlineMs` succeeds. */
  private armDeadline(startedAtMs: number): void {
    this.deadlineTimer?.cancel();
    const remainingMs = startedAtMs + this.renewDeadlineMs - this.clock.now();
    this.deadlineTimer = this.clock.setTimeout(() => this.stepDown('failed to renew within the renew deadline'), Math.max(0, remainingMs));
  }

  private stepDown(why: string): void {
    if (this.phase !== 'leading') return;
    this.phase = 'candidate';
    this.deadlineTimer?.cancel();
    this.logger?.warn('stopped leading', { lease: this.ref.name, identity: this.identity, reason: why });
    this.signal((c) => c.onStoppedLeading());
  }

  // ---- The lease ----

  /** client-go's tryAcquireOrRenew: true when this candidate holds the lease after the attempt. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const renewed = await this.tryRenewOptimistically();
    if (renewed) return true;
    let current: Lease;
    try {
      current = await this.client.get<Lease>(this.ref);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      return this.create();
    }
    const nowMs = this.clock.now();
    this.observe(current, nowMs);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== this.identity && this.observedAtMs + this.leaseDurationMs > nowMs) return false;
    const renewing = holder === this.identity;
    const stamp = formatRfc3339Micro(nowMs);
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: renewing && spec.acquireTime !== undefined ? spec.acquireTime : stamp,
        renewTime: stamp,
        leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing ? 0 : 1),
      },
    };
    try {
      const written = await this.client.update<Lease>(LEASES_RESOURCE, next);
      this.observe(written, this.clock.now());
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /**
   * client-go's fast path: a leader whose lease is still valid by its own observation writes the
   * renewal straight over the lease it last wrote (its resourceVersion is the precondition),
   * skipping the read, so a renewal is one store write instead of a quorum read and a write.
   * False (take the slow path: read, then decide) when not leading or when the lease changed
   * underneath (409) or vanished (404); other errors fail the attempt as the slow path's would.
   */
  private async tryRenewOptimistically(): Promise<boolean> {
    const lease = this.observed;
    const nowMs = this.clock.now();
    if (this.phase !== 'leading' || lease === undefined || lease.spec?.holderIdentity !== this.identity) return false;
    if (this.observedAtMs + this.leaseDurationMs <= nowMs) return false;
    const next: Lease = {
      ...lease,
      spec: {
        ...lease.spec,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        renewTime: formatRfc3339Micro(nowMs),
      },
    };
    try {
      this.observe(await this.client.update<Lease>(LEASES_RESOURCE, next), this.clock.now());
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  private async create(): Promise<boolean> {
    const stamp = formatRfc3339Micro(this.clock.now());
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.ref.name, namespace: this.ref.namespace ?? LEADER_LEASE_NAMESPACE },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: 0,
      },
    };
    try {
      const created = await this.client.create<Lease>(LEASES_RESOURCE, lease);
      this.observe(created, this.clock.now());
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw err;
    }
  }

  /** Clears the holder if we still hold the lease as we last saw it (a 409 means we do not). */
  private async release(): Promise<void> {
    const lease = this.observed;
    if (lease === undefined || lease.spec?.holderIdentity !== this.identity) return;
    const stamp = formatRfc3339Micro(this.clock.now());
    const released: Lease = {
      ...lease,
      spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp },
    };
    try {
      this.observe(await this.client.update<Lease>(LEASES_RESOURCE, released), this.clock.now());
      this.logger?.info('released lease', { lease: this.ref.name, identity: this.identity });
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) this.logger?.warn('failed to release lease', { lease: this.ref.name, identity: this.identity, ...errorFields(err) });
    }
  }

  private observe(lease: Lease, nowMs: number): void {
    this.observed = lease;
    const specText = JSON.stringify(lease.spec ?? {});
    if (specText !== this.observedSpecText) {
      this.observedSpecText = specText;
      this.observedAtMs = nowMs;
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder !== this.observedHolder) {
      this.observedHolder = holder;
      if (this.phase !== 'stopped') this.signal((c) => c.onNewLeader?.(holder));
    }
  }

  private signal(call: (callbacks: LeaderCallbacks) => void): void {
    const callbacks = this.callbacks;
    if (callbacks === undefined) return;
    try {
      call(callbacks);
    } catch (err) {
      this.logger?.error('leader election callback threw', { lease: this.ref.name, identity: this.identity, ...errorFields(err) });
    }
  }
}

function errorFields(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.message, errorName: error.name } : { error: String(error) };
}
