// The actor tree as the cells see it: what a system shares with its actors, and what a parent
// and a child know of each other. Types only, so cell.ts, context.ts and system.ts can share them.
import type { Ref as NactRef } from 'nact';
import type { Random } from '../../core/index.js';
import type { Clock } from '../../raft/index.js';
import type { DeadLetterOffice } from './dead-letters.js';
import type { ActorLifecycle, StopOptions } from './definition.js';
import type { ActorLogger } from './logger.js';
import type { ActorMetrics } from './metrics.js';
import type { ActorAddress } from './ref.js';

/** Shared by every actor of one system. */
export interface ActorSystemServices {
  /**
   * The nact system every cell's nact actor hangs from, flat: the tree of parents and children
   * is kept by the cells, not by nact, because nact copies an actor's child map on every message
   * it handles (10,000 children: ~1,500 msgs/s). Flat, no nact actor has children to copy.
   */
  readonly nactRoot: NactRef<unknown>;
  /** A name unique within the nact system (nact keys its flat child map by it). */
  nextNactName(): string;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: ActorLogger;
  readonly metrics: ActorMetrics;
  readonly deadLetters: DeadLetterOffice;
}

/** The supervising side of an actor: its parent actor, or the system for top-level actors. */
export interface ActorParent {
  readonly path: string;
  childStopped(child: ChildCell): void;
  /** The child's budget is spent; it stays suspended until its parent (or an ancestor) stops it. */
  childEscalated(child: ChildCell, cause: unknown): void;
}

/** An actor as its parent sees it. */
export interface ChildCell extends ActorAddress {
  readonly ref: ActorAddress;
  readonly lifecycle: ActorLifecycle;
  stop(options?: StopOptions): Promise<void>;
  isIdleFor(idleMs: number): boolean;
}
