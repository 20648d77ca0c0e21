// Supervision: a crash restarts the actor with fresh state after an exponential backoff on the
// injected clock; a spent restart budget escalates to the parent, whose policy restarts itself,
// stops the child or escalates further, up to the system's fatal handler.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { ActorRef, EscalationDecision, ReplyTo } from '../../../actors/index.js';
import { ActorCrashedError, ActorEscalationError, DEFAULT_SUPERVISION, defineActor, restartBackoffMs } from '../../../actors/index.js';
import type { CounterMsg } from './helpers.js';
import { counterActor, harness, sample, settle, track, until } from './helpers.js';

const noJitter = { initialBackoffMs: 100, backoffMultiplier: 2, backoffJitter: 0, maxRestarts: 3, restartWindowMs: 60_000 };

void t.test('a crash restarts the actor with fresh state after the backoff', async (t) => {
  const { system, clock, registry, logger } = harness(t);
  const events: string[] = [];
  const counter = system.spawn(counterActor(events, noJitter), 'counter');
  counter.tell({ type: 'inc' });
  counter.tell({ type: 'inc' });
  t.equal(await counter.ask({ type: 'get' }, 1_000), 2);

  counter.tell({ type: 'boom' });
  const afterCrash = track(counter.ask({ type: 'get' }, 10_000));
  await settle();
  t.equal(afterCrash.settled, false, 'messages wait during the backoff');
  t.same(events, ['init counter', 'stop counter 2'], 'onStop ran with the last good state');
  clock.advance(99);
  await settle();
  t.equal(afterCrash.settled, false, 'still waiting 1ms before the backoff ends');
  clock.advance(1);
  await until('reply after restart', () => afterCrash.settled);
  t.equal(afterCrash.value, 0, 'state was reset by the restart');
  t.same(events, ['init counter', 'stop counter 2', 'init counter']);

  counter.tell({ type: 'boom' });
  const second = track(counter.ask({ type: 'get' }, 10_000));
  await settle();
  clock.advance(199);
  await settle();
  t.equal(second.settled, false, 'second restart in the window waits twice as long');
  clock.advance(1);
  await until('reply after second restart', () => second.settled);
  t.equal(await sample(registry, 'flotilla_actor_restarts_total{actor_type="counter"}'), 2);
  const crash = logger.named('actor crashed')[0];
  t.equal(crash?.fields.actor, 'sys/counter');
  t.equal(crash?.fields.messageType, 'boom');
  t.end();
});

void t.test('an ask whose message crashes the handler is rejected with ActorCrashedError', async (t) => {
  const { system } = harness(t);
  type Msg = { readonly type: 'divide'; readonly by: number; readonly replyTo: ReplyTo<number> };
  const divider = system.spawn(
    defineActor<number, Msg>({
      type: 'divider',
      initialState: () => 12,
      handle: (n, msg) => {
        if (msg.by === 0) throw new RangeError('division by zero');
        msg.replyTo.reply(n / msg.by);
        return n;
      },
    }),
    'divider',
  );
  t.equal(await divider.ask({ type: 'divide', by: 4 }, 1_000), 3);
  const error = await divider.ask({ type: 'divide', by: 0 }, 1_000).catch((e: unknown) => e);
  t.type(error, ActorCrashedError);
  t.equal((error as ActorCrashedError).path, 'sys/divider');
  t.equal((error as ActorCrashedError).messageType, 'divide');
  t.type((error as ActorCrashedError).cause, RangeError);
  t.end();
});

void t.test('a crashing initialState is supervised like a crashing handler', async (t) => {
  const { system, clock } = harness(t);
  let attempts = 0;
  const flaky = system.spawn(
    defineActor<number, CounterMsg>({
      type: 'flaky',
      initialState: () => {
        attempts++;
        if (attempts < 3) throw new Error('not yet');
        return 40;
      },
      handle: (n, msg) => {
        if (msg.type === 'get') msg.replyTo.reply(n);
        return n;
      },
      supervision: noJitter,
    }),
    'flaky',
  );
  const answer = track(flaky.ask({ type: 'get' }, 10_000));
  await settle();
  t.equal(attempts, 1);
  clock.advance(100);
  await settle();
  t.equal(attempts, 2);
  clock.advance(200);
  await until('answer', () => answer.settled);
  t.equal(attempts, 3);
  t.equal(answer.value, 40);
  t.end();
});

type ParentMsg = { readonly type: 'crash-child' } | { readonly type: 'child'; readonly replyTo: ReplyTo<ActorRef<CounterMsg>> };

/** A parent with one `child` that escalates on its first crash, deciding with `decision`. */
function parentActor(events: string[], decision: EscalationDecision | undefined, parentMaxRestarts = 3) {
  const child = counterActor(events, { maxRestarts: 0 }, 'child');
  return defineActor<ActorRef<CounterMsg>, ParentMsg>({
    type: 'parent',
    initialState: (ctx) => {
      events.push('init parent');
      return ctx.spawn(child, 'child');
    },
    handle: (c, msg) => {
      if (msg.type === 'crash-child') c.tell({ type: 'boom' });
      else msg.replyTo.reply(c);
      return c;
    },
    onStop: () => {
      events.push('stop parent');
    },
    supervision: {
      ...noJitter,
      maxRestarts: parentMaxRestarts,
      initialBackoffMs: 50,
      ...(decision === undefined ? {} : { onChildEscalation: () => decision }),
    },
  });
}

