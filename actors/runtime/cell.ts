import { dispatch as nactDispatch, spawn as nactSpawn, stop as nactStop } from 'nact';
import type { Ref as NactRef } from 'nact';
import type { Clock, TimerHandle } from '../../raft/index.js';
import { createActorContext } from './context.js';
import type { DeadLetterReason } from './dead-letters.js';
import type { ActorContext, ActorDefinition, ActorLifecycle, SpawnOptions, StopOptions } from './definition.js';
import { DEFAULT_MAILBOX_CAPACITY } from './definition.js';
import { ActorEscalationError, ActorNameConflictError, MailboxFullError } from './errors.js';
import type { ActorLogger } from './logger.js';
import { describeError, withLogFields } from './logger.js';
import type { ActorTypeMetrics } from './metrics.js';
import { validateActorName } from './names.js';
import type { MessageTarget } from './ref.js';
import { ActorRef } from './ref.js';
import type { ActorMessage, LateReplySink } from './reply.js';
import { pendingReplyOf } from './reply.js';
import type { EscalationDecision, SupervisionPolicy } from './supervision.js';
import { RestartBudget, resolveSupervision, restartBackoffMs } from './supervision.js';
import type { ActorParent, ActorSystemServices, ChildCell } from './tree.js';

/** What travels through nact's mailbox. Only `message` envelopes count as mailbox depth. */
type Envelope<Msg> =
  | { readonly kind: 'message'; readonly msg: Msg }
  | { readonly kind: 'init' } // builds the first state: always the first envelope
  | { readonly kind: 'wake' } // a child escalated: take a turn to decide
  | { readonly kind: 'drain' }; // a draining stop: everything before it has been handled

/** Spawns a cell under `parent`, registering it in `children` (the parent's map, name → child). */
export function spawnCell<State, Msg extends ActorMessage>(
  services: ActorSystemServices,
  parent: ActorParent,
  children: Map<string, ChildCell>,
  definition: ActorDefinition<State, Msg>,
  name: string,
  options: SpawnOptions | undefined,
): ActorRef<Msg> {
  validateActorName(name);
  if (children.has(name)) throw new ActorNameConflictError(parent.path, name);
  if (options?.idleMs !== undefined && !(options.idleMs > 0)) throw new RangeError('spawn: idleMs must be > 0');
  const cell = new ActorCell(services, parent, definition, name, options);
  children.set(name, cell);
  return cell.ref;
}

/**
 * One actor: nact gives it a mailbox and serial turns; this cell adds the tree of parents and
 * children, supervision, dead letters, metrics, graceful stop and passivation. nact never sees a
 * throw: every turn catches, so nact's own crash handling (stop and forget) never runs.
 */
class ActorCell<State, Msg extends ActorMessage> implements MessageTarget<Msg>, ActorParent, ChildCell {
  readonly path: string;
  readonly actorType: string;
  readonly ref: ActorRef<Msg>;
  private readonly nactRef: NactRef<Envelope<Msg>>;
  readonly clock: Clock;
  readonly lateReplies: LateReplySink;
  private readonly metrics: ActorTypeMetrics;
  private readonly policy: SupervisionPolicy;
  private readonly budget: RestartBudget;
  private readonly capacity: number;
  private readonly log: ActorLogger;
  private readonly ctx: ActorContext<Msg>;
  private readonly children = new Map<string, ChildCell>();
  /** Message envelopes handed to nact and not yet taken by a turn. Invariant: size <= capacity. */
  private readonly queued = new Set<Envelope<Msg>>();
  /** Children that escalated, awaiting this actor's decision. At most one per child (it is suspended after). */
  private readonly escalations: { child: ChildCell; cause: unknown }[] = [];
  /** Pending `scheduleOnce` timers (bounded by the context: MAX_SCHEDULED_MESSAGES_PER_ACTOR). */
  private readonly timers = new Set<TimerHandle>();
  /** Invariant: hasState ⇔ `state` holds the value of a started, not yet ended, incarnation. */
  private state: State | undefined;
  private hasState = false;
  private life: ActorLifecycle = 'running';
  private accepting = true;
  private turnDone: Promise<void> | undefined;
  private interruptWait: (() => void) | undefined;
  private stopped: Promise<void> | undefined;
  private drainDone: (() => void) | undefined;
  private drainPromise: Promise<void> | undefined;
  private idleTimer: TimerHandle | undefined;
  private lastActiveMs: number;

