// The ServiceAccounts controller under the framework's harness, with watch faults and a restart.
import t from 'tap';
import { isNotFound } from '../../../core/index.js';
import { ControllerTestHarness } from '../../../actors/index.js';
import { serviceAccountController } from '../../../actors/index.js';

const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };
const SAS = { group: '', version: 'v1', resource: 'serviceaccounts' };

async function hasDefault(h: ControllerTestHarness, namespace: string): Promise<boolean> {
  try {
    await h.store.get({ ...SAS, namespace, name: 'default' });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}

for (const seed of [1, 2]) {
  void t.test(`every active namespace gets a default ServiceAccount, recreated when deleted (seed ${seed})`, async (t) => {
    const h = new ControllerTestHarness({ controllers: [serviceAccountController], seed, faults: { dropProbability: 0.3, reorderProbability: 0.3 } });
    t.teardown(() => h.stop());
    await h.start();
    for (const name of ['a', 'b', 'c']) await h.store.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } });
    await h.store.create(NAMESPACES, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going', finalizers: ['x'] }, status: { phase: 'Terminating' } });
    await h.advance(1_000);
    await h.restart();
    await h.store.delete({ ...SAS, namespace: 'a', name: 'default' }).catch(() => undefined);
    await h.advance(1_000);
    await h.heal();
    const ok = await h.runUntil(async () => (await hasDefault(h, 'a')) && (await hasDefault(h, 'b')) && (await hasDefault(h, 'c')), { maxMs: 10 * 60_000, stepMs: 10_000 });
    t.ok(ok, `converged (seed ${seed})`);
    t.notOk(await hasDefault(h, 'going'), 'a terminating namespace gets none');
    t.end();
  });
}
