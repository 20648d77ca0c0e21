// The toy ConfigMap mirror controller converges with the harness despite dropped, duplicated and
// reordered watch events and a controller-manager restart midway (safety phase with faults, then
// a liveness phase that must converge). A failure names the seed that reproduces it.
import t from 'tap';
import type { ConfigMap } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import { CONFIGMAPS, ReconcileTrace, configMap, mirrorController } from './helpers.js';

async function converged(h: ControllerTestHarness): Promise<boolean> {
  const source = (await h.store.list<ConfigMap>(CONFIGMAPS, { namespace: 'src' })).items;
  const mirror = (await h.store.list<ConfigMap>(CONFIGMAPS, { namespace: 'dst' })).items;
  const text = (items: ConfigMap[]): string => JSON.stringify(items.map((c) => [c.metadata?.name, c.data ?? {}]));
  return text(source) === text(mirror);
}

for (const seed of [1, 2, 3]) {
  void t.test(`mirror converges despite watch faults and a restart (seed ${seed})`, async (t) => {
    const trace = new ReconcileTrace();
    const h = new ControllerTestHarness({
      controllers: [mirrorController(trace)],
      seed,
      faults: { dropProbability: 0.3, duplicateProbability: 0.2, reorderProbability: 0.3 },
    });
    t.teardown(() => h.stop());
    await h.start();
    for (let i = 0; i < 12; i++) await h.store.create(CONFIGMAPS, configMap('src', `cm-${i}`, { v: '1' }));
    await h.advance(5_000);
    for (let i = 0; i < 12; i += 3) await h.store.update(CONFIGMAPS, configMap('src', `cm-${i}`, { v: '2' }));
    await h.store.delete({ ...CONFIGMAPS, namespace: 'src', name: 'cm-1' });
    await h.store.create(CONFIGMAPS, configMap('dst', 'orphan', { v: 'x' }));
    await h.advance(3_000);
    await h.restart();
    await h.store.delete({ ...CONFIGMAPS, namespace: 'src', name: 'cm-2' });
    await h.store.update(CONFIGMAPS, configMap('src', 'cm-4', { v: '3' }));
    await h.store.create(CONFIGMAPS, configMap('src', 'late', { v: '1' }));
    await h.advance(10_000);
    t.ok(h.client.counts.dropped + h.client.counts.reordered > 0, 'faults were injected');

    await h.heal();
    const ok = await h.runUntil(() => converged(h), { maxMs: 10 * 60_000, stepMs: 5_000 });
    t.ok(ok, `converged (seed ${seed})`);
    t.equal(trace.overlaps, 0, 'never two reconciles of one key at once');
    t.ok(trace.maxInFlight <= 3, 'concurrency bound held');
    // Once converged it stays so, and stops working: a quiescent controller does nothing.
    const before = trace.calls.length;
    await h.advance(60_000);
    t.ok(await converged(h));
    t.equal(trace.calls.length, before, 'quiescent');
  });
}
