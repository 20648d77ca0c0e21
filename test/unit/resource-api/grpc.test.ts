// The resource API over real gRPC on loopback: every verb, errors as typed Statuses, watch
// batching, failover between masters, bearer-token authentication, and an informer on top.
import t from 'tap';
import type { Test } from 'tap';
import * as grpc from '@grpc/grpc-js';
import type { ClientClock, ResourceClient, ResourceObject, ResourceWatchEvent } from '../../../core/index.js';
import {
  InMemoryResourceClient,
  isAlreadyExists,
  isConflict,
  isGone,
  isNotFound,
  ResourceApiError,
  resourceNotFoundError,
  SeededRandom,
  SharedInformer,
} from '../../../core/index.js';
import type { ResourceApiService, ResourceApiServiceOptions, ResourceApiUser } from '../../../transport/index.js';
import { addResourceApiService, GrpcResourceClient, RESOURCE_SERVER_OPTIONS, RESOURCE_STATUS_TRAILER, resourceMethodPath, staticTokenAuthenticator } from '../../../transport/index.js';

const PODS = { group: '', version: 'v1', resource: 'pods' } as const;

function pod(name: string, labels?: Record<string, string>): ResourceObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
}

interface Master {
  readonly address: string;
  readonly service: ResourceApiService;
  /** Ends watches and cuts every connection; later calls to this address are refused. */
  kill(): void;
}

async function master(t: Test, impl: ResourceClient, options: ResourceApiServiceOptions = {}): Promise<Master> {
  const server = new grpc.Server(RESOURCE_SERVER_OPTIONS);
  const service = addResourceApiService(server, impl, options);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  let alive = true;
  const kill = (): void => {
    if (!alive) return;
    alive = false;
    service.closeWatches();
    server.forceShutdown();
  };
  t.teardown(kill);
  return { address: `127.0.0.1:${port}`, service, kill };
}

function client(t: Test, masters: string[], options: { token?: string; callTimeoutMs?: number } = {}): GrpcResourceClient {
  const c = new GrpcResourceClient({ masters, callTimeoutMs: options.callTimeoutMs ?? 5_000, connectTimeoutMs: 1_000, ...(options.token === undefined ? {} : { token: options.token }) });
  t.teardown(() => c.close());
  return c;
}

async function rejection(p: Promise<unknown>): Promise<ResourceApiError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResourceApiError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A port nothing listens on: bound, then released. */
async function deadAddress(t: Test): Promise<string> {
  const m = await master(t, new InMemoryResourceClient());
  m.kill();
  return m.address;
}

/** An implementation whose writes never answer, counting them. */
function hangingClient() {
  const calls = { create: 0, update: 0 };
  class Hanging extends InMemoryResourceClient {
    override create<T extends ResourceObject = ResourceObject>(): Promise<T> {
      calls.create++;
      return new Promise<T>(() => undefined);
    }
    override update<T extends ResourceObject = ResourceObject>(): Promise<T> {
      calls.update++;
      return new Promise<T>(() => undefined);
    }
  }
  return { impl: new Hanging(), calls };
}

function recordWatch(c: ResourceClient, resourceVersion: string, labelSelector?: string) {
  const batches: ResourceWatchEvent[][] = [];
  const closed: (Error | undefined)[] = [];
  const handle = c.watch(PODS, { resourceVersion, allowWatchBookmarks: true, ...(labelSelector === undefined ? {} : { labelSelector }) }, (b) => batches.push([...b]), (err) => closed.push(err));
  return { batches, closed, handle, events: () => batches.flat() };
}

