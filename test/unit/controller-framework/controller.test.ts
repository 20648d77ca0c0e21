// The kind-level controller actor through the harness: concurrency, one reconcile per key at
// once, dirty-while-running, per-key back-off, requeueAfter, resync, sharding and passivation.
import t from 'tap';
import type { ReconcileRequest } from '../../../actors/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import { CONFIGMAPS, ReconcileTrace, configMap, sample, scriptedController, turns, until } from './helpers.js';

void t.test('concurrency bounds reconciles in flight; a key dirtied while running is reconciled again after', async (t) => {
  const trace = new ReconcileTrace();
  const gates: { request: ReconcileRequest; release: () => void }[] = [];
  const definition = scriptedController('gated', trace, (request) => new Promise<void>((resolve) => gates.push({ request, release: resolve })), 2);
  const h = new ControllerTestHarness({ controllers: [definition] });
  t.teardown(() => h.stop());
  await h.start();
  for (let i = 0; i < 5; i++) await h.store.create(CONFIGMAPS, configMap('default', `cm-${i}`, { v: '1' }));
  await until('two reconciles started', () => gates.length === 2);
  await turns(50);
  t.equal(gates.length, 2, 'no more than concurrency=2 in flight');
  const first = gates[0]!;
  await h.store.update(CONFIGMAPS, { ...configMap('default', first.request.name, { v: '2' }) });
  await turns(50);
  t.equal(trace.callsOf(`default/${first.request.name}`).length, 1, 'not reconciled again while running');
  // Finish every reconcile as it arrives; the dirtied key must come round once more.
  for (let released = 0; released < 6; released++) {
    await until(`reconcile #${released + 1} pending`, () => gates.length > released);
    gates[released]!.release();
  }
  await h.settle();
  t.equal(gates.length, 6, 'five keys, one of them twice');
  t.equal(trace.callsOf(`default/${first.request.name}`).length, 2);
  t.equal(trace.overlaps, 0, 'never twice at once for one key');
  t.equal(trace.maxInFlight, 2);
  const status = await h.manager.status('gated');
  t.equal(status.ready + status.processing, 0);
});

void t.test('errors back off 5 ms doubling per key; success forgets the failures', async (t) => {
  const trace = new ReconcileTrace();
  let failuresLeft = 4;
  const definition = scriptedController('flaky', trace, () => {
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new Error('boom');
    }
  });
  const h = new ControllerTestHarness({ controllers: [definition] });
  t.teardown(() => h.stop());
  await h.start();
  await h.store.create(CONFIGMAPS, configMap('default', 'a', { v: '1' }));
  await h.advance(1_000);
  const gaps = (times: number[]): number[] => times.slice(1).map((at, i) => at - times[i]!);
  t.same(gaps(trace.callsOf('default/a')), [5, 10, 20, 40]);
  failuresLeft = 2;
  await h.store.update(CONFIGMAPS, configMap('default', 'a', { v: '2' }));
  await h.advance(1_000);
  t.same(gaps(trace.callsOf('default/a').slice(5)), [5, 10], 'starts over at 5 ms after a success');
  t.equal(await sample(h.registry, 'controller_runtime_reconcile_total{controller="flaky",result="error"}'), 6);
  t.equal(await sample(h.registry, 'controller_runtime_reconcile_errors_total{controller="flaky"}'), 6);
  t.equal(await sample(h.registry, 'controller_runtime_reconcile_total{controller="flaky",result="success"}'), 2);
  t.equal(await sample(h.registry, 'workqueue_retries_total{name="flaky"}'), 6);
  t.ok((await sample(h.registry, 'workqueue_adds_total{name="flaky"}'))! >= 8);
  t.equal(h.logs.filter((e) => e.msg === 'reconcile failed').length, 6);
});

void t.test('requeueAfterMs brings the key back after exactly that long', async (t) => {
  const trace = new ReconcileTrace();
  const h = new ControllerTestHarness({ controllers: [scriptedController('timed', trace, () => ({ requeueAfterMs: 30_000 }))] });
  t.teardown(() => h.stop());
  await h.start();
  await h.store.create(CONFIGMAPS, configMap('default', 'a', {}));
  await h.settle();
  const startMs = h.clock.now();
  await h.advance(95_000);
  t.same(trace.callsOf('default/a').map((at) => at - startMs), [0, 30_000, 60_000, 90_000]);
  t.equal(await sample(h.registry, 'controller_runtime_reconcile_total{controller="timed",result="requeue_after"}'), 4);
});

