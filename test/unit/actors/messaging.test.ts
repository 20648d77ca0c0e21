// Messaging: typed ask with a timeout on the injected clock, dead letters (counted and logged),
// bounded mailboxes, scheduled messages, and actor names.
import t from 'tap';
import type { ReplyTo } from '../../../actors/index.js';
import {
  ActorNameConflictError,
  ActorStoppedError,
  ActorTimerLimitError,
  AskTimeoutError,
  InvalidActorNameError,
  MAX_SCHEDULED_MESSAGES_PER_ACTOR,
  MailboxFullError,
  defineActor,
  escapeActorName,
  unescapeActorName,
} from '../../../actors/index.js';
import { counterActor, harness, sample, settle, track, until } from './helpers.js';

type SilentMsg =
  | { readonly type: 'hold'; readonly replyTo: ReplyTo<string> }
  | { readonly type: 'release' }
  | { readonly type: 'ping'; readonly replyTo: ReplyTo<string> };

/** Keeps the reply slot of `hold` and answers it only on `release`. */
const silentActor = defineActor<ReplyTo<string> | undefined, SilentMsg>({
  type: 'silent',
  initialState: () => undefined,
  handle: (held, msg) => {
    switch (msg.type) {
      case 'hold':
        return msg.replyTo;
      case 'release':
        held?.reply('late');
        return undefined;
      case 'ping':
        msg.replyTo.reply('pong');
        return held;
    }
  },
});

void t.test('ask is typed by the message and rejects with AskTimeoutError on the injected clock', async (t) => {
  const { system, clock, logger, registry } = harness(t);
  const silent = system.spawn(silentActor, 'silent');
  const pong: string = await silent.ask({ type: 'ping' }, 1_000);
  t.equal(pong, 'pong');
  const compileTimeOnly = (): void => {
    // @ts-expect-error: `release` carries no replyTo, so it cannot be asked
    void silent.ask({ type: 'release' }, 1_000);
    // @ts-expect-error: the reply of `ping` is a string
    const wrong: Promise<number> = silent.ask({ type: 'ping' }, 1_000);
    void wrong;
  };
  void compileTimeOnly;

  const held = track(silent.ask({ type: 'hold' }, 500));
  await settle();
  clock.advance(499);
  await settle();
  t.equal(held.settled, false);
  clock.advance(1);
  await until('timed out', () => held.settled);
  t.type(held.error, AskTimeoutError);
  const timeout = held.error as AskTimeoutError;
  t.same([timeout.path, timeout.messageType, timeout.timeoutMs, timeout.code], ['sys/silent', 'hold', 500, 'AskTimeout']);

  silent.tell({ type: 'release' });
  await until('late reply recorded', () => system.deadLetterCount === 1);
  t.same(logger.named('dead letter')[0]?.fields, { actor: 'sys/silent', actorType: 'silent', messageType: 'hold', reason: 'late-reply' });
  t.equal(await sample(registry, 'flotilla_actor_dead_letters_total{actor_type="silent"}'), 1);
  t.throws(() => void silent.ask({ type: 'ping' }, 0), RangeError, 'a timeout is required');
  t.end();
});

void t.test('messages to a stopped actor are dead letters: counted, logged, asks rejected', async (t) => {
  const { system, logger, registry, clock } = harness(t);
  const counter = system.spawn(counterActor([]), 'counter');
  counter.tell({ type: 'inc' });
  t.equal(await counter.ask({ type: 'get' }, 1_000), 1);
  await system.stop(counter);
  t.equal(system.lifecycleOf(counter), 'stopped');
  counter.tell({ type: 'inc' });
  counter.tell({ type: 'boom' });
  const error = await counter.ask({ type: 'get' }, 1_000).catch((e: unknown) => e);
  t.type(error, ActorStoppedError, 'rejected at once, not after the timeout');
  t.equal((error as ActorStoppedError).path, 'sys/counter');
  t.equal(system.deadLetterCount, 3);
  t.equal(await sample(registry, 'flotilla_actor_dead_letters_total{actor_type="counter"}'), 3);
  t.same(
    logger.named('dead letter').map((e) => [e.fields.actor, e.fields.messageType, e.fields.reason]),
    [['sys/counter', 'inc', 'stopped'], ['sys/counter', 'boom', 'stopped'], ['sys/counter', 'get', 'stopped']],
  );
  t.equal(clock.pendingTimers, 0, 'no ask timer left behind');
  t.end();
});

void t.test('dead-letter logging is bounded per window, counting stays exact', async (t) => {
  const { system, logger, clock } = harness(t);
  const counter = system.spawn(counterActor([]), 'counter');
  await system.stop(counter);
  for (let i = 0; i < 50; i++) counter.tell({ type: 'inc' });
  t.equal(system.deadLetterCount, 50);
  t.equal(logger.named('dead letter').length, 20);
  clock.advance(10_000);
  counter.tell({ type: 'inc' });
  t.equal(logger.named('dead letters not logged')[0]?.fields.suppressed, 30);
  t.equal(logger.named('dead letter').length, 21);
  t.end();
});

