// Graceful stop: no new messages, the current one finishes, children stop before their parent,
// onStop hooks run; with `drain` the queued messages are handled first; shutdown is newest first.
import t from 'tap';
import type { ActorDefinition, ReplyTo } from '../../../actors/index.js';
import { ActorStoppedError, defineActor } from '../../../actors/index.js';
import { counterActor, harness, settle, track, until } from './helpers.js';

type TreeMsg = { readonly type: 'noop' };

/** An actor that spawns `fanout` children `depth` levels down, logging each onStop. */
function tree(events: string[], depth: number, fanout: number): ActorDefinition<undefined, TreeMsg> {
  return defineActor<undefined, TreeMsg>({
    type: `tree-${depth}`,
    initialState: (ctx) => {
      if (depth > 0) for (let i = 0; i < fanout; i++) ctx.spawn(tree(events, depth - 1, fanout), `c${i}`);
      return undefined;
    },
    handle: (state) => state,
    onStop: async (_state, ctx) => {
      // Deeper hooks take longer, so a parent that did not wait for its children would log first.
      for (let i = 0; i <= 3 - depth; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      events.push(ctx.path);
    },
  });
}

void t.test('children stop before their parent, and every onStop runs once', async (t) => {
  const { system } = harness(t);
  const events: string[] = [];
  const root = system.spawn(tree(events, 2, 2), 'root');
  await settle();
  await system.stop(root);
  t.equal(events.length, 7);
  t.same([...new Set(events)].length, 7, 'once each');
  for (const path of events) {
    const parentPath = path.slice(0, path.lastIndexOf('/'));
    if (parentPath === 'sys') continue;
    t.ok(events.indexOf(path) < events.indexOf(parentPath), `${path} stopped before ${parentPath}`);
  }
  t.equal(events.at(-1), 'sys/root');
  t.equal(system.lifecycleOf(root), 'stopped');
  t.end();
});

type SlowMsg = { readonly type: 'slow' } | { readonly type: 'inc' } | { readonly type: 'get'; readonly replyTo: ReplyTo<number> };

function slowCounter(gate: Promise<void>, stopped: number[]): ActorDefinition<number, SlowMsg> {
  return defineActor<number, SlowMsg>({
    type: 'slow-counter',
    initialState: () => 0,
    handle: async (n, msg) => {
      if (msg.type === 'slow') {
        await gate;
        return n + 100;
      }
      if (msg.type === 'get') msg.replyTo.reply(n);
      return msg.type === 'inc' ? n + 1 : n;
    },
    onStop: (n) => void stopped.push(n),
  });
}

void t.test('stop finishes the current message; what is queued becomes dead letters', async (t) => {
  const { system, logger } = harness(t);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const stopped: number[] = [];
  const actor = system.spawn(slowCounter(gate, stopped), 'slow');
  actor.tell({ type: 'slow' });
  await settle();
  actor.tell({ type: 'inc' });
  const queuedAsk = actor.ask({ type: 'get' }, 1_000).catch((e: unknown) => e);
  const stopping = track(system.stop(actor));
  await settle();
  t.equal(system.lifecycleOf(actor), 'stopping');
  t.equal(stopping.settled, false, 'waits for the message in progress');
  actor.tell({ type: 'inc' });
  t.equal(logger.named('dead letter')[0]?.fields.reason, 'stopping', 'refused while stopping');
  release();
  await until('stopped', () => stopping.settled);
  t.same(stopped, [100], 'onStop saw the state after the current message');
  t.type(await queuedAsk, ActorStoppedError);
  t.equal(system.deadLetterCount, 3, 'one refused while stopping, two queued at the stop');
  t.end();
});

void t.test('stop with drain handles the queued messages first and refuses new ones', async (t) => {
  const { system, logger } = harness(t);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const stopped: number[] = [];
  const actor = system.spawn(slowCounter(gate, stopped), 'slow');
  actor.tell({ type: 'slow' });
  actor.tell({ type: 'inc' });
  actor.tell({ type: 'inc' });
  const answer = actor.ask({ type: 'get' }, 1_000);
  const stopping = track(system.stop(actor, { drain: true }));
  actor.tell({ type: 'inc' });
  t.equal(logger.named('dead letter').length, 1, 'new messages refused at once');
  release();
  t.equal(await answer, 102, 'queued ask answered');
  await until('stopped', () => stopping.settled);
  t.same(stopped, [102]);
  t.equal(system.deadLetterCount, 1);
  t.end();
});

void t.test('stopSelf stops after the current message; a stopping actor cannot spawn', async (t) => {
  const { system } = harness(t);
  const events: string[] = [];
  type Msg = { readonly type: 'quit'; readonly replyTo: ReplyTo<string> };
  const quitter = system.spawn(
    defineActor<undefined, Msg>({
      type: 'quitter',
      initialState: (ctx) => {
        ctx.spawn(counterActor(events), 'child');
        return undefined;
      },
      handle: (state, msg, ctx) => {
        ctx.stopSelf();
        try {
          ctx.spawn(counterActor(events), 'late');
          msg.replyTo.reply('spawned');
        } catch (error) {
          msg.replyTo.reply((error as Error).name);
        }
        return state;
      },
      onStop: () => void events.push('stop quitter'),
    }),
    'quitter',
  );
  t.equal(await quitter.ask({ type: 'quit' }, 1_000), 'ActorStoppedError');
  await until('stopped', () => system.lifecycleOf(quitter) === 'stopped');
  t.same(events, ['init child', 'stop child 0', 'stop quitter']);
  t.end();
});

void t.test('a stop during the restart backoff ends the wait at once', async (t) => {
  const { system, clock } = harness(t);
  const events: string[] = [];
  const counter = system.spawn(counterActor(events, { initialBackoffMs: 60_000, maxBackoffMs: 60_000 }), 'counter');
  counter.tell({ type: 'boom' });
  await settle();
  await system.stop(counter);
  t.same(events, ['init counter', 'stop counter 0'], 'no second incarnation, onStop not run twice');
  t.equal(clock.pendingTimers, 0, 'backoff timer cancelled');
  t.end();
});

void t.test('shutdown stops top-level actors newest first and refuses new ones', async (t) => {
  const { system } = harness(t);
  const events: string[] = [];
  system.spawn(counterActor(events), 'first');
  system.spawn(counterActor(events), 'second');
  await settle();
  await system.shutdown();
  t.same(events, ['init first', 'init second', 'stop second 0', 'stop first 0']);
  t.throws(() => system.spawn(counterActor(events), 'third'), ActorStoppedError);
  t.end();
});
