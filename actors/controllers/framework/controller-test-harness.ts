// ControllerTestHarness: runs controllers (real ControllerManager, real actors, real informers)
// against an InMemoryResourceClient on a ManualClock and a seeded Random, so a controller test is
// deterministic in everything but the interleaving of event-loop turns, which the harness drains
// until the controllers are idle. For controller authors' convergence tests:
//
//   const h = new ControllerTestHarness({ controllers: [myController], seed: 7,
//     faults: { dropProbability: 0.2, duplicateProbability: 0.1, reorderProbability: 0.2 } });
//   await h.start();
//   await h.store.create(...);           // write the world directly to the store
//   await h.advance(30_000);             // time passes; reconciles run, requeues come due
//   await h.restart();                   // the controller manager restarts midway
//   await h.heal();                      // liveness phase: no more faults, informers relist
//   t.ok(await h.runUntil(() => converged(), { maxMs: 10 * 60_000 }), `seed ${seed}`);
//   await h.stop();                      // always (t.teardown)
//
// - `store` is the truth; `client` (what the controllers use) wraps it with watch faults:
//   dropped, duplicated and reordered events. A dropped event leaves an informer's cache stale
//   until the next relist (a restart, `heal`, or `client.expireWatches()`), so a controller has
//   converged only if it reaches the goal after that.
// - `settle()` runs event-loop turns (and fires timers due now) until every controller has no key
//   ready or in flight; it never moves the clock. `advance(ms)` moves the clock in steps, stopping
//   at every delayed requeue's due time, and settles after each step.
// - Events recorded by controllers land in `events` (a RecordingEventRecorder).

import { Registry } from 'prom-client';
import type { Random } from '../../../core/index.js';
import { InMemoryResourceClient, SeededRandom, formatRfc3339 } from '../../../core/index.js';
import { RecordingEventRecorder } from '../../events/recording-event-recorder.js';
import type { ActorLogger } from '../../runtime/index.js';
import { ActorSystem, ManualClock } from '../../runtime/index.js';
import type { ControllerStatus } from './controller-actor.js';
import type { ControllerDefinition } from './controller-contract.js';
import { ControllerManager } from './controller-manager.js';
import type { WatchFaultOptions } from './fault-injecting-client.js';
import { FaultInjectingResourceClient } from './fault-injecting-client.js';

/** Event-loop turns `settle` runs before giving up (no wall-clock limit; a livelock fails loudly). */
export const HARNESS_MAX_SETTLE_TURNS = 200_000;
/** Longest single clock step of `advance` (default), so periodic timers fire in order of due time. */
export const HARNESS_DEFAULT_STEP_MS = 1_000;
/** Log entries the harness keeps (the oldest are dropped). */
export const HARNESS_MAX_LOG_ENTRIES = 10_000;
/** The harness clock's start: 2023-11-14T22:13:20Z, so timestamps look like real ones. */
export const HARNESS_START_MS = 1_700_000_000_000;

export interface ControllerTestHarnessOptions {
  readonly controllers: readonly ControllerDefinition[];
  /** Default 1; printed by tests on failure so a run can be reproduced. */
  readonly seed?: number;
  readonly faults?: WatchFaultOptions;
  readonly store?: InMemoryResourceClient;
  readonly settings?: Readonly<Record<string, number>>;
  readonly resyncPeriodMs?: number;
  readonly shards?: number;
  readonly reconcilerIdleMs?: number;
  /** Default: entries are kept in `logs`. */
  readonly logger?: ActorLogger;
}

export interface HarnessLogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

export class ControllerTestHarness {
  readonly clock: ManualClock;
  readonly random: Random;
  readonly store: InMemoryResourceClient;
  readonly client: FaultInjectingResourceClient;
  readonly events = new RecordingEventRecorder();
  readonly registry = new Registry();
  readonly system: ActorSystem;
  readonly logs: HarnessLogEntry[] = [];
  private readonly options: ControllerTestHarnessOptions;
  private readonly logger: ActorLogger;
  private managerNow: ControllerManager | undefined;

  constructor(options: ControllerTestHarnessOptions) {
    this.options = options;
    this.clock = new ManualClock(HARNESS_START_MS);
    const seed = options.seed ?? 1;
    this.random = new SeededRandom(seed);
    this.store = options.store ?? new InMemoryResourceClient({ now: () => formatRfc3339(this.clock.now()) });
    this.client = new FaultInjectingResourceClient(this.store, new SeededRandom(seed ^ 0x5bd1e995), options.faults ?? {});
    const keep = (level: HarnessLogEntry['level']) => (msg: string, fields: Record<string, unknown> = {}): void => {
      this.logs.push({ level, msg, fields });
      if (this.logs.length > HARNESS_MAX_LOG_ENTRIES) this.logs.shift();
    };
    this.logger = options.logger ?? { info: keep('info'), warn: keep('warn'), error: keep('error') };
    this.system = new ActorSystem({ name: 'harness', clock: this.clock, random: this.random, logger: this.logger, registry: this.registry });
  }