void t.test('a full mailbox turns messages into dead letters and fails asks with MailboxFullError', async (t) => {
  const { system, logger } = harness(t);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  type Msg = { readonly type: 'wait' } | { readonly type: 'get'; readonly replyTo: ReplyTo<number> };
  const slow = system.spawn(
    defineActor<number, Msg>({
      type: 'slow',
      mailboxCapacity: 2,
      initialState: () => 0,
      handle: async (n, msg) => {
        if (msg.type === 'wait') await gate;
        else msg.replyTo.reply(n);
        return n + 1;
      },
    }),
    'slow',
  );
  slow.tell({ type: 'wait' });
  await settle();
  slow.tell({ type: 'wait' });
  const queued = slow.ask({ type: 'get' }, 1_000);
  const refused = await slow.ask({ type: 'get' }, 1_000).catch((e: unknown) => e);
  t.type(refused, MailboxFullError);
  t.equal((refused as MailboxFullError).capacity, 2);
  t.equal(logger.named('dead letter')[0]?.fields.reason, 'mailbox-full');
  release();
  t.equal(await queued, 2, 'the queued ones are handled');
  t.end();
});

void t.test('scheduleOnce delivers on the injected clock and is cancelled by stop and restart', async (t) => {
  const { system, clock } = harness(t);
  type Msg = { readonly type: 'arm'; readonly delayMs: number } | { readonly type: 'tick' } | { readonly type: 'boom' } | { readonly type: 'get'; readonly replyTo: ReplyTo<number> };
  const ticker = system.spawn(
    defineActor<number, Msg>({
      type: 'ticker',
      initialState: () => 0,
      handle: (ticks, msg, ctx) => {
        switch (msg.type) {
          case 'arm':
            ctx.scheduleOnce(msg.delayMs, { type: 'tick' });
            return ticks;
          case 'tick':
            return ticks + 1;
          case 'boom':
            throw new Error('boom');
          case 'get':
            msg.replyTo.reply(ticks);
            return ticks;
        }
      },
      supervision: { initialBackoffMs: 0, backoffJitter: 0 },
    }),
    'ticker',
  );
  ticker.tell({ type: 'arm', delayMs: 1_000 });
  await settle();
  clock.advance(999);
  t.equal(await ticker.ask({ type: 'get' }, 100), 0);
  clock.advance(1);
  t.equal(await ticker.ask({ type: 'get' }, 100), 1);

  ticker.tell({ type: 'arm', delayMs: 1_000 });
  ticker.tell({ type: 'boom' });
  await settle();
  const timersAfterRestart = clock.pendingTimers;
  clock.advance(1_000);
  t.equal(await ticker.ask({ type: 'get' }, 100), 0, 'the restart cancelled the pending tick');
  t.equal(timersAfterRestart, 0);
  t.end();
});

void t.test('scheduleOnce is bounded per actor', async (t) => {
  const { system } = harness(t);
  type Msg = { readonly type: 'flood'; readonly replyTo: ReplyTo<unknown> } | { readonly type: 'noop' };
  const flooder = system.spawn(
    defineActor<undefined, Msg>({
      type: 'flooder',
      initialState: () => undefined,
      handle: (state, msg, ctx) => {
        if (msg.type === 'flood') {
          try {
            for (let i = 0; i <= MAX_SCHEDULED_MESSAGES_PER_ACTOR; i++) ctx.scheduleOnce(1_000, { type: 'noop' });
            msg.replyTo.reply(undefined);
          } catch (error) {
            msg.replyTo.reply(error);
          }
        }
        return state;
      },
    }),
    'flooder',
  );
  t.type(await flooder.ask({ type: 'flood' }, 1_000), ActorTimerLimitError);
  t.end();
});

void t.test('names: validated, unique per parent, reusable after stop; keys escape reversibly', async (t) => {
  const { system } = harness(t);
  const first = system.spawn(counterActor([]), 'counter');
  t.throws(() => system.spawn(counterActor([]), 'counter'), ActorNameConflictError);
  for (const bad of ['', 'a/b', 'a b', 'ünïcode', 'x'.repeat(1025)]) {
    t.throws(() => system.spawn(counterActor([]), bad), InvalidActorNameError, JSON.stringify(bad.slice(0, 10)));
  }

  type Msg = { readonly type: 'spawn'; readonly name: string; readonly replyTo: ReplyTo<string> };
  const parent = system.spawn(
    defineActor<undefined, Msg>({
      type: 'spawner',
      initialState: () => undefined,
      handle: (state, msg, ctx) => {
        try {
          msg.replyTo.reply(ctx.spawn(counterActor([]), msg.name).path);
        } catch (error) {
          msg.replyTo.reply((error as Error).name);
        }
        return state;
      },
    }),
    'spawner',
  );
  t.equal(await parent.ask({ type: 'spawn', name: 'child' }, 1_000), 'sys/spawner/child');
  t.equal(await parent.ask({ type: 'spawn', name: 'child' }, 1_000), 'ActorNameConflictError');
  t.equal(await parent.ask({ type: 'spawn', name: 'counter' }, 1_000), 'sys/spawner/counter', 'names are per parent');

  await system.stop(first);
  t.equal(system.spawn(counterActor([]), 'counter').path, 'sys/counter', 'a stopped name is free again');

  for (const key of ['default/nginx-7c9f', 'kube-system/coredns', 'a$b', 'ünïcode/名前', '..', 'plain-name.1_2']) {
    const escaped = escapeActorName(key);
    t.doesNotThrow(() => system.spawn(counterActor([]), escaped), key);
    t.equal(unescapeActorName(escaped), key);
  }
  t.equal(escapeActorName('default/nginx'), 'default$2fnginx');
  t.not(escapeActorName('a/b'), escapeActorName('a$2fb'), 'escaping is injective');
  t.end();
});
