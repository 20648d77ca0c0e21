// The controller work queue alone: client-go's workqueue semantics on a manual clock.
import t from 'tap';
import { ControllerWorkQueue, ManualClock, RECONCILE_BACKOFF_MAX_DELAY_MS, ReconcileBackoff } from '../../../actors/index.js';

function queue(maxKeys?: number): { q: ControllerWorkQueue; clock: ManualClock; readies: string[] } {
  const clock = new ManualClock(0);
  const readies: string[] = [];
  const q = new ControllerWorkQueue({ clock, onReady: () => readies.push('ready'), ...(maxKeys === undefined ? {} : { maxKeys }) });
  return { q, clock, readies };
}

void t.test('duplicates collapse while queued; order is FIFO', (t) => {
  const { q } = queue();
  q.add('a');
  q.add('b');
  q.add('a');
  t.equal(q.length, 2);
  t.equal(q.get(), 'a');
  t.equal(q.get(), 'b');
  t.equal(q.get(), undefined);
  t.end();
});

void t.test('a key being processed is not handed out again; dirty-while-running comes back on done', (t) => {
  const { q } = queue();
  q.add('a');
  t.equal(q.get(), 'a');
  q.add('a');
  q.add('a');
  t.equal(q.get(), undefined, 'not twice at once');
  t.equal(q.status().processing, 1);
  q.done('a');
  t.equal(q.get(), 'a', 're-added while running: ready again after done');
  q.done('a');
  t.equal(q.get(), undefined, 'once only');
  t.end();
});

void t.test('rate-limited adds back off 5 ms doubling, and forget starts over', (t) => {
  const { q, clock } = queue();
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const startMs = clock.now();
    q.addRateLimited('k');
    let waitedMs = 0;
    while (q.length === 0) {
      clock.advance(1);
      waitedMs++;
    }
    delays.push(clock.now() - startMs);
    t.equal(q.get(), 'k');
    q.done('k');
    t.ok(waitedMs > 0);
  }
  t.same(delays, [5, 10, 20, 40, 80]);
  t.equal(q.numRequeues('k'), 5);
  q.forget('k');
  t.equal(q.numRequeues('k'), 0);
  q.addRateLimited('k');
  clock.advance(4);
  t.equal(q.length, 0, 'not before 5 ms');
  clock.advance(1);
  t.equal(q.length, 1, 'back to 5 ms after forget');
  t.end();
});

void t.test('back-off is capped at 1000 s', (t) => {
  const backoff = new ReconcileBackoff();
  const delays = Array.from({ length: 25 }, () => backoff.when('k'));
  t.equal(delays[17], 5 * 2 ** 17);
  t.equal(delays[18], RECONCILE_BACKOFF_MAX_DELAY_MS);
  t.equal(delays[24], RECONCILE_BACKOFF_MAX_DELAY_MS);
  t.equal(backoff.when('other'), 5, 'per key');
  t.end();
});

void t.test('addAfter keeps the earliest due time and fires exactly then', (t) => {
  const { q, clock, readies } = queue();
  q.addAfter('k', 1_000);
  q.addAfter('k', 5_000);
  q.addAfter('k', 300);
  t.equal(q.status().waiting, 1);
  t.equal(q.status().nextDueMs, 300);
  clock.advance(299);
  t.equal(q.length, 0);
  clock.advance(1);
  t.equal(q.length, 1);
  t.equal(readies.length, 1, 'onReady when it came due');
  clock.advance(10_000);
  t.equal(q.length, 1, 'the later ones were dropped');
  t.end();
});

void t.test('the key bound refuses new keys and counts them', (t) => {
  const { q } = queue(2);
  q.add('a');
  q.add('b');
  q.add('c');
  q.addAfter('d', 10);
  t.equal(q.length, 2);
  t.equal(q.status().refused, 2);
  q.add('a');
  t.equal(q.status().refused, 2, 'a known key is not refused');
  t.end();
});

void t.test('shutdown cancels delayed adds and refuses more', (t) => {
  const { q, clock } = queue();
  q.addAfter('a', 10);
  q.shutdown();
  clock.advance(100);
  q.add('b');
  t.equal(q.length, 0);
  t.equal(clock.pendingTimers, 0);
  t.end();
});
