// GrpcRaftTransport over real gRPC on loopback: ordering, payloads, failures, admission, metrics.
import t from 'tap';
import type { Test } from 'tap';
import * as grpc from '@grpc/grpc-js';
import { createServer } from 'node:net';
import type { Server as NetServer, Socket } from 'node:net';
import type { Message, NodeId } from '../../../raft/index.js';
import { message } from '../../../raft/index.js';
import type { GrpcRaftTransportOptions, PeerTransportLogger } from '../../../transport/index.js';
import { bindPeerServer, createPeerServer, encodePeerFrame, GrpcRaftTransport, InvalidPeerUrlError, PEER_METADATA, PEER_STREAM_PATH } from '../../../transport/index.js';
import { app, seqOf, sleep, snapshotChunks, waitFor } from './helpers.js';

const CLUSTER = 'cluster-test';

interface Member {
  readonly id: NodeId;
  readonly transport: GrpcRaftTransport;
  readonly url: string;
  readonly port: number;
  /** Everything received, in delivery order. */
  readonly received: Message[];
  readonly unreachable: NodeId[];
  readonly logs: { level: string; msg: string; fields?: Readonly<Record<string, unknown>> }[];
}

/** A started transport listening on its own server (port 0 unless given); stopped at teardown. */
async function member(t: Test, id: NodeId, options: Partial<GrpcRaftTransportOptions> & { port?: number } = {}): Promise<Member> {
  const logs: Member['logs'] = [];
  const logger: PeerTransportLogger = {
    info: (msg, fields) => logs.push({ level: 'info', msg, fields }),
    warn: (msg, fields) => logs.push({ level: 'warn', msg, fields }),
  };
  const transport = new GrpcRaftTransport({ selfId: id, clusterId: CLUSTER, logger, probeIntervalMs: 0, ...options });
  const received: Message[] = [];
  const unreachable: NodeId[] = [];
  transport.onReceive((ms) => {
    for (const m of ms) received.push(m);
  });
  transport.onUnreachable((peer) => unreachable.push(peer));
  t.teardown(() => transport.stop());
  const port = await transport.listen(`http://127.0.0.1:${options.port ?? 0}`);
  await transport.start();
  return { id, transport, url: `http://127.0.0.1:${port}`, port, received, unreachable, logs };
}

/** Connects every member to every other. */
function mesh(...members: Member[]): void {
  for (const a of members) for (const b of members) if (a !== b) a.transport.addPeer(b.id, b.url);
}

/** Sends `count` app() messages from → to, `perTurn` per event-loop turn. */
async function sendSeries(from: Member, to: NodeId, count: number, perTurn: number, payloadBytes = 16): Promise<void> {
  for (let sent = 0; sent < count; ) {
    const batch: Message[] = [];
    for (let i = 0; i < perTurn && sent < count; i++) batch.push(app(from.id, to, sent++, payloadBytes));
    from.transport.send(batch);
    await new Promise((r) => setImmediate(r));
  }
}

function fromPeer(m: Member, id: NodeId): Message[] {
  return m.received.filter((x) => x.from === id);
}