void t.test('every verb round-trips through gRPC', async (t) => {
  const fake = new InMemoryResourceClient();
  const m = await master(t, fake);
  const c = client(t, [m.address]);

  const created = await c.create(PODS, pod('a', { app: 'web' }));
  t.same(created, await fake.get({ ...PODS, namespace: 'ns', name: 'a' }), 'create answers the stored object');
  const noLabels = await c.create(PODS, pod('b'));
  t.notOk('labels' in (noLabels.metadata ?? {}), 'undefined properties are left out, as JSON would');
  const dry = await c.create(PODS, pod('dry'), { dryRun: true });
  t.equal(dry.metadata?.name, 'dry');
  t.ok(isNotFound(await rejection(fake.get({ ...PODS, namespace: 'ns', name: 'dry' }))), 'dry run stores nothing');

  const got = await c.get({ ...PODS, namespace: 'ns', name: 'a' });
  t.same(got, created);
  const list = await c.list(PODS, { namespace: 'ns', limit: 1 });
  t.same(list.items.map((o) => o.metadata?.name), ['a']);
  t.equal(list.resourceVersion, '2');
  const rest = await c.list(PODS, { namespace: 'ns', limit: 1, continue: list.continue! });
  t.same(rest.items.map((o) => o.metadata?.name), ['b']);
  t.equal(rest.continue, undefined);
  t.same((await c.list(PODS, { labelSelector: 'app=web' })).items.length, 1);

  const updated = await c.update(PODS, { ...got, metadata: { ...got.metadata, labels: { app: 'api' } } });
  t.same(updated.metadata?.labels, { app: 'api' });
  const status = await c.updateStatus(PODS, { ...updated, status: { phase: 'Running' } });
  t.same(status['status'], { phase: 'Running' });
  const patched = await c.patch({ ...PODS, namespace: 'ns', name: 'a' }, 'merge', { metadata: { annotations: { note: 'x' } } });
  t.same(patched.metadata?.annotations, { note: 'x' });
  const jsonPatched = await c.patch({ ...PODS, namespace: 'ns', name: 'a' }, 'json', [{ op: 'add', path: '/metadata/labels/extra', value: 'y' }]);
  t.same(jsonPatched.metadata?.labels, { app: 'api', extra: 'y' });
  const deleted = await c.delete({ ...PODS, namespace: 'ns', name: 'a' }, { preconditions: { uid: created.metadata?.uid ?? '' } });
  t.equal(deleted.metadata?.name, 'a');
  t.equal(fake.requestCount('delete'), 1);
  t.ok(isNotFound(await rejection(c.get({ ...PODS, namespace: 'ns', name: 'a' }))));
});

void t.test('failures arrive as typed Statuses, with mapped gRPC codes', async (t) => {
  const fake = new InMemoryResourceClient();
  class Faulty extends InMemoryResourceClient {
    override get<T extends ResourceObject = ResourceObject>(): Promise<T> {
      return Promise.reject(new Error('disk on fire'));
    }
    override list(): never {
      throw Object.assign(new Error('custom'), { toStatus: () => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'slow down', reason: 'TooManyRequests', code: 429 }) });
    }
  }
  const m = await master(t, fake);
  const faulty = await master(t, new Faulty());
  const c = client(t, [m.address]);
  await c.create(PODS, pod('a'));

  const notFound = await rejection(c.get({ ...PODS, namespace: 'ns', name: 'zz' }));
  t.ok(isNotFound(notFound));
  t.same(notFound.status, resourceNotFoundError(PODS, 'zz').status, 'the Status survives the wire intact');
  t.ok(isAlreadyExists(await rejection(c.create(PODS, pod('a')))));
  const current = await c.get({ ...PODS, namespace: 'ns', name: 'a' });
  await c.update(PODS, { ...current, metadata: { ...current.metadata, labels: { v: '1' } } });
  t.ok(isConflict(await rejection(c.update(PODS, current))));
  t.equal((await rejection(c.list(PODS, { labelSelector: '!!' }))).code, 400);
  fake.compact();
  t.ok(isGone(await rejection(c.list(PODS, { resourceVersion: '1', resourceVersionMatch: 'Exact' }))));
  t.equal((await rejection(c.patch({ ...PODS, namespace: 'ns', name: 'a' }, 'json', { not: 'a list' }))).code, 400);

  const f = client(t, [faulty.address]);
  const internal = await rejection(f.get({ ...PODS, namespace: 'ns', name: 'a' }));
  t.equal(internal.code, 500);
  t.equal(internal.reason, 'InternalError');
  t.equal(internal.message, 'Internal error occurred: disk on fire');
  const throttled = await rejection(f.list(PODS));
  t.equal(throttled.code, 429, 'an error with toStatus() keeps its own Status');

  // The raw gRPC view: NOT_FOUND with the Status in the trailer.
  const raw = new grpc.Client(m.address, grpc.credentials.createInsecure());
  t.teardown(() => raw.close());
  const body = Buffer.from([0x81, 0xa3, 0x72, 0x65, 0x66, 0x80]); // {ref: {}}: malformed
  const rawError = await new Promise<grpc.ServiceError>((resolve) => raw.makeUnaryRequest(resourceMethodPath('Get'), (b: Buffer) => b, (b: Buffer) => b, body, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (err) => resolve(err!)));
  t.equal(rawError.code, grpc.status.INVALID_ARGUMENT, 'a malformed request is INVALID_ARGUMENT');
  t.ok(rawError.metadata.get(RESOURCE_STATUS_TRAILER)[0], 'with a Status trailer');
});