  constructor(
    private readonly services: ActorSystemServices,
    private readonly parent: ActorParent,
    private readonly definition: ActorDefinition<State, Msg>,
    readonly name: string,
    private readonly spawnOptions: SpawnOptions | undefined,
  ) {
    this.path = `${parent.path}/${name}`;
    this.actorType = definition.type;
    this.clock = services.clock;
    this.lateReplies = services.deadLetters;
    this.metrics = services.metrics.forType(definition.type);
    this.policy = resolveSupervision(definition.supervision);
    this.budget = new RestartBudget(this.policy);
    this.capacity = definition.mailboxCapacity ?? DEFAULT_MAILBOX_CAPACITY;
    this.log = withLogFields(services.logger, { actor: this.path, actorType: this.actorType });
    this.lastActiveMs = services.clock.now();
    this.ref = new ActorRef(this);
    this.ctx = createActorContext<Msg>({
      ref: this.ref,
      name,
      path: this.path,
      actorType: this.actorType,
      clock: this.clock,
      random: services.random,
      log: this.log,
      lateReplies: this.lateReplies,
      lifecycle: () => this.life,
      children: this.children,
      timers: this.timers,
      spawnChild: (definition, childName, options) => spawnCell(services, this, this.children, definition, childName, options),
      deliver: (msg) => this.deliver(msg),
      stopSelf: () => void this.stop(),
    });
    this.nactRef = nactSpawn(
      services.nactRoot,
      (_state: undefined, envelope: Envelope<Msg>) => this.onEnvelope(envelope),
      services.nextNactName(),
      { onCrash: (_msg, _error, ctx) => ctx.resume },
    );
    this.dispatch({ kind: 'init' });
    if (spawnOptions?.idleMs !== undefined) this.armIdleTimer(spawnOptions.idleMs);
  }

  get lifecycle(): ActorLifecycle {
    return this.life;
  }

  deliver(msg: Msg): void {
    if (!this.accepting) {
      this.deadLetter(msg, this.life === 'stopped' ? 'stopped' : 'stopping');
    } else if (this.queued.size >= this.capacity) {
      this.deadLetter(msg, 'mailbox-full');
      pendingReplyOf(msg)?.failWith(new MailboxFullError(this.path, this.capacity));
    } else {
      const envelope: Envelope<Msg> = { kind: 'message', msg };
      this.queued.add(envelope);
      this.metrics.mailboxDepth.inc();
      this.lastActiveMs = this.clock.now();
      this.dispatch(envelope);
    }
  }

  /** Graceful stop: no new messages; the current one finishes; children stop first; then `onStop`. */
  stop(options?: StopOptions): Promise<void> {
    if (this.stopped !== undefined) return this.stopped;
    if (options?.drain === true && this.life === 'running') {
      if (this.drainPromise === undefined) {
        this.accepting = false;
        this.drainPromise = new Promise((resolve) => (this.drainDone = resolve));
        this.dispatch({ kind: 'drain' });
      }
      return this.drainPromise;
    }
    this.stopped = this.runStop();
    return this.stopped;
  }

  isIdleFor(idleMs: number): boolean {
    return this.life === 'running' && this.accepting && this.turnDone === undefined && this.queued.size === 0 &&
      this.clock.now() - this.lastActiveMs >= idleMs;
  }

  childStopped(child: ChildCell): void {
    if (this.children.get(child.name) === child) this.children.delete(child.name);
  }

