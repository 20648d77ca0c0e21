// Sharded children: each key routes to one stable shard, which parents exactly one child per
// key; idle children are passivated and come back, fresh, on the next message for their key.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import t from 'tap';
import type { ReplyTo, ShardedChildren } from '../../../actors/index.js';
import { AskTimeoutError, InvalidActorNameError, defineActor, escapeActorName, shardIndexForKey } from '../../../actors/index.js';
import { harness, settle, track, until } from './helpers.js';

type KeyMsg =
  | { readonly type: 'touch' }
  | { readonly type: 'boom' }
  | { readonly type: 'whoami'; readonly replyTo: ReplyTo<{ path: string; touches: number }> };

function keyActor(inits: string[], stops: string[]) {
  return defineActor<number, KeyMsg>({
    type: 'keyed',
    initialState: (ctx) => {
      inits.push(ctx.path);
      return 0;
    },
    handle: (touches, msg, ctx) => {
      if (msg.type === 'boom') throw new Error('boom');
      if (msg.type === 'touch') return touches + 1;
      msg.replyTo.reply({ path: ctx.path, touches });
      return touches;
    },
    onStop: (_touches, ctx) => void stops.push(ctx.path),
    supervision: { maxRestarts: 0 },
  });
}

void t.test('shardIndexForKey is stable and spreads keys', (t) => {
  t.equal(shardIndexForKey('default/nginx', 16), shardIndexForKey('default/nginx', 16));
  const counts = new Array<number>(8).fill(0);
  for (let i = 0; i < 8_000; i++) counts[shardIndexForKey(`ns-${i % 7}/pod-${i}`, 8)]!++;
  t.ok(counts.every((c) => c > 800 && c < 1_200), `roughly even: ${counts.join(',')}`);
  t.end();
});

void t.test('each key goes to its stable shard, which creates one child per key', async (t) => {
  const { system } = harness(t);
  const inits: string[] = [];
  const reconcilers = system.spawnSharded('reconcilers', keyActor(inits, []), { shards: 8 });
  const keys = Array.from({ length: 50 }, (_, i) => `ns-${i % 3}/pod-${i}`);
  for (let round = 0; round < 3; round++) for (const key of keys) reconcilers.tell(key, { type: 'touch' });
  for (const key of keys) {
    const { path, touches } = await reconcilers.ask(key, { type: 'whoami' }, 1_000);
    t.equal(path, `sys/reconcilers-${shardIndexForKey(key, 8)}/${escapeActorName(key)}`);
    t.equal(touches, 3, `${key}: every message reached the same child`);
  }
  t.equal(inits.length, 50, 'one child per key');
  t.equal(new Set(inits).size, 50);
  t.equal(reconcilers.shardCount, 8);
  t.throws(() => reconcilers.tell('x'.repeat(2_000), { type: 'touch' }), InvalidActorNameError, 'checked at the caller');
  t.end();
});

void t.test('sharded children under an actor: owner/<name>-<shard>/<key>', async (t) => {
  const { system } = harness(t);
  const inits: string[] = [];
  type OwnerMsg = { readonly type: 'path-of'; readonly key: string; readonly replyTo: ReplyTo<string> };
  const owner = system.spawn(
    defineActor<ShardedChildren<KeyMsg>, OwnerMsg>({
      type: 'controller',
      initialState: (ctx) => ctx.spawnSharded('pods', keyActor(inits, []), { shards: 4 }),
      handle: async (children, msg) => {
        msg.replyTo.reply((await children.ask(msg.key, { type: 'whoami' }, 1_000)).path);
        return children;
      },
    }),
    'pod-controller',
  );
  const path = await owner.ask({ type: 'path-of', key: 'default/web-0' }, 1_000);
  t.equal(path, `sys/pod-controller/pods-${shardIndexForKey('default/web-0', 4)}/default$2fweb-0`);
  t.end();
});