  /** The manager of the current run (after `start`). */
  get manager(): ControllerManager {
    if (this.managerNow === undefined) throw new RangeError('ControllerTestHarness: not started');
    return this.managerNow;
  }

  /** Starts the controllers (informers synced first) and settles. */
  async start(): Promise<void> {
    if (this.managerNow !== undefined) return;
    const o = this.options;
    this.managerNow = new ControllerManager({
      client: this.client,
      controllers: o.controllers,
      clock: this.clock,
      random: this.random,
      system: this.system,
      events: this.events,
      registry: this.registry,
      logger: this.logger,
      ...(o.settings === undefined ? {} : { settings: o.settings }),
      ...(o.resyncPeriodMs === undefined ? {} : { resyncPeriodMs: o.resyncPeriodMs }),
      ...(o.shards === undefined ? {} : { shards: o.shards }),
      ...(o.reconcilerIdleMs === undefined ? {} : { reconcilerIdleMs: o.reconcilerIdleMs }),
    });
    await this.managerNow.start();
    await this.settle();
  }

  /** Stops the controllers (reconciles in flight finish) and starts fresh ones: new informers, new queues. */
  async restart(): Promise<void> {
    await this.managerNow?.stop();
    this.managerNow = undefined;
    await this.start();
  }

  /** Stops the controllers and the actor system. Final. */
  async stop(): Promise<void> {
    await this.managerNow?.stop();
    this.managerNow = undefined;
    await this.system.shutdown();
  }

  /** Ends the safety phase: no more watch faults, and every informer relists (repairing its cache). */
  async heal(): Promise<void> {
    this.client.enabled = false;
    this.client.expireWatches();
    await this.settle();
  }

  /** The queue status of every running controller. */
  async statuses(): Promise<ControllerStatus[]> {
    const manager = this.managerNow;
    if (manager === undefined || !manager.controllersStarted) return [];
    return Promise.all(this.options.controllers.map((c) => manager.status(c.name)));
  }

  /** Runs event-loop turns until no controller has a key ready or in flight. Never moves the clock. */
  async settle(): Promise<void> {
    let idleChecks = 0;
    for (let turn = 0; turn < HARNESS_MAX_SETTLE_TURNS; turn++) {
      this.clock.advance(0);
      await nextTurn();
      if (turn % 4 !== 3) continue;
      const statuses = await this.statuses();
      const idle = statuses.every((s) => s.ready === 0 && s.processing === 0);
      idleChecks = idle ? idleChecks + 1 : 0;
      if (idleChecks >= 2) return;
    }
    throw new Error(`ControllerTestHarness: controllers still busy after ${HARNESS_MAX_SETTLE_TURNS} event-loop turns (livelock?)`);
  }

  /**
   * Moves the clock forward by `ms`, in steps of at most `stepMs` that also stop at every
   * controller's next delayed requeue, settling after each.
   */
  async advance(ms: number, stepMs = HARNESS_DEFAULT_STEP_MS): Promise<void> {
    const targetMs = this.clock.now() + ms;
    await this.settle();
    while (this.clock.now() < targetMs) {
      let nextMs = Math.min(targetMs, this.clock.now() + stepMs);
      for (const s of await this.statuses()) if (s.nextDueMs !== undefined && s.nextDueMs > this.clock.now()) nextMs = Math.min(nextMs, s.nextDueMs);
      this.clock.advance(nextMs - this.clock.now());
      await this.settle();
    }
  }

  /** Advances time until `done()` holds (checked after each step); false if `maxMs` passes first. */
  async runUntil(done: () => boolean | Promise<boolean>, options: { readonly maxMs: number; readonly stepMs?: number }): Promise<boolean> {
    const stepMs = options.stepMs ?? HARNESS_DEFAULT_STEP_MS;
    const deadlineMs = this.clock.now() + options.maxMs;
    await this.settle();
    for (;;) {
      if (await done()) return true;
      if (this.clock.now() >= deadlineMs) return false;
      await this.advance(Math.min(stepMs, deadlineMs - this.clock.now()), stepMs);
    }
  }
}

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}