void t.test('budget spent: the parent decides stop-child', async (t) => {
  const { system, registry, fatal } = harness(t);
  const events: string[] = [];
  const parent = system.spawn(parentActor(events, 'stop-child'), 'parent');
  const child = await parent.ask({ type: 'child' }, 1_000);
  parent.tell({ type: 'crash-child' });
  await until('child stopped', () => events.includes('stop child 0'));
  t.same(events, ['init parent', 'init child', 'stop child 0']);
  child.tell({ type: 'inc' });
  t.equal(system.deadLetterCount, 1, 'the stopped child takes no more messages');
  t.equal(await sample(registry, 'flotilla_actor_restarts_total{actor_type="child"}'), undefined, 'no restart budget: never restarted');
  t.same(fatal, []);
  t.equal(system.lifecycleOf(parent), 'running');
  t.end();
});

void t.test('budget spent: the parent restarts itself (the default), re-creating the child', async (t) => {
  const { system, clock, registry, logger } = harness(t);
  const events: string[] = [];
  const parent = system.spawn(parentActor(events, undefined), 'parent');
  const firstChild = await parent.ask({ type: 'child' }, 1_000);
  parent.tell({ type: 'crash-child' });
  await until('parent ended its incarnation', () => events.includes('stop parent'));
  t.same(events, ['init parent', 'init child', 'stop child 0', 'stop parent'], 'children stop before the parent');
  clock.advance(50);
  const secondChild = await parent.ask({ type: 'child' }, 1_000);
  t.same(events.slice(4), ['init parent', 'init child']);
  t.not(secondChild, firstChild, 'a fresh child');
  t.equal(secondChild.path, 'sys/parent/child');
  t.equal(await sample(registry, 'flotilla_actor_restarts_total{actor_type="parent"}'), 1);
  t.equal(logger.named('child escalated')[0]?.fields.decision, 'restart');
  t.end();
});

void t.test('budget spent all the way up: the fatal handler gets the chain of causes', async (t) => {
  const { system, fatal } = harness(t);
  const events: string[] = [];
  const parent = system.spawn(parentActor(events, 'escalate'), 'parent');
  parent.tell({ type: 'crash-child' });
  await until('fatal handler called', () => fatal.length > 0);
  const error = fatal[0]!;
  t.type(error, ActorEscalationError);
  t.equal(error.path, 'sys/parent');
  t.type(error.cause, ActorEscalationError);
  t.equal((error.cause as ActorEscalationError).path, 'sys/parent/child');
  t.equal(((error.cause as ActorEscalationError).cause as Error).message, 'boom');
  await until('top-level actor stopped', () => system.lifecycleOf(parent) === 'stopped');
  t.same(events, ['init parent', 'init child', 'stop child 0', 'stop parent']);
  t.end();
});

void t.test('a parent whose own budget is spent escalates instead of restarting', async (t) => {
  const { system, fatal } = harness(t);
  const events: string[] = [];
  system.spawn(parentActor(events, 'restart', 0), 'parent').tell({ type: 'crash-child' });
  await until('fatal handler called', () => fatal.length > 0);
  t.equal(fatal[0]?.path, 'sys/parent');
  t.equal(events.filter((e) => e === 'init parent').length, 1, 'parent never restarted');
  t.end();
});

void t.test('restarts past the window do not count against the budget', async (t) => {
  const { system, clock, fatal } = harness(t);
  const events: string[] = [];
  const counter = system.spawn(counterActor(events, { ...noJitter, maxRestarts: 1, restartWindowMs: 1_000 }), 'counter');
  counter.tell({ type: 'boom' });
  await settle();
  clock.advance(100);
  t.equal(await counter.ask({ type: 'get' }, 1_000), 0);
  clock.advance(1_000);
  counter.tell({ type: 'boom' });
  await settle();
  clock.advance(100);
  t.equal(await counter.ask({ type: 'get' }, 1_000), 0, 'restarted again: the first restart left the window');
  counter.tell({ type: 'boom' });
  await until('escalated', () => fatal.length === 1);
  t.equal(fatal[0]?.path, 'sys/counter');
  t.end();
});

void t.test('restartBackoffMs: exponential, capped, jittered within bounds', (t) => {
  const policy = { ...DEFAULT_SUPERVISION, initialBackoffMs: 100, maxBackoffMs: 1_000, backoffMultiplier: 2, backoffJitter: 0 };
  const random = new SeededRandom(3);
  t.same([1, 2, 3, 4, 5, 6].map((n) => restartBackoffMs(policy, n, random)), [100, 200, 400, 800, 1_000, 1_000]);
  const jittered = { ...policy, backoffJitter: 0.5 };
  const delays = Array.from({ length: 200 }, () => restartBackoffMs(jittered, 2, random));
  t.ok(delays.every((d) => d >= 100 && d <= 300), 'within ±50% of 200');
  t.ok(new Set(delays).size > 10, 'spread by the random source');
  const replay = new SeededRandom(3);
  [1, 2, 3, 4, 5, 6].forEach((n) => restartBackoffMs(policy, n, replay));
  t.same(Array.from({ length: 200 }, () => restartBackoffMs(jittered, 2, replay)), delays, 'same seed, same delays');
  t.throws(() => defineActor<number, CounterMsg>({ type: 'x', initialState: () => 0, handle: (n) => n, supervision: { backoffJitter: 2 } }), RangeError);
  t.end();
});
