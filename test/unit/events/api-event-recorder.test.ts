// ApiEventRecorder: core/v1 Events with client-go's fields, aggregation of exact repeats within
// the window, per-object rate limiting, a bounded queue that drops, and never throwing.
import t from 'tap';
import { Registry } from 'prom-client';
import type { Event, Pod } from '../../../core/index.js';
import { InMemoryResourceClient, SeededRandom, resourceUnavailableError } from '../../../core/index.js';
import { ApiEventRecorder, EVENTS_RESOURCE, ManualClock } from '../../../actors/index.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { namespace: 'default', name: 'web-0', uid: 'uid-1', resourceVersion: '42' },
};

function setup(options: { maxQueued?: number } = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const store = new InMemoryResourceClient();
  const registry = new Registry();
  const recorder = new ApiEventRecorder({ client: store, clock, random: new SeededRandom(1), component: 'kubelet', host: 'node-1', registry, ...options });
  const events = async (): Promise<Event[]> => (await store.list<Event>(EVENTS_RESOURCE, { namespace: 'default' })).items;
  return { clock, store, recorder, events, registry };
}

void t.test('an Event names its object, source and reporter', async (t) => {
  const { recorder, events } = setup();
  recorder.record(pod, 'Normal', 'Pulled', 'Successfully pulled image "nginx"', 'spec.containers{web}');
  await recorder.flush();
  const [event, ...rest] = await events();
  t.same(rest, []);
  t.match(event, {
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'uid-1', apiVersion: 'v1', resourceVersion: '42', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "nginx"',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2023-11-14T22:13:20Z',
    lastTimestamp: '2023-11-14T22:13:20Z',
    count: 1,
    reportingComponent: 'kubelet',
    reportingInstance: 'node-1',
  });
  t.match(event!.metadata?.name, /^web-0\.[0-9a-f]+$/);
});

void t.test('repeats within 10 minutes bump count and lastTimestamp; other messages are new Events', async (t) => {
  const { recorder, events, clock } = setup();
  recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  clock.advance(60_000);
  recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  clock.advance(60_000);
  recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  recorder.record(pod, 'Warning', 'BackOff', 'another message');
  await recorder.flush();
  let all = await events();
  t.equal(all.length, 2);
  const backOff = all.find((e) => e.message === 'Back-off restarting failed container')!;
  t.equal(backOff.count, 3);
  t.equal(backOff.firstTimestamp, '2023-11-14T22:13:20Z');
  t.equal(backOff.lastTimestamp, '2023-11-14T22:15:20Z');
  clock.advance(11 * 60_000);
  recorder.record(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
  await recorder.flush();
  all = await events();
  t.equal(all.length, 3, 'after the window a new Event starts');
});

void t.test('an aggregated Event deleted meanwhile is created afresh', async (t) => {
  const { recorder, events, store } = setup();
  recorder.record(pod, 'Normal', 'Started', 'Started container web');
  await recorder.flush();
  const [first] = await events();
  await store.delete({ ...EVENTS_RESOURCE, namespace: 'default', name: first!.metadata!.name! });
  recorder.record(pod, 'Normal', 'Started', 'Started container web');
  await recorder.flush();
  const all = await events();
  t.equal(all.length, 1);
  t.equal(all[0]!.count, 1);
});

void t.test('each object may burst 25 Events, then one per 5 minutes', async (t) => {
  const { recorder, events, clock } = setup();
  const other: Pod = { ...pod, metadata: { ...pod.metadata, name: 'web-1', uid: 'uid-2' } };
  for (let i = 0; i < 30; i++) recorder.record(pod, 'Normal', 'Tick', `tick ${i}`);
  recorder.record(other, 'Normal', 'Tick', 'tick');
  await recorder.flush();
  t.equal((await events()).length, 26, '25 of web-0 and 1 of web-1');
  t.equal(recorder.dropped('rate_limited'), 5);
  clock.advance(5 * 60_000);
  recorder.record(pod, 'Normal', 'Tick', 'after refill');
  recorder.record(pod, 'Normal', 'Tick', 'too soon');
  await recorder.flush();
  t.equal((await events()).length, 27);
  t.equal(recorder.dropped('rate_limited'), 6);
});

void t.test('a full queue drops and counts; recording never throws and never blocks', async (t) => {
  const { recorder, events, registry } = setup({ maxQueued: 2 });
  for (let i = 0; i < 6; i++) recorder.record({ ...pod, metadata: { ...pod.metadata, name: `p-${i}`, uid: `u-${i}` } }, 'Normal', 'X', 'x');
  t.equal(recorder.queued, 2, 'bounded');
  await recorder.flush();
  t.equal((await events()).length, 3, 'the one being written and the two queued');
  t.equal(recorder.dropped('queue_full'), 3);
  t.match(await registry.metrics(), /flotilla_events_dropped_total\{reason="queue_full"\} 3/);
});

void t.test('write failures are swallowed and counted', async (t) => {
  const { recorder, store } = setup();
  store.failNext('create', resourceUnavailableError('down'));
  t.doesNotThrow(() => recorder.record(pod, 'Normal', 'X', 'x'));
  await recorder.flush();
  t.equal(recorder.dropped('write_failed'), 1);
  await recorder.stop();
  recorder.record(pod, 'Normal', 'Y', 'y');
  t.equal(recorder.dropped('stopped'), 1);
});
