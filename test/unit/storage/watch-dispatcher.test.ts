// Delivery to a watch consumer: order, deferral, pause, the pending bound, and the end.
// StorageWatchDispatcher is internal to core/storage; it is tested through InMemoryStorage's
// watches, whose events it delivers.
import t from 'tap';
import type { StorageWatch, StorageWatchEvent } from '../../../core/index.js';
import { InMemoryStorage, StorageWatchOverflowError } from '../../../core/index.js';
import { settle } from './watch-recorder.js';

const obj = (name: string): Record<string, unknown> => ({ metadata: { name } });

void t.test('events are never delivered inside the write that causes them, and always in order', async (t) => {
  const s = new InMemoryStorage();
  t.teardown(() => s.close());
  const seen: string[] = [];
  let writing = false;
  let insideWrite = false;
  const w = await s.watch('/registry/x', { resourceVersion: '', recursive: true }, (e) => {
    if (writing) insideWrite = true;
    seen.push(String((e.object.metadata as { name: string }).name));
  }, () => undefined);
  t.teardown(() => w.stop());
  for (let i = 0; i < 20; i++) {
    writing = true;
    const p = s.create(`/registry/x/${String(i).padStart(2, '0')}`, obj(String(i)));
    writing = false;
    await p;
  }
  await settle();
  t.notOk(insideWrite);
  t.same(seen, Array.from({ length: 20 }, (_, i) => String(i)));
});

void t.test('an overflow is reported even while paused, once, and nothing else follows', async (t) => {
  const s = new InMemoryStorage({ watchMaxPendingEvents: 2 });
  t.teardown(() => s.close());
  const events: StorageWatchEvent[] = [];
  const errors: Error[] = [];
  const w = await s.watch('/registry/x', { resourceVersion: '', recursive: true }, (e) => events.push(e), (e) => errors.push(e));
  w.pause();
  for (let i = 0; i < 5; i++) await s.create(`/registry/x/${i}`, obj(String(i)));
  await settle();
  t.equal(errors.length, 1);
  t.ok(errors[0] instanceof StorageWatchOverflowError);
  t.equal((errors[0] as StorageWatchOverflowError).maxPendingEvents, 2);
  w.resume();
  await s.create('/registry/x/late', obj('late'));
  await settle();
  t.same(events, [], 'the dropped backlog and later events are never delivered');
  t.equal(errors.length, 1);
});

void t.test('the initial state does not count against the pending bound', async (t) => {
  const s = new InMemoryStorage({ watchMaxPendingEvents: 2 });
  t.teardown(() => s.close());
  for (let i = 0; i < 5; i++) await s.create(`/registry/x/${i}`, obj(String(i)));
  const events: StorageWatchEvent[] = [];
  const errors: Error[] = [];
  const w = await s.watch('/registry/x', { resourceVersion: '0', recursive: true }, (e) => events.push(e), (e) => errors.push(e));
  t.teardown(() => w.stop());
  await settle();
  t.equal(events.length, 5);
  t.same(errors, []);
});

void t.test('a listener that throws ends its watch with that error', async (t) => {
  const s = new InMemoryStorage();
  t.teardown(() => s.close());
  const boom = new Error('listener bug');
  const errors: Error[] = [];
  let calls = 0;
  await s.watch('/registry/x', { resourceVersion: '', recursive: true }, () => {
    calls++;
    throw boom;
  }, (e) => errors.push(e));
  await s.create('/registry/x/a', obj('a'));
  await s.create('/registry/x/b', obj('b'));
  await settle();
  t.equal(calls, 1);
  t.same(errors, [boom]);
});

void t.test('close() stops every watch', async (t) => {
  const s = new InMemoryStorage();
  const events: StorageWatchEvent[] = [];
  await s.watch('/registry/x', { resourceVersion: '', recursive: true }, (e) => events.push(e), () => undefined);
  await s.close();
  t.same(events, []);
});

void t.test('the listener gets the watch, and can pause it from the first event', async (t) => {
  const s = new InMemoryStorage();
  t.teardown(() => s.close());
  for (let i = 0; i < 3; i++) await s.create(`/registry/x/${i}`, obj(String(i)));
  const seen: string[] = [];
  let held: StorageWatch | undefined;
  const w = await s.watch('/registry/x', { resourceVersion: '', recursive: true }, (e, watch) => {
    seen.push(String((e.object.metadata as { name: string }).name));
    if (held === undefined) {
      held = watch;
      watch.pause();
    }
  }, () => undefined);
  t.teardown(() => w.stop());
  await settle();
  t.equal(held, w, 'the same watch that watch() resolved to');
  t.same(seen, ['0'], 'paused after the first event');
  w.resume();
  await settle();
  t.same(seen, ['0', '1', '2']);
});
