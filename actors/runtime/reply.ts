import type { Clock, TimerHandle } from '../../raft/index.js';
import { ActorCrashedError, ActorStoppedError, AskTimeoutError } from './errors.js';

/** Every message is a plain object with a `type` discriminant (used in logs and dead letters). */
export interface ActorMessage {
  readonly type: string;
}

/**
 * Where a handler sends the answer to a request. A message that expects an answer carries one
 * as `replyTo: ReplyTo<Answer>`; `ask` fills it in. The first `reply` or `fail` wins; later ones,
 * and any after the asker gave up, are dead letters.
 */
export interface ReplyTo<R> {
  readonly reply: (value: R) => void;
  /** Rejects the asker's promise with `error` (use a typed error). */
  readonly fail: (error: Error) => void;
  readonly settled: boolean;
}

/** Message types of `Msg` that carry a `replyTo` (those `ask` accepts). */
export type AskableType<Msg extends ActorMessage> = Msg extends { readonly replyTo: ReplyTo<infer _R> } ? Msg['type'] : never;

/** The answer type of the message of type `K`. */
export type ReplyOf<Msg extends ActorMessage, K extends string> =
  Extract<Msg, { readonly type: K }> extends { readonly replyTo: ReplyTo<infer R> } ? R : never;

/** The message of type `K` without its `replyTo`: what a caller passes to `ask`. */
export type AskRequest<Msg extends ActorMessage, K extends string> = { readonly type: K } & Omit<
  Extract<Msg, { readonly type: K }>,
  'replyTo'
>;

/** Where replies that arrive too late go: the dead-letter office, attributed to the asked actor. */
export interface LateReplySink {
  lateReply(path: string, actorType: string, messageType: string): void;
}

/**
 * The reply slot of one `ask`: settles its promise once, on the first of reply, fail, or the
 * timeout of the injected clock.
 */
export class PendingReply<R> implements ReplyTo<R> {
  readonly promise: Promise<R>;
  private resolvePromise!: (value: R) => void;
  private rejectPromise!: (error: Error) => void;
  private timer: TimerHandle | undefined;
  private done = false;

  constructor(
    private readonly clock: Clock,
    private readonly sink: LateReplySink,
    readonly targetPath: string,
    readonly targetType: string,
    readonly messageType: string,
    timeoutMs: number,
  ) {
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`ask timeoutMs must be a positive number, got ${timeoutMs}`);
    this.promise = new Promise<R>((resolve, reject) => {
      this.resolvePromise = resolve;
      this.rejectPromise = reject;
    });
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      this.settle(() => this.rejectPromise(new AskTimeoutError(targetPath, messageType, timeoutMs)));
    }, timeoutMs);
  }

  get settled(): boolean {
    return this.done;
  }

  readonly reply = (value: R): void => {
    if (this.done) this.sink.lateReply(this.targetPath, this.targetType, this.messageType);
    else this.settle(() => this.resolvePromise(value));
  };

  readonly fail = (error: Error): void => {
    if (this.done) this.sink.lateReply(this.targetPath, this.targetType, this.messageType);
    else this.settle(() => this.rejectPromise(error));
  };

  /** The runtime's rejection when the message never reached (or never finished in) a handler. */
  failStopped(): void {
    if (!this.done) this.settle(() => this.rejectPromise(new ActorStoppedError(this.targetPath, this.messageType)));
  }

  failCrashed(cause: unknown): void {
    if (!this.done) this.settle(() => this.rejectPromise(new ActorCrashedError(this.targetPath, this.messageType, cause)));
  }

  failWith(error: Error): void {
    if (!this.done) this.settle(() => this.rejectPromise(error));
  }

  private settle(action: () => void): void {
    this.done = true;
    this.timer?.cancel();
    this.timer = undefined;
    action();
  }
}

/** The `ask` reply slot a message carries, if it carries one the runtime created. */
export function pendingReplyOf(msg: ActorMessage): PendingReply<unknown> | undefined {
  const replyTo = (msg as { readonly replyTo?: unknown }).replyTo;
  return replyTo instanceof PendingReply ? (replyTo as PendingReply<unknown>) : undefined;
}

/** Sends `request` with a fresh reply slot through `send`; the promise settles as PendingReply says. */
export function askThrough<R>(
  clock: Clock,
  sink: LateReplySink,
  targetPath: string,
  targetType: string,
  request: ActorMessage,
  timeoutMs: number,
  send: (msg: ActorMessage) => void,
): Promise<R> {
  const pending = new PendingReply<R>(clock, sink, targetPath, targetType, request.type, timeoutMs);
  const msg: ActorMessage & { readonly replyTo: ReplyTo<R> } = { ...request, replyTo: pending };
  send(msg);
  return pending.promise;
}
