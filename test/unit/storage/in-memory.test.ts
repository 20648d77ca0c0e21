// The storage contract against InMemoryStorage, on a manual clock: TTLs and bookmarks move only
// when the suite moves the clock.
import t from 'tap';
import { InMemoryStorage, ManualStorageClock } from '../../../core/index.js';
import { runStorageContract } from './contract.js';
import { settle } from './watch-recorder.js';

const BOOKMARK_INTERVAL_MS = 1_000;
const WATCH_MAX_PENDING_EVENTS = 4;

void t.test('InMemoryStorage meets the storage contract', async (t) => {
  const clock = new ManualStorageClock(1_000_000);
  const storage = new InMemoryStorage({ clock, bookmarkIntervalMs: BOOKMARK_INTERVAL_MS, watchMaxPendingEvents: WATCH_MAX_PENDING_EVENTS });
  t.teardown(() => storage.close());
  await runStorageContract(t, {
    storage,
    elapse: async (ms) => {
      clock.advance(ms);
      storage.expireLeases();
      await settle();
    },
    bookmarkIntervalMs: BOOKMARK_INTERVAL_MS,
    watchMaxPendingEvents: WATCH_MAX_PENDING_EVENTS,
    waitMs: 2_000,
  });
});
