// ControllerManager.startWhenLeading: of two controller managers competing for one lease, only the
// leader's controllers reconcile; when it shuts down gracefully the other takes over.
import t from 'tap';
import { InMemoryResourceClient, SeededRandom } from '../../../core/index.js';
import { ControllerManager, LeaderElector, ManualClock } from '../../../actors/index.js';
import { CONFIGMAPS, ReconcileTrace, configMap, scriptedController, until } from '../controller-framework/helpers.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

void t.test('only the lease holder runs its controllers; a graceful stop hands over', async (t) => {
  const clock = new ManualClock(1_700_000_000_000);
  const store = new InMemoryResourceClient();
  const run = async (ms: number): Promise<void> => {
    for (let elapsed = 0; elapsed < ms; elapsed += 100) {
      clock.advance(100);
      for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const member = (identity: string, seed: number) => {
    const trace = new ReconcileTrace();
    const manager = new ControllerManager({
      client: store,
      controllers: [scriptedController('c', trace, () => undefined)],
      clock,
      random: new SeededRandom(seed),
      logger: silent,
      name: `cm-${identity}`,
    });
    const elector = new LeaderElector({ client: store, clock, random: new SeededRandom(seed), leaseName: 'kube-controller-manager', identity });
    return { trace, manager, elector };
  };
  const a = member('a', 1);
  const b = member('b', 2);
  t.teardown(async () => {
    for (const m of [a, b]) {
      await m.manager.stop();
      await m.elector.stop();
    }
  });
  await store.create(CONFIGMAPS, configMap('default', 'x', {}));
  a.manager.startWhenLeading(a.elector);
  await run(100);
  b.manager.startWhenLeading(b.elector);
  await until('a reconciled', () => a.trace.calls.length === 1);
  await run(10_000);
  t.ok(a.manager.isRunning);
  t.notOk(b.manager.isRunning, 'the candidate runs no controllers');
  t.equal(b.trace.calls.length, 0);

  await a.manager.stop();
  await a.elector.stop();
  await run(5_000);
  await until('b reconciled', () => b.trace.calls.length === 1);
  t.ok(b.elector.isLeader);
  t.ok(b.manager.isRunning);
  t.equal(a.trace.calls.length, 1);
});
