import type { Clock } from '../../raft/index.js';
import type { ActorMessage, AskableType, AskRequest, LateReplySink, ReplyOf } from './reply.js';
import { askThrough } from './reply.js';

/** Where an actor lives: enough to name it in logs and to stop it through its parent. */
export interface ActorAddress {
  /** `<system>/<top-level>/…/<name>`: unique among live actors of a system. */
  readonly path: string;
  readonly name: string;
  readonly actorType: string;
}

/** What a reference delivers to; implemented by the runtime's actor cell. */
export interface MessageTarget<Msg extends ActorMessage> extends ActorAddress {
  readonly clock: Clock;
  readonly lateReplies: LateReplySink;
  /** Enqueues `msg`, or turns it into a dead letter if the actor cannot take it. Never throws. */
  deliver(msg: Msg): void;
}

/**
 * A handle to one actor. It stays valid across the actor's restarts; once the actor has stopped,
 * everything sent through it is a dead letter.
 */
export class ActorRef<Msg extends ActorMessage> implements ActorAddress {
  readonly path: string;
  readonly name: string;
  readonly actorType: string;

  constructor(private readonly target: MessageTarget<Msg>) {
    this.path = target.path;
    this.name = target.name;
    this.actorType = target.actorType;
  }

  /** Fire and forget: enqueue `msg` in the actor's mailbox. */
  tell(msg: Msg): void {
    this.target.deliver(msg);
  }

  /**
   * Sends a request and waits for its reply: `await ref.ask({ type: 'get', key }, 1000)`; the
   * runtime adds the `replyTo`. Rejects with AskTimeoutError after `timeoutMs` of the injected
   * clock, ActorStoppedError if the actor stops first, ActorCrashedError if the handler throws on
   * it, MailboxFullError if the mailbox is full, or whatever the handler passes to `replyTo.fail`.
   */
  ask<K extends AskableType<Msg>>(request: AskRequest<Msg, K>, timeoutMs: number): Promise<ReplyOf<Msg, K>> {
    return askThrough(
      this.target.clock,
      this.target.lateReplies,
      this.path,
      this.actorType,
      request,
      timeoutMs,
      (msg) => this.target.deliver(msg as Msg),
    );
  }

  toString(): string {
    return this.path;
  }
}