  childEscalated(child: ChildCell, cause: unknown): void {
    if (this.life !== 'running') return; // stopping anyway: the child is stopped with the rest
    this.escalations.push({ child, cause });
    this.dispatch({ kind: 'wake' });
  }

  private dispatch(envelope: Envelope<Msg>): void {
    nactDispatch(this.nactRef, envelope);
  }

  private deadLetter(msg: Msg, reason: DeadLetterReason): void {
    this.services.deadLetters.record({ path: this.path, actorType: this.actorType, messageType: msg.type, reason });
    if (reason !== 'mailbox-full') pendingReplyOf(msg)?.failStopped();
  }

  private async onEnvelope(envelope: Envelope<Msg>): Promise<undefined> {
    if (this.life !== 'running') return undefined;
    let finish!: () => void;
    this.turnDone = new Promise((resolve) => (finish = resolve));
    try {
      await this.runTurn(envelope);
    } catch (error) {
      this.log.error('actor runtime fault', describeError(error));
    } finally {
      this.turnDone = undefined;
      this.lastActiveMs = this.clock.now();
      finish();
    }
    return undefined;
  }

  private async runTurn(envelope: Envelope<Msg>): Promise<void> {
    if (this.escalations.length > 0) await this.decideEscalations();
    if (this.life !== 'running') return;
    switch (envelope.kind) {
      case 'init': {
        const started = await this.startIncarnation();
        if (!started.ok) await this.fail(started.cause, undefined);
        return;
      }
      case 'wake':
        return;
      case 'drain':
        void this.stop(); // waits for this turn, which ends now
        return;
      case 'message': {
        if (!this.queued.delete(envelope)) return;
        this.metrics.mailboxDepth.dec();
        await this.handleMessage(envelope.msg);
        return;
      }
    }
  }

  private async handleMessage(msg: Msg): Promise<void> {
    if (!this.hasState) throw new Error(`invariant: ${this.path} handles ${msg.type} without a state`);
    const startMs = this.clock.now();
    let crashed = false;
    let cause: unknown;
    try {
      this.state = await this.definition.handle(this.state as State, msg, this.ctx);
    } catch (error) {
      crashed = true;
      cause = error;
    }
    this.metrics.messagesHandled.inc();
    this.metrics.handlingSeconds.observe(Math.max(0, this.clock.now() - startMs) / 1000);
    if (crashed) await this.fail(cause, msg);
  }

  private async startIncarnation(): Promise<{ ok: true } | { ok: false; cause: unknown }> {
    try {
      this.state = await this.definition.initialState(this.ctx);
      this.hasState = true;
      return { ok: true };
    } catch (cause) {
      return { ok: false, cause };
    }
  }

  /** Ends the current incarnation: timers, then children, then `onStop`. Idempotent. */
  private async endIncarnation(): Promise<void> {
    for (const timer of this.timers) timer.cancel();
    this.timers.clear();
    await Promise.all([...this.children.values()].map((child) => child.stop()));
    if (!this.hasState) return;
    const last = this.state as State;
    this.hasState = false;
    this.state = undefined;
    if (this.definition.onStop === undefined) return;
    try {
      await this.definition.onStop(last, this.ctx);
    } catch (error) {
      this.log.error('onStop failed', describeError(error));
    }
  }

  private async fail(cause: unknown, msg: Msg | undefined): Promise<void> {
    this.log.error('actor crashed', { messageType: msg?.type ?? '(initialState)', ...describeError(cause) });
    if (msg !== undefined) pendingReplyOf(msg)?.failCrashed(cause);
    await this.restartOrEscalate(cause);
  }