void t.test('watch: batches of at most 100 events, 410 as an ERROR event, stop cancels the server side', async (t) => {
  const fake = new InMemoryResourceClient();
  const m = await master(t, fake);
  const c = client(t, [m.address]);
  await c.create(PODS, pod('first'));
  const w = recordWatch(c, fake.resourceVersion);
  await waitFor('the server to open the watch', () => fake.openWatches === 1);
  await Promise.all(Array.from({ length: 250 }, (_, i) => fake.create(PODS, pod(`p${i}`))));
  await waitFor('250 events', () => w.events().length === 250);
  t.same(w.batches.map((b) => b.length), [100, 100, 50], 'one write burst travels as full frames');
  t.same(w.events().map((e) => e.object.metadata?.resourceVersion), Array.from({ length: 250 }, (_, i) => String(i + 2)), 'in order');

  const p = await fake.get({ ...PODS, namespace: 'ns', name: 'p0' });
  await fake.update(PODS, { ...p, metadata: { ...p.metadata, labels: { x: 'y' } } });
  await waitFor('a single event', () => w.events().length === 251);
  t.same(w.batches.at(-1)?.map((e) => e.type), ['MODIFIED'], 'a lone event goes out on the next turn');
  w.handle.stop();
  await waitFor('the server-side watch to stop', () => fake.openWatches === 0);
  t.same(w.closed, [], 'no onClose after stop()');

  fake.compact();
  const old = recordWatch(c, '1');
  await waitFor('the watch to end', () => old.closed.length === 1);
  t.same(old.events().map((e) => e.type), ['ERROR']);
  t.ok(isGone(old.events()[0]?.object));
  t.same(old.closed, [undefined]);

  const bad = recordWatch(c, '0', 'a in (');
  await waitFor('the watch to fail', () => bad.closed.length === 1);
  t.equal((bad.closed[0] as ResourceApiError).code, 400);
});

void t.test('failover: reads and replay-safe writes move on, writes that may have landed do not', async (t) => {
  const fake = new InMemoryResourceClient();
  const hanging = hangingClient();
  const a = await master(t, fake);
  const b = await master(t, fake);
  const c = client(t, [a.address, b.address]);
  await c.create(PODS, pod('x'));
  t.equal(c.currentMaster, a.address);
  a.kill();
  t.ok(await c.get({ ...PODS, namespace: 'ns', name: 'x' }), 'a read reaches the live master');
  t.equal(c.currentMaster, b.address);

  const dead = await deadAddress(t);
  const d = client(t, [dead, b.address]);
  const created = await d.create(PODS, pod('y'));
  t.equal(created.metadata?.name, 'y', 'a write refused before sending goes to the next master');
  t.equal(d.currentMaster, b.address);

  // A master that accepts a write and dies before answering: the write may have landed.
  const h = await master(t, hanging.impl);
  const e = client(t, [h.address, b.address]);
  const pending = rejection(e.create(PODS, pod('z')));
  await waitFor('the create to reach the hanging master', () => hanging.calls.create === 1);
  const createsBefore = fake.requestCount('create');
  h.kill();
  const lost = await pending;
  t.equal(lost.code, 503, 'reported as unavailable');
  t.equal(fake.requestCount('create'), createsBefore, 'and not replayed on another master');

  const h2 = await master(t, hanging.impl);
  const g = client(t, [h2.address, b.address]);
  const current = await fake.get({ ...PODS, namespace: 'ns', name: 'x' });
  const updating = g.update(PODS, { ...current, metadata: { ...current.metadata, labels: { via: 'failover' } } });
  await waitFor('the update to reach the hanging master', () => hanging.calls.update === 1);
  h2.kill();
  const updated = await updating;
  t.same(updated.metadata?.labels, { via: 'failover' }, 'an update with a resourceVersion is replayed on the next master');
});

