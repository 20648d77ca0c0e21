import type { Clock } from '../../raft/index.js';
import type { ActorLogger } from './logger.js';
import type { ActorMetrics } from './metrics.js';
import type { LateReplySink } from './reply.js';

/**
 * Why a message was never handled:
 * - `stopped`: sent to an actor that had stopped (or was still queued when it stopped);
 * - `stopping`: sent to an actor that had stopped accepting messages (graceful stop in progress);
 * - `mailbox-full`: the target's mailbox was at its capacity;
 * - `late-reply`: a reply to an ask that had already timed out or been answered.
 */
export type DeadLetterReason = 'stopped' | 'stopping' | 'mailbox-full' | 'late-reply';

export interface DeadLetter {
  readonly path: string;
  readonly actorType: string;
  readonly messageType: string;
  readonly reason: DeadLetterReason;
}

/** Dead letters logged one by one per window; past it they are only counted, then summarised. */
export const DEAD_LETTERS_LOGGED_PER_WINDOW = 20;
export const DEAD_LETTER_LOG_WINDOW_MS = 10_000;

/**
 * Where undeliverable messages go: every one is counted in `flotilla_actor_dead_letters_total`
 * (labelled by the target's actor type) and logged with the target's path and the message type,
 * at most DEAD_LETTERS_LOGGED_PER_WINDOW lines per window so a stopped busy actor cannot flood the log.
 */
export class DeadLetterOffice implements LateReplySink {
  private windowStartMs = Number.NEGATIVE_INFINITY;
  private loggedInWindow = 0;
  private suppressedInWindow = 0;
  private count = 0;

  constructor(
    private readonly metrics: ActorMetrics,
    private readonly logger: ActorLogger,
    private readonly clock: Clock,
  ) {}

  /** Dead letters recorded since the system started. */
  get total(): number {
    return this.count;
  }

  record(letter: DeadLetter): void {
    this.count++;
    this.metrics.forType(letter.actorType).deadLetters.inc();
    const nowMs = this.clock.now();
    if (nowMs - this.windowStartMs >= DEAD_LETTER_LOG_WINDOW_MS) {
      if (this.suppressedInWindow > 0) {
        this.logger.warn('dead letters not logged', { suppressed: this.suppressedInWindow, windowMs: DEAD_LETTER_LOG_WINDOW_MS });
      }
      this.windowStartMs = nowMs;
      this.loggedInWindow = 0;
      this.suppressedInWindow = 0;
    }
    if (this.loggedInWindow < DEAD_LETTERS_LOGGED_PER_WINDOW) {
      this.loggedInWindow++;
      this.logger.warn('dead letter', {
        actor: letter.path,
        actorType: letter.actorType,
        messageType: letter.messageType,
        reason: letter.reason,
      });
    } else {
      this.suppressedInWindow++;
    }
  }

  lateReply(path: string, actorType: string, messageType: string): void {
    this.record({ path, actorType, messageType, reason: 'late-reply' });
  }
}