  /** Restarts with backoff while the budget allows (initialState may crash again); else escalates. */
  private async restartOrEscalate(firstCause: unknown): Promise<void> {
    let cause = firstCause;
    for (;;) {
      const restartNumber = this.budget.tryRestart(this.clock.now());
      if (restartNumber === undefined) return this.escalate(cause);
      this.metrics.restarts.inc();
      const backoffMs = restartBackoffMs(this.policy, restartNumber, this.services.random);
      this.log.warn('restarting actor', { restartNumber, backoffMs });
      await this.endIncarnation();
      if (!(await this.sleep(backoffMs))) return;
      const started = await this.startIncarnation();
      if (started.ok) return;
      cause = started.cause;
      this.log.error('actor crashed', { messageType: '(initialState)', ...describeError(cause) });
    }
  }

  private async escalate(cause: unknown): Promise<void> {
    this.log.error('restart budget exhausted, escalating', {
      maxRestarts: this.policy.maxRestarts,
      restartWindowMs: this.policy.restartWindowMs,
      ...describeError(cause),
    });
    this.parent.childEscalated(this, cause);
    await this.sleep(Number.POSITIVE_INFINITY); // suspended: messages queue until the parent stops us
  }

  private async decideEscalations(): Promise<void> {
    while (this.escalations.length > 0 && this.life === 'running') {
      const { child, cause } = this.escalations.shift()!;
      if (this.children.get(child.name) !== child || child.lifecycle !== 'running') continue;
      let decision: EscalationDecision;
      try {
        decision = this.policy.onChildEscalation({ childPath: child.path, childName: child.name, childType: child.actorType, cause });
      } catch (error) {
        this.log.error('onChildEscalation threw; escalating', describeError(error));
        decision = 'escalate';
      }
      this.log.warn('child escalated', { child: child.path, decision });
      const failure = new ActorEscalationError(child.path, cause);
      if (decision === 'stop-child') {
        await child.stop();
        continue;
      }
      this.escalations.length = 0; // every child is stopped by either outcome
      if (decision === 'restart') return this.restartOrEscalate(failure);
      return this.escalate(failure);
    }
  }

  /** Resolves true after `ms` of the injected clock, false at once if a stop interrupts it. */
  private sleep(ms: number): Promise<boolean> {
    if (this.life !== 'running') return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: TimerHandle | undefined;
      this.interruptWait = () => {
        timer?.cancel();
        this.interruptWait = undefined;
        resolve(false);
      };
      if (Number.isFinite(ms)) {
        timer = this.clock.setTimeout(() => {
          this.interruptWait = undefined;
          resolve(true);
        }, ms);
      }
    });
  }

  private async runStop(): Promise<void> {
    this.accepting = false;
    this.life = 'stopping';
    this.idleTimer?.cancel();
    this.interruptWait?.();
    if (this.turnDone !== undefined) await this.turnDone;
    await this.endIncarnation();
    nactStop(this.nactRef);
    this.life = 'stopped';
    for (const envelope of this.queued) if (envelope.kind === 'message') this.deadLetter(envelope.msg, 'stopped');
    this.metrics.mailboxDepth.dec(this.queued.size);
    this.queued.clear();
    this.escalations.length = 0;
    this.parent.childStopped(this);
    this.drainDone?.();
    this.spawnOptions?.onStopped?.();
  }

  private armIdleTimer(delayMs: number): void {
    this.idleTimer = this.clock.setTimeout(() => this.onIdleTimer(), delayMs);
  }

  private onIdleTimer(): void {
    this.idleTimer = undefined;
    const idleMs = this.spawnOptions?.idleMs;
    if (idleMs === undefined || this.life !== 'running' || !this.accepting) return;
    if (!this.isIdleFor(idleMs)) {
      const busy = this.turnDone !== undefined || this.queued.size > 0;
      this.armIdleTimer(busy ? idleMs : idleMs - (this.clock.now() - this.lastActiveMs));
      return;
    }
    const onIdle = this.spawnOptions?.onIdle;
    if (onIdle === undefined) {
      void this.stop();
      return;
    }
    onIdle();
    this.armIdleTimer(idleMs); // the parent may decline (a message came in since); ask again later
  }
}