void t.test('every primary key is reconciled again each resync period', async (t) => {
  const trace = new ReconcileTrace();
  const h = new ControllerTestHarness({ controllers: [scriptedController('resync', trace, () => undefined)], resyncPeriodMs: 60_000 });
  t.teardown(() => h.stop());
  await h.start();
  for (const name of ['a', 'b', 'c']) await h.store.create(CONFIGMAPS, configMap('default', name, {}));
  await h.advance(59_000);
  t.same(['a', 'b', 'c'].map((n) => trace.callsOf(`default/${n}`).length), [1, 1, 1], 'nothing changed, no resync yet');
  await h.advance(1_000);
  t.same(['a', 'b', 'c'].map((n) => trace.callsOf(`default/${n}`).length), [2, 2, 2]);
});

void t.test('a watch with relevantUpdate maps only the updates it says matter; adds and deletes always', async (t) => {
  const trace = new ReconcileTrace();
  const base = scriptedController('filtered', trace, () => undefined);
  const sink = { namespace: 'default', name: 'sink' };
  const definition = {
    ...base,
    watches: [
      {
        resource: CONFIGMAPS,
        mapToRequests: (object: { metadata?: { namespace?: string } }) => (object.metadata?.namespace === 'src' ? [sink] : []),
        relevantUpdate: (before: { data?: Record<string, string> }, after: { data?: Record<string, string> }) => before.data?.['k'] !== after.data?.['k'],
      },
    ],
  } as typeof base;
  const h = new ControllerTestHarness({ controllers: [definition] });
  t.teardown(() => h.stop());
  await h.start();
  const sinkCalls = (): number => trace.callsOf('default/sink').length;
  await h.store.create(CONFIGMAPS, configMap('src', 'a', { k: '1', other: '1' }));
  await h.settle();
  t.equal(sinkCalls(), 1, 'an add is mapped');
  await h.store.update(CONFIGMAPS, configMap('src', 'a', { k: '1', other: '2' }));
  await h.settle();
  t.equal(sinkCalls(), 1, 'an update the predicate calls irrelevant is not');
  t.equal(trace.callsOf('src/a').length, 2, 'the object itself, as a primary, is still reconciled');
  await h.store.update(CONFIGMAPS, configMap('src', 'a', { k: '2', other: '2' }));
  await h.settle();
  t.equal(sinkCalls(), 2, 'a relevant update is mapped');
  await h.store.delete({ ...CONFIGMAPS, namespace: 'src', name: 'a' });
  await h.settle();
  t.equal(sinkCalls(), 3, 'a delete is mapped');
});

void t.test('reconcilers are per-key actors over shards, passivated when idle and back on demand', async (t) => {
  const trace = new ReconcileTrace();
  const h = new ControllerTestHarness({ controllers: [scriptedController('sharded', trace, () => undefined)], shards: 4, reconcilerIdleMs: 10_000 });
  t.teardown(() => h.stop());
  await h.start();
  for (let i = 0; i < 6; i++) await h.store.create(CONFIGMAPS, configMap('default', `cm-${i}`, {}));
  await h.settle();
  const live = (): Promise<number | undefined> => sample(h.registry, 'flotilla_controller_reconciler_actors{controller="sharded"}');
  t.equal(await live(), 6, 'one actor per key');
  t.ok((await sample(h.registry, 'flotilla_actor_messages_handled_total{actor_type="sharded-reconciler-shard"}'))! >= 6, 'routed through the shards');
  await h.advance(11_000);
  t.equal(await live(), 0, 'passivated');
  await h.store.update(CONFIGMAPS, configMap('default', 'cm-3', { v: '2' }));
  await h.settle();
  t.equal(await live(), 1, 'recreated for its next request');
  t.equal(trace.callsOf('default/cm-3').length, 2);
});