void t.test('a watch on a master that goes away ends, and the next watch uses another master', async (t) => {
  const fake = new InMemoryResourceClient();
  const a = await master(t, fake);
  const b = await master(t, fake);
  const c = client(t, [a.address, b.address]);
  const w = recordWatch(c, fake.resourceVersion);
  await waitFor('the watch to open', () => a.service.openWatches === 1);
  a.kill();
  await waitFor('the watch to end', () => w.closed.length === 1);
  t.equal((w.closed[0] as ResourceApiError).code, 503);
  t.equal(c.currentMaster, b.address);
  const again = recordWatch(c, fake.resourceVersion);
  await waitFor('the second watch to open', () => b.service.openWatches === 1);
  await fake.create(PODS, pod('after'));
  await waitFor('the event', () => again.events().length === 1);
  again.handle.stop();
});

void t.test('bearer tokens: calls without a valid token are refused with 401', async (t) => {
  const fake = new InMemoryResourceClient();
  const users: (string | undefined)[] = [];
  const m = await master(t, fake, {
    authenticate: staticTokenAuthenticator(new Map<string, ResourceApiUser>([['s3cret', { name: 'system:node:n1', groups: ['system:nodes'] }]])),
    clientForUser: (user) => {
      users.push(user?.name);
      return fake;
    },
  });
  for (const token of [undefined, 'wrong']) {
    const c = client(t, [m.address], token === undefined ? {} : { token });
    const refused = await rejection(c.list(PODS));
    t.equal(refused.code, 401, `token ${String(token)}`);
    t.equal(refused.reason, 'Unauthorized');
    const w = recordWatch(c, '0');
    await waitFor('the watch to be refused', () => w.closed.length === 1);
    t.equal((w.closed[0] as ResourceApiError).code, 401);
  }
  t.equal(fake.requestCount('list'), 0, 'refused calls never reach the implementation');
  const ok = client(t, [m.address], { token: 's3cret' });
  t.same((await ok.list(PODS)).items, []);
  t.same(users, ['system:node:n1']);
});

void t.test('an informer over gRPC follows a failover between masters', async (t) => {
  const fake = new InMemoryResourceClient();
  const a = await master(t, fake);
  const b = await master(t, fake);
  const c = client(t, [a.address, b.address]);
  const wallClock: ClientClock = {
    now: () => performance.now(),
    setTimeout: (fn, ms) => {
      const timer = setTimeout(fn, ms);
      return { cancel: () => clearTimeout(timer) };
    },
  };
  await fake.create(PODS, pod('before'));
  const informer = new SharedInformer({ client: c, resource: PODS, clock: wallClock, random: new SeededRandom(1) });
  t.teardown(() => informer.stop());
  const seen: string[] = [];
  informer.addEventHandler({ onAdd: (o) => seen.push(o.metadata?.name ?? '') });
  informer.start();
  await informer.waitForSync();
  await waitFor('the informer watch', () => a.service.openWatches === 1);
  a.kill();
  await fake.create(PODS, pod('during'));
  await waitFor('the informer to resume on the other master', () => b.service.openWatches === 1);
  await fake.create(PODS, pod('after'));
  await waitFor('all three objects', () => seen.length === 3);
  t.same(seen, ['before', 'during', 'after']);
  t.equal(fake.requestCount('list'), 1, 'resumed from the last resourceVersion, without relisting');
});

void t.test('close() ends watches without onClose and refuses later calls', async (t) => {
  const fake = new InMemoryResourceClient();
  const m = await master(t, fake);
  const c = new GrpcResourceClient({ masters: [m.address] });
  const w = recordWatch(c, '0');
  await waitFor('the watch to open', () => m.service.openWatches === 1);
  c.close();
  await waitFor('the server-side watch to stop', () => fake.openWatches === 0);
  t.same(w.closed, []);
  t.equal((await rejection(c.list(PODS))).code, 503);
  const late = recordWatch(c, '0');
  await waitFor('the late watch to be refused', () => late.closed.length === 1);
  t.equal((late.closed[0] as ResourceApiError).code, 503);
});
