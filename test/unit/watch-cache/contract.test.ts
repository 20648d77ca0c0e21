// The storage contract against CachedStorage over InMemoryStorage, on one manual clock: the watch
// cache must be indistinguishable from the storage it fronts. The contract's keys are
// `/registry/contract-NNNN/pods/…`, so each scope's `…/pods` collection is one cached resource.
import t from 'tap';
import { CachedStorage } from '../../../actors/index.js';
import { InMemoryStorage, ManualStorageClock } from '../../../core/index.js';
import { runStorageContract } from '../storage/contract.js';
import { settle } from '../storage/watch-recorder.js';

const BOOKMARK_INTERVAL_MS = 1_000;
const WATCH_MAX_PENDING_EVENTS = 4;

/** `/registry/contract-NNNN/<resource>`: the contract suite's resource prefix. */
function contractPrefixOf(key: string): string | undefined {
  const m = /^(\/registry\/contract-[0-9]+\/[^/]+)(\/|$)/.exec(key);
  return m?.[1];
}

void t.test('CachedStorage(InMemoryStorage) meets the storage contract', async (t) => {
  const clock = new ManualStorageClock(1_000_000);
  const inner = new InMemoryStorage({ clock, bookmarkIntervalMs: BOOKMARK_INTERVAL_MS, watchMaxPendingEvents: WATCH_MAX_PENDING_EVENTS });
  const storage = new CachedStorage(inner, {
    scheduler: clock,
    bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
    watchMaxPendingEvents: WATCH_MAX_PENDING_EVENTS,
    resourcePrefixOf: contractPrefixOf,
  });
  t.teardown(() => storage.close());
  await runStorageContract(t, {
    storage,
    elapse: async (ms) => {
      clock.advance(ms);
      inner.expireLeases();
      await settle();
    },
    bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
    watchMaxPendingEvents: WATCH_MAX_PENDING_EVENTS,
    waitMs: 2_000,
  });
});
