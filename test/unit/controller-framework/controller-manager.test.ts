// The controller manager: starts after caches sync, stops cleanly and restarts; a status of a
// controller that is not running is a typed error.
import t from 'tap';
import { Registry } from 'prom-client';
import { InMemoryResourceClient, SeededRandom, resourceUnavailableError } from '../../../core/index.js';
import { ActorSystem, ControllerManager, ControllerNotRunningError, ManualClock, NULL_EVENT_RECORDER } from '../../../actors/index.js';
import { CONFIGMAPS, ReconcileTrace, configMap, scriptedController, until } from './helpers.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

void t.test('reconciles what exists at start, stops, and starts again from a fresh list', async (t) => {
  const clock = new ManualClock(0);
  const store = new InMemoryResourceClient();
  const system = new ActorSystem({ name: 'm', clock, random: new SeededRandom(1), logger: silent });
  t.teardown(() => system.shutdown());
  await store.create(CONFIGMAPS, configMap('default', 'a', {}));
  const trace = new ReconcileTrace();
  const manager = new ControllerManager({
    client: store,
    controllers: [scriptedController('c', trace, () => undefined)],
    clock,
    random: new SeededRandom(2),
    system,
    events: NULL_EVENT_RECORDER,
    registry: new Registry(),
    logger: silent,
  });
  await t.rejects(manager.status('c'), ControllerNotRunningError);
  await manager.start();
  t.ok(manager.controllersStarted);
  await until('a reconciled', () => trace.callsOf('default/a').length === 1);
  await manager.stop();
  t.notOk(manager.isRunning);
  await t.rejects(manager.status('c'), ControllerNotRunningError);
  t.equal(store.openWatches, 0, 'its informers stopped');
  await store.create(CONFIGMAPS, configMap('default', 'b', {}));
  await manager.start();
  await until('both reconciled after restart', () => trace.callsOf('default/a').length === 2 && trace.callsOf('default/b').length === 1);
  await t.rejects(manager.status('nope'), ControllerNotRunningError);
  await manager.stop();
  await manager.stop();
});

void t.test('a stop while caches are still syncing cancels the start', async (t) => {
  const clock = new ManualClock(0);
  const store = new InMemoryResourceClient();
  store.failNext('list', resourceUnavailableError('down'), 1_000);
  const manager = new ControllerManager({
    client: store,
    controllers: [scriptedController('c', new ReconcileTrace(), () => undefined)],
    clock,
    random: new SeededRandom(2),
    logger: silent,
  });
  const started = manager.start();
  await until('listing', () => store.requestCount('list') > 0);
  await manager.stop();
  await started;
  t.notOk(manager.controllersStarted);
  t.notOk(manager.isRunning);
});

void t.test('two controllers with one name are refused', (t) => {
  const def = scriptedController('same', new ReconcileTrace(), () => undefined);
  t.throws(() => new ControllerManager({ client: new InMemoryResourceClient(), controllers: [def, def], clock: new ManualClock(0), random: new SeededRandom(1), logger: silent }), RangeError);
  t.end();
});