/** A port nothing listens on (bound by the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

void t.test('three members exchange messages in order, with payloads intact, batched into few frames', async (t) => {
  const [m1, m2, m3] = await Promise.all([member(t, 1), member(t, 2), member(t, 3)]);
  mesh(m1, m2, m3);
  const N = 20_000;
  await Promise.all([sendSeries(m1, 2, N, 1000), sendSeries(m1, 3, N, 500), sendSeries(m2, 1, N, 2000), sendSeries(m3, 2, N, 100, 200)]);
  await waitFor('all messages', () => m2.received.length === 2 * N && m1.received.length === N && m3.received.length === N);
  for (const [to, from] of [[m2, 1], [m3, 1], [m1, 2], [m2, 3]] as const) {
    const got = fromPeer(to, from);
    t.equal(got.length, N, `${from}→${to.id}: all arrived`);
    let inOrder = true;
    for (let i = 0; i < got.length && inOrder; i++) inOrder = seqOf(got[i]!) === i;
    t.ok(inOrder, `${from}→${to.id}: in the order sent`);
  }
  const sample = fromPeer(m2, 3)[123]!;
  t.strictSame(sample, app(3, 2, 123, 200), 'a message arrives field for field');
  t.equal(Object.getPrototypeOf(sample.entries[0]!.data), Uint8Array.prototype, 'payload is a Uint8Array');

  const s12 = m1.transport.stats().peers.find((p) => p.peerId === 2)!;
  const r21 = m2.transport.stats().peers.find((p) => p.peerId === 1)!;
  t.equal(s12.messagesSent, N);
  t.ok(s12.framesSent <= N / 1000 + 2, `1→2 used ${s12.framesSent} frames for ${N} messages`);
  t.equal(r21.messagesReceived, N);
  t.equal(r21.bytesReceived, s12.bytesSent, 'bytes received = bytes sent');
  t.equal(r21.framesReceived, s12.framesSent);
  t.ok(s12.active, 'the link is active');
  t.equal(s12.messagesDroppedOverflow + s12.messagesDroppedUnreachable + s12.messagesDroppedInvalid, 0, 'nothing dropped');
  t.strictSame([m1.unreachable, m2.unreachable, m3.unreachable], [[], [], []], 'nobody was unreachable');
});

void t.test('frames cut small still keep order across frames', async (t) => {
  const N = 10_000;
  const [a, b] = await Promise.all([member(t, 1, { frameTargetBytes: 4096, queueMaxMessages: N }), member(t, 2)]);
  mesh(a, b);
  a.transport.send(Array.from({ length: N }, (_, i) => app(1, 2, i)));
  await waitFor('all messages', () => b.received.length === N);
  t.strictSame(b.received.map(seqOf), Array.from({ length: N }, (_, i) => i));
  t.ok(a.transport.stats().peers[0]!.framesSent >= N / 60, 'many frames were used');
});

void t.test('snapshot chunks arrive intact, interleaved with heartbeats, including one over gRPC\'s 4 MiB default', async (t) => {
  const [a, b] = await Promise.all([member(t, 1), member(t, 2)]);
  mesh(a, b);
  const total = 3 * 1024 * 1024 + 12_345;
  const chunks = snapshotChunks(1, 2, total, 1024 * 1024);
  for (const c of chunks) a.transport.send([c, message({ type: 'MsgHeartbeat', from: 1, to: 2, term: 4, commit: 9 })]);
  const big = snapshotChunks(1, 2, 6 * 1024 * 1024, 6 * 1024 * 1024);
  a.transport.send(big);
  await waitFor('chunks', () => b.received.length === 2 * chunks.length + 1, 10_000);
  const got = b.received.filter((m) => m.type === 'MsgSnap');
  t.strictSame(got.map((m) => m.snapshot!.offset), chunks.map((c) => c.snapshot!.offset).concat([0]), 'chunks in order');
  const image = new Uint8Array(total);
  for (const m of got.slice(0, chunks.length)) image.set(m.snapshot!.data, m.snapshot!.offset);
  const expected = new Uint8Array(total);
  for (const c of chunks) expected.set(c.snapshot!.data, c.snapshot!.offset);
  t.ok(Buffer.from(image).equals(Buffer.from(expected)), 'reassembled snapshot equals the original');
  t.strictSame(got[0]!.snapshot!.metadata, { index: 100, term: 4, confState: { voters: [1, 2, 3], learners: [4] } });
  t.equal(got[chunks.length]!.snapshot!.data.byteLength, 6 * 1024 * 1024, 'a 6 MiB chunk went through');
  t.equal(b.received.filter((m) => m.type === 'MsgHeartbeat').length, chunks.length);
});

void t.test('a peer that is down: onUnreachable fires, send never throws, messages are dropped and counted', async (t) => {
  const a = await member(t, 1, { redialDelayMs: 50 });
  const port = await freePort();
  a.transport.addPeer(9, `http://127.0.0.1:${port}`);
  for (let i = 0; i < 20; i++) {
    t.doesNotThrow(() => a.transport.send([app(1, 9, i), message({ type: 'MsgHeartbeat', from: 1, to: 9 })]));
    await sleep(10);
  }
  await waitFor('unreachable report', () => a.unreachable.includes(9));
  const s = a.transport.stats().peers.find((p) => p.peerId === 9)!;
  t.notOk(s.active);
  t.ok(s.streamFailures >= 1, `${s.streamFailures} failed dials`);
  t.ok(s.messagesDroppedUnreachable > 0, `${s.messagesDroppedUnreachable} dropped as unreachable`);
  t.ok(a.logs.some((l) => l.msg === 'peer became inactive'), 'logged once as inactive');
  t.equal(a.logs.filter((l) => l.msg === 'peer became inactive').length, 1, 'and only once');
});

void t.test('a restarted peer is reached again within about a second', async (t) => {
  const a = await member(t, 1);
  const b = await member(t, 2);
  mesh(a, b);
  let seq = 0;
  const ticker = setInterval(() => a.transport.send([app(1, 2, seq++)]), 20);
  t.teardown(() => clearInterval(ticker));
  await waitFor('first delivery', () => b.received.length > 0);

  await b.transport.stop();
  await waitFor('unreachable report', () => a.unreachable.includes(2));
  // Stay down long enough for the channel's reconnect backoff to reach its cap.
  await sleep(2_000);
  const b2 = await member(t, 2, { port: b.port });
  const upAt = performance.now();
  await waitFor('delivery to the restarted peer', () => b2.received.length > 0, 5_000);
  const reachedMs = performance.now() - upAt;
  t.comment(`restarted peer reached ${reachedMs.toFixed(0)} ms after it was back`);
  // The channel backoff is capped at 1 s (+20% jitter); the rest is slack for a loaded machine.
  t.ok(reachedMs < 2_000, `reached within 2 s (took ${reachedMs.toFixed(0)} ms)`);
  const first = seqOf(b2.received[0]!);
  await waitFor('more messages', () => b2.received.length >= 10);
  t.strictSame(b2.received.slice(0, 10).map(seqOf), Array.from({ length: 10 }, (_, i) => first + i), 'flowing in order again');
  const s = a.transport.stats().peers.find((p) => p.peerId === 2)!;
  t.ok(s.reconnects >= 1, `${s.reconnects} reconnect(s) counted`);
  t.ok(a.logs.some((l) => l.msg === 'peer became active'), 'logged the peer as active again');
});

void t.test('a member of another cluster is refused, both as sender and receiver', async (t) => {
  const a = await member(t, 1);
  const b = await member(t, 2, { clusterId: 'other-cluster' });
  mesh(a, b);
  for (let i = 0; i < 5; i++) {
    a.transport.send([app(1, 2, i)]);
    b.transport.send([app(2, 1, i)]);
    await sleep(20);
  }
  await waitFor('both refused', () => a.unreachable.includes(2) && b.unreachable.includes(1));
  t.equal(a.received.length + b.received.length, 0, 'nothing delivered either way');
  t.ok(a.transport.stats().callsRejected >= 1 && b.transport.stats().callsRejected >= 1, 'both counted a refusal');
  const link = a.transport.stats().peers.find((p) => p.peerId === 2)!;
  t.notOk(link.active, 'a refused stream never counts as active');
  t.equal(link.reconnects, 0);
  t.ok(link.streamFailures >= 1);
  const refused = a.logs.find((l) => l.msg === 'peer refused the stream');
  t.equal(refused?.fields?.code, 'FAILED_PRECONDITION');
  t.match(String(refused?.fields?.error), /cluster id mismatch/);
});

void t.test('a stream addressed to another member id is refused', async (t) => {
  const a = await member(t, 1);
  const b = await member(t, 2);
  a.transport.addPeer(5, b.url); // member 2 listens there, not 5
  a.transport.send([app(1, 5, 0)]);
  await waitFor('refusal', () => a.unreachable.includes(5));
  t.equal(b.received.length, 0);
  t.match(String(a.logs.find((l) => l.msg === 'peer refused the stream')?.fields?.error), /member id mismatch/);
});

void t.test('calls without ids, and malformed frames, are refused', async (t) => {
  const b = await member(t, 2);
  const client = new grpc.Client(`127.0.0.1:${b.port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const call = (md: grpc.Metadata, frame: Buffer): Promise<grpc.ServiceError | null> =>
    new Promise((resolve) => {
      const id = (x: Buffer): Buffer => x;
      const stream = client.makeClientStreamRequest(PEER_STREAM_PATH, id, id, md, {}, (err) => resolve(err));
      stream.on('error', () => {});
      stream.write(frame);
      stream.end();
    });
  const noIds = new grpc.Metadata();
  noIds.set(PEER_METADATA.clusterId, CLUSTER);
  t.equal((await call(noIds, encodePeerFrame([app(1, 2, 0)])))?.code, grpc.status.INVALID_ARGUMENT, 'no ids');
  const ok = noIds.clone();
  ok.set(PEER_METADATA.from, '1');
  ok.set(PEER_METADATA.to, '2');
  t.equal((await call(ok, Buffer.from([0xc1])))?.code, grpc.status.INVALID_ARGUMENT, 'a malformed frame');
  t.equal(await call(ok, encodePeerFrame([app(1, 2, 7)])), null, 'a good frame');
  t.strictSame(b.received.map(seqOf), [7]);
  t.equal(b.transport.stats().callsRejected, 2);
});

void t.test('a peer that accepts TCP but never speaks gRPC: the queue stays bounded and the dial times out', async (t) => {
  const sockets = new Set<Socket>();
  const blackhole: NetServer = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    blackhole.close();
  });
  const a = await member(t, 1, { queueMaxMessages: 100, dialTimeoutMs: 300 });
  a.transport.addPeer(7, `http://127.0.0.1:${(blackhole.address() as { port: number }).port}`);
  for (let turn = 0; turn < 50; turn++) {
    t.doesNotThrow(() => a.transport.send(Array.from({ length: 100 }, (_, i) => app(1, 7, turn * 100 + i, 1000))));
    await new Promise((r) => setImmediate(r));
    const q = a.transport.stats().peers[0]!.queuedMessages;
    if (q > 100) t.fail(`queue grew to ${q}`);
  }
  t.ok(a.unreachable.includes(7), 'overflow reported the peer unreachable');
  await waitFor('dial timeout', () => a.logs.some((l) => l.msg === 'peer did not accept the stream in time'), 3_000);
  await waitFor('the stream cancelled', () => a.transport.stats().peers[0]!.streamFailures >= 1);
  const s = a.transport.stats().peers[0]!;
  t.ok(s.messagesDroppedOverflow > 0, `${s.messagesDroppedOverflow} dropped from the full queue`);
  t.equal(s.queuedMessages, 0, 'the queue was dropped with the stream');
  t.notOk(s.active);
});

void t.test('round-trip probes produce samples', async (t) => {
  const [a, b] = await Promise.all([member(t, 1, { probeIntervalMs: 50 }), member(t, 2)]);
  mesh(a, b);
  const samples: [NodeId, number][] = [];
  a.transport.onRoundTrip((id, seconds) => samples.push([id, seconds]));
  await waitFor('samples', () => samples.length >= 3);
  t.ok(samples.every(([id, s]) => id === 2 && s > 0 && s < 1), 'samples are from peer 2 and plausible');
  t.equal(a.transport.stats().peers[0]!.roundTripSeconds, samples[samples.length - 1]![1]);
});

void t.test('send before start, after stop, and to unknown peers drops without throwing', async (t) => {
  const tr = new GrpcRaftTransport({ selfId: 1, clusterId: CLUSTER });
  t.teardown(() => tr.stop());
  tr.addPeer(2, 'http://127.0.0.1:1');
  t.doesNotThrow(() => tr.send([app(1, 2, 0)]));
  await tr.start();
  t.doesNotThrow(() => tr.send([app(1, 3, 0), app(1, 1, 0)]));
  t.doesNotThrow(() => tr.send([{ type: 'MsgApp', to: 2, from: 1 } as Message]), 'not even for a malformed message');
  t.equal(tr.stats().peers.find((p) => p.peerId === 2)?.messagesDroppedInvalid, 1);
  await tr.stop();
  t.doesNotThrow(() => tr.send([app(1, 2, 1)]));
  const s = tr.stats();
  t.equal(s.messagesDroppedStopped, 2);
  t.equal(s.messagesDroppedUnknownPeer, 2);
});

void t.test('peer URLs are checked', (t) => {
  const tr = new GrpcRaftTransport({ selfId: 1, clusterId: CLUSTER });
  for (const url of ['127.0.0.1:2380', 'https://127.0.0.1:2380', 'http://127.0.0.1:2380/raft', 'not a url']) {
    t.throws(() => tr.addPeer(2, url), InvalidPeerUrlError, url);
  }
  t.doesNotThrow(() => tr.addPeer(2, 'http://[::1]:2380'));
  t.doesNotThrow(() => tr.addPeer(3, 'http://localhost:2380'));
  void tr.stop();
  t.end();
});

void t.test('on a server the member owns, next to its other services', async (t) => {
  // The member's peer-URL server: bound first, services added after, as a member that starts
  // its forward service later would.
  const server = createPeerServer();
  const port = await bindPeerServer(server, 'http://127.0.0.1:0');
  t.teardown(() => server.forceShutdown());
  const b = new GrpcRaftTransport({ selfId: 2, clusterId: CLUSTER, probeIntervalMs: 0 });
  b.register(server);
  const other: grpc.ServiceDefinition = {
    Echo: { path: '/test.Other/Echo', requestStream: false, responseStream: false, requestSerialize: (x: Buffer) => x, requestDeserialize: (x: Buffer) => x, responseSerialize: (x: Buffer) => x, responseDeserialize: (x: Buffer) => x },
  };
  server.addService(other, { Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const received: Message[] = [];
  b.onReceive((ms) => received.push(...ms));
  await b.start();
  const a = await member(t, 1);
  a.transport.addPeer(2, `http://127.0.0.1:${port}`);
  a.transport.send([app(1, 2, 0), app(1, 2, 1)]);
  await waitFor('delivery', () => received.length === 2);
  t.strictSame(received.map(seqOf), [0, 1]);

  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const echoed = await new Promise<Buffer | undefined>((resolve, reject) =>
    client.makeUnaryRequest('/test.Other/Echo', (x: Buffer) => x, (x: Buffer) => x, Buffer.from('hi'), (err, res) => (err ? reject(err) : resolve(res))),
  );
  t.equal(echoed?.toString(), 'hi', 'the other service is served on the same port');

  // stop() ends the inbound streams, so the member's graceful shutdown is not held up by them.
  await b.stop();
  await waitFor('sender notices', () => a.unreachable.includes(2));
  const started = performance.now();
  await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  t.ok(performance.now() - started < 1_000, 'the server shut down gracefully at once');
});