void t.test('idle children are passivated and recreated fresh on demand', async (t) => {
  const { system, clock } = harness(t);
  const inits: string[] = [];
  const stops: string[] = [];
  const reconcilers = system.spawnSharded('reconcilers', keyActor(inits, stops), { shards: 2, idleMs: 1_000 });
  reconcilers.tell('a', { type: 'touch' });
  reconcilers.tell('b', { type: 'touch' });
  await settle();
  t.equal(inits.length, 2);

  clock.advance(600);
  reconcilers.tell('b', { type: 'touch' });
  await settle();
  clock.advance(400);
  await until('a passivated', () => stops.length === 1);
  t.match(stops[0], /\/a$/, 'only the idle child');
  await settle();
  t.equal(stops.length, 1, 'b had a message 400ms ago');

  t.same(await reconcilers.ask('a', { type: 'whoami' }, 1_000).then((r) => r.touches), 0, 'a is back, with fresh state');
  t.equal(inits.length, 3);
  t.same(await reconcilers.ask('b', { type: 'whoami' }, 1_000).then((r) => r.touches), 2, 'b kept its state');

  await settle(); // let b's turn end before time moves: a turn in progress is not idle
  clock.advance(1_000);
  await until('both passivated', () => stops.length === 3);
  t.end();
});

void t.test('a key whose child escalates is stopped alone and restarts on the next message', async (t) => {
  const { system, fatal } = harness(t);
  const inits: string[] = [];
  const stops: string[] = [];
  const reconcilers = system.spawnSharded('reconcilers', keyActor(inits, stops), { shards: 1 });
  reconcilers.tell('a', { type: 'touch' });
  reconcilers.tell('b', { type: 'touch' });
  reconcilers.tell('a', { type: 'boom' });
  await until('a stopped', () => stops.length === 1);
  t.same(await reconcilers.ask('b', { type: 'whoami' }, 1_000).then((r) => r.touches), 1, 'b untouched');
  t.same(await reconcilers.ask('a', { type: 'whoami' }, 1_000).then((r) => r.touches), 0, 'a recreated');
  t.same(fatal, []);
  t.end();
});

void t.test('a child that stops itself is forgotten by its shard, and its key comes back fresh', async (t) => {
  const { system, fatal } = harness(t);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  type Msg = { readonly type: 'done' } | { readonly type: 'whoami'; readonly replyTo: ReplyTo<number> };
  const contexts: WeakRef<object>[] = [];
  let incarnations = 0;
  const workers = system.spawnSharded(
    'pod-workers',
    defineActor<number, Msg>({
      type: 'pod-worker',
      initialState: (ctx) => {
        contexts.push(new WeakRef(ctx));
        return ++incarnations;
      },
      handle: (n, msg, ctx) => {
        if (msg.type === 'done') ctx.stopSelf();
        else msg.replyTo.reply(n);
        return n;
      },
    }),
    { shards: 2 },
  );
  for (let i = 0; i < 20; i++) workers.tell(`pod-${i}`, { type: 'done' });
  await until('every worker started', () => contexts.length === 20);
  await settle();
  // A stopped child kept in the shard's index would keep its cell, and with it its context. A
  // deref keeps its target alive to the end of the current job, so each gc runs in a later one.
  const alive = (): number => contexts.filter((c) => c.deref() !== undefined).length;
  for (let round = 0; round < 5 && alive() > 0; round++) {
    await settle();
    gc();
  }
  await settle();
  t.equal(alive(), 0, 'no stopped child is kept');
  t.equal(await workers.ask('pod-3', { type: 'whoami' }, 1_000), 21, 'the key gets a new child');
  t.same(fatal, []);
  t.end();
});

void t.test('sharded ask times out on the injected clock with the child path', async (t) => {
  const { system, clock } = harness(t);
  type Msg = { readonly type: 'ignore'; readonly replyTo: ReplyTo<number> };
  const mute = system.spawnSharded(
    'mute',
    defineActor<undefined, Msg>({ type: 'mute', initialState: () => undefined, handle: (s) => s }),
    { shards: 3 },
  );
  const asked = track(mute.ask('k/1', { type: 'ignore' }, 250));
  await settle();
  clock.advance(250);
  await until('timed out', () => asked.settled);
  t.type(asked.error, AskTimeoutError);
  t.equal((asked.error as AskTimeoutError).path, `sys/mute-${shardIndexForKey('k/1', 3)}/k$2f1`);
  t.end();
});
