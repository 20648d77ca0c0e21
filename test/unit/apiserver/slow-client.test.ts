// A slow or malicious client cannot take the server down: stalled headers, stalled and endless
// bodies, garbage on the socket, watchers that stop reading, and many watches dropped at once.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { request as httpRequest } from 'node:http';
import t from 'tap';
import type { Test } from 'tap';
import { Registry } from 'prom-client';
import { at, configMapManifest, openWatch, startTestApiServer } from './harness.js';
import type { TestApiServer, WatchClient } from './harness.js';

const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
/** Stalled connections held open at once while others are served. */
const STALLED_CLIENTS = 40;
/** Concurrent watches opened and then dropped. */
const WATCHES = 100;
/** How long a test waits for the server to notice dropped clients before calling it a leak. */
const SETTLE_WAIT_MS = 10_000;

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Everything the server writes on a socket until it closes it (or `waitMs` passes). */
function readAll(socket: Socket, waitMs: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve(text), waitMs);
    socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** Ordinary requests all succeed while whatever the test holds open is held. */
async function othersAreServed(t: Test, s: TestApiServer, label: string): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const res = await s.request({ path: `${CONFIGMAPS}?limit=1` });
    if (res.status !== 200) {
      t.fail(`${label}: request ${i} answered ${res.status}`);
      return;
    }
  }
  const created = await s.request({ method: 'POST', path: CONFIGMAPS, body: { metadata: { generateName: 'served-' } } });
  t.equal(created.status, 201, `${label}: reads and writes are served`);
}

/** Sums a gauge's values across its labels. */
async function gaugeTotal(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

async function eventually(check: () => Promise<boolean>, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

void t.test('clients that never finish their headers do not block others', async (t) => {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  const sockets: Socket[] = [];
  t.teardown(() => sockets.forEach((sock) => sock.destroy()));
  for (let i = 0; i < STALLED_CLIENTS; i++) {
    const sock = await openSocket(s.port);
    sock.on('error', () => undefined);
    sock.write(i % 2 === 0 ? 'GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: ' : 'GE');
    sockets.push(sock);
  }
  await othersAreServed(t, s, `${STALLED_CLIENTS} half-sent request heads`);
});

void t.test('clients that never finish their bodies do not block others', async (t) => {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  const sockets: Socket[] = [];
  t.teardown(() => sockets.forEach((sock) => sock.destroy()));
  for (let i = 0; i < STALLED_CLIENTS; i++) {
    const sock = await openSocket(s.port);
    sock.on('error', () => undefined);
    const chunked = i % 2 === 1;
    sock.write(`POST ${CONFIGMAPS} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${chunked ? 'Transfer-Encoding: chunked\r\n\r\n5\r\n{"met' : 'Content-Length: 100000\r\n\r\n{"metadata":'}`);
    sockets.push(sock);
  }
  await othersAreServed(t, s, `${STALLED_CLIENTS} half-sent bodies`);
  const names = ((at((await s.request({ path: CONFIGMAPS })).json, 'items') as unknown[]) ?? []).map((i) => String(at(i, 'metadata.name')));
  t.ok(names.every((n) => n.startsWith('served-')), 'nothing half-sent was stored');
});

void t.test('an endless chunked body is cut off at the limit with a 413 Status', async (t) => {
  const s = await startTestApiServer({ maxRequestBodyBytes: 64 * 1024 });
  t.teardown(() => s.close());
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: s.port, method: 'POST', path: CONFIGMAPS, headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, agent: false }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => {
        clearInterval(pump);
        req.destroy();
        resolve({ status: r.statusCode ?? 0, body });
      });
    });
    req.on('error', (err) => {
      clearInterval(pump);
      reject(err);
    });
    const chunk = Buffer.alloc(16 * 1024, 'a');
    // Keeps sending until the server answers; a server that buffered everything would never answer.
    const pump = setInterval(() => {
      if (!req.destroyed) req.write(chunk);
    }, 1);
  });
  t.equal(res.status, 413);
  t.equal(at(JSON.parse(res.body) as unknown, 'reason'), 'RequestEntityTooLarge');
  await othersAreServed(t, s, 'after an endless body');
});

