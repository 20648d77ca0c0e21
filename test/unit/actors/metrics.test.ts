// Metrics: per actor type, in the registry the system was given (never the global one).
import t from 'tap';
import { register as globalRegistry } from 'prom-client';
import type { ReplyTo } from '../../../actors/index.js';
import { ACTOR_METRIC_NAMES, ActorSystem, ManualClock, defineActor } from '../../../actors/index.js';
import { counterActor, harness, sample, settle } from './helpers.js';

void t.test('handled, handling time, restarts, dead letters and mailbox depth per actor type', async (t) => {
  const { system, registry, clock } = harness(t);
  const counter = system.spawn(counterActor([], { initialBackoffMs: 0, backoffJitter: 0 }), 'counter');
  counter.tell({ type: 'inc' });
  counter.tell({ type: 'boom' });
  t.equal(await counter.ask({ type: 'get' }, 1_000), 0);
  const label = '{actor_type="counter"}';
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.messagesHandled}${label}`), 3, 'the crashing message counts as handled');
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.handlingSeconds}_count${label}`), 3);
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.restarts}${label}`), 1);
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.mailboxDepth}${label}`), 0);

  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  type Msg = { readonly type: 'wait' } | { readonly type: 'get'; readonly replyTo: ReplyTo<number> };
  const slow = system.spawn(
    defineActor<number, Msg>({
      type: 'slow',
      initialState: () => 0,
      handle: async (n, msg) => {
        if (msg.type === 'wait') {
          clock.advance(250); // handling time is measured on the injected clock
          await gate;
        } else {
          msg.replyTo.reply(n);
        }
        return n + 1;
      },
    }),
    'slow',
  );
  slow.tell({ type: 'wait' });
  await settle();
  slow.tell({ type: 'wait' });
  slow.tell({ type: 'wait' });
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.mailboxDepth}{actor_type="slow"}`), 2, 'queued behind the one in progress');
  release();
  await slow.ask({ type: 'get' }, 1_000);
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.mailboxDepth}{actor_type="slow"}`), 0);
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.handlingSeconds}_sum{actor_type="slow"}`), 0.75);
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.handlingSeconds}_bucket{le="0.1",actor_type="slow"}`), 1, 'only the get is under 0.1s');

  slow.tell({ type: 'wait' });
  slow.tell({ type: 'wait' });
  await system.stop(slow);
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.mailboxDepth}{actor_type="slow"}`), 0, 'dead-lettered messages leave the gauge');
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.deadLetters}{actor_type="slow"}`), 2);
  t.equal(globalRegistry.getSingleMetric(ACTOR_METRIC_NAMES.messagesHandled), undefined, 'global registry untouched');
  t.end();
});

void t.test('two systems on one registry share the metrics', async (t) => {
  const { system, registry } = harness(t);
  const other = new ActorSystem({ name: 'other', registry, clock: new ManualClock(), logger: system.logger });
  t.teardown(() => other.shutdown());
  await system.spawn(counterActor([]), 'counter').ask({ type: 'get' }, 1_000);
  await other.spawn(counterActor([]), 'counter').ask({ type: 'get' }, 1_000);
  t.equal(await sample(registry, `${ACTOR_METRIC_NAMES.messagesHandled}{actor_type="counter"}`), 2);
  t.end();
});
