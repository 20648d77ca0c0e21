import t from 'tap';
import { storeCompactor } from '../../../actors/index.js';
import { InMemoryStorage, StorageResourceVersionTooOldError } from '../../../core/index.js';
import { harness, settle } from '../actors/helpers.js';

void t.test('the compactor keeps one interval of history', async (t) => {
  const h = harness(t);
  const storage = new InMemoryStorage();
  t.teardown(() => storage.close());
  const interval = 60_000;
  await storage.create('/registry/configmaps/default/a', { metadata: { name: 'a' } });
  h.system.spawn(storeCompactor(storage, interval), 'compactor');
  await settle();
  // First tick: nothing compacted yet, only the revision remembered.
  h.clock.advance(interval);
  await settle();
  const remembered = await storage.currentRevision();
  for (let i = 0; i < 3; i++) await storage.guaranteedUpdate('/registry/configmaps/default/a', (cur) => ({ ...cur!, data: { i: String(i) } }));
  const listAtRemembered = await storage.getList('/registry/configmaps', { resourceVersion: String(remembered), resourceVersionMatch: 'Exact' });
  t.equal(listAtRemembered.items.length, 1, 'history from one interval ago is still there before the next tick');
  // Second tick: compacts to what the first tick saw.
  h.clock.advance(interval);
  let expired: unknown;
  for (let attempt = 0; attempt < 200 && expired === undefined; attempt++) {
    await settle();
    expired = await storage
      .getList('/registry/configmaps', { resourceVersion: String(remembered - 1), resourceVersionMatch: 'Exact' })
      .then(() => undefined, (err: unknown) => err);
  }
  t.ok(expired instanceof StorageResourceVersionTooOldError, 'history before the remembered revision is compacted away');
  const atRemembered = await storage.getList('/registry/configmaps', { resourceVersion: String(remembered), resourceVersionMatch: 'Exact' });
  t.equal(atRemembered.items.length, 1, 'the remembered revision itself is kept');
});