void t.test('garbage on the socket gets a 400 and the server stays up', async (t) => {
  const s = await startTestApiServer();
  t.teardown(() => s.close());
  for (const garbage of ['GARBAGE\r\n\r\n', '\u0000\u0001\u0002\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n']) {
    const sock = await openSocket(s.port);
    sock.on('error', () => undefined);
    const answer = readAll(sock, SETTLE_WAIT_MS);
    sock.write(garbage);
    const text = await answer;
    sock.destroy();
    t.match(text, /^HTTP\/1\.1 4\d\d /, `${JSON.stringify(garbage.slice(0, 20))} is refused with a 4xx`);
  }
  await othersAreServed(t, s, 'after garbage');
});

void t.test('many watches dropped abruptly leave the server healthy and leak no watch', async (t) => {
  const registry = new Registry();
  const s = await startTestApiServer({ registry });
  t.teardown(() => s.close());
  const watches: WatchClient[] = [];
  for (let i = 0; i < WATCHES; i++) {
    const query = i % 3 === 0 ? '?watch=true' : i % 3 === 1 ? '?watch=true&labelSelector=a%3Db' : '?watch=true&resourceVersion=0';
    watches.push(await openWatch(s.port, `${CONFIGMAPS}${query}`, i % 5 === 0 ? { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } : {}));
  }
  t.equal(await gaugeTotal(registry, 'apiserver_longrunning_requests'), WATCHES, `${WATCHES} watches are open`);
  await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('while-watched') });
  const seen = await watches[0]!.next();
  t.equal(seen?.type, 'ADDED', 'a watch sees the write');

  for (const w of watches) w.destroy();
  const drained = await eventually(async () => (await gaugeTotal(registry, 'apiserver_longrunning_requests')) === 0, SETTLE_WAIT_MS);
  t.ok(drained, 'every dropped watch was ended on the server');
  for (let i = 0; i < 20; i++) await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest(`after-${i}`) });
  t.same(s.errorsLogged, [], 'writes after the drop fail nowhere');
  await othersAreServed(t, s, 'after the drop');

  const now = String(at((await s.request({ path: CONFIGMAPS })).json, 'metadata.resourceVersion'));
  const fresh = await openWatch(s.port, `${CONFIGMAPS}?watch=true&resourceVersion=${now}`);
  t.teardown(() => fresh.destroy());
  await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest('for-the-new-watch') });
  t.equal(at((await fresh.next())?.object, 'metadata.name'), 'for-the-new-watch', 'a new watch works');
});

void t.test('a watcher that stops reading holds back only itself', async (t) => {
  const s = await startTestApiServer({ watchMaxPendingEvents: 100 });
  t.teardown(() => s.close());
  const stalled = await new Promise<{ pause: () => void; resume: () => void; lines: () => string[]; ended: () => boolean; destroy: () => void }>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: s.port, path: `${CONFIGMAPS}?watch=true`, agent: false }, (res) => {
      let text = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      res.pause();
      resolve({ pause: () => res.pause(), resume: () => res.resume(), lines: () => text.split('\n').filter((l) => l !== ''), ended: () => ended, destroy: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
  t.teardown(() => stalled.destroy());
  const big = 'x'.repeat(4_000);
  for (let i = 0; i < 400; i++) {
    const res = await s.request({ method: 'POST', path: CONFIGMAPS, body: configMapManifest(`cm-${i}`, { big }) });
    if (res.status !== 201) {
      t.fail(`write ${i} answered ${res.status} while a watcher was stalled`);
      break;
    }
  }
  await othersAreServed(t, s, 'with a stalled watcher');
  stalled.resume();
  const finished = await eventually(async () => stalled.ended() || stalled.lines().length >= 400, SETTLE_WAIT_MS);
  t.ok(finished, 'the stalled watcher either catches up or is ended');
  const lines = stalled.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  const added = lines.filter((l) => l.type === 'ADDED').map((l) => String(at(l.object, 'metadata.name'))).filter((n) => n.startsWith('cm-'));
  t.same(added, added.map((_, i) => `cm-${i}`), 'what it got is in order with no gaps');
  t.same(s.errorsLogged, [], 'nothing was logged as a server failure');
});
