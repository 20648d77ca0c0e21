// The etcd API's wire edge through a gRPC client built from the same protos: encoding (proto3
// canonical form, 64-bit ids), error statuses, the request size limit, deadlines, and the unary
// and streaming methods etcdctl reaches only partly (count_only, keep-alive streams, snapshot).
import { createHash } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { GRPC_OVERHEAD_BYTES, etcdProtoDir } from '../../../transport/index.js';
import { FAKE_CLUSTER_ID, FAKE_MEMBER_ID } from './fake-store.js';
import { bytes, call, callError, callRaw, etcdClients, startServer, text, waitUntil } from './harness.js';

/** Top-level fields of a protobuf message: field number → values (varints as numbers, the rest as bytes). */
function protoFields(buf: Buffer): Map<number, (number | Buffer)[]> {
  const fields = new Map<number, (number | Buffer)[]>();
  let i = 0;
  const varint = (): number => {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated varint');
      n += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return n;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    let value: number | Buffer;
    switch (key & 7) {
      case 0:
        value = varint();
        break;
      case 2: {
        const len = varint();
        value = buf.subarray(i, i + len);
        i += len;
        break;
      }
      case 1:
        value = buf.subarray(i, i + 8);
        i += 8;
        break;
      default:
        value = buf.subarray(i, i + 4);
        i += 4;
    }
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const fieldNumbers = (buf: Buffer): number[] => [...protoFields(buf).keys()].sort((a, b) => a - b);

void t.test('the protos are found from dist/', (t) => {
  t.match(etcdProtoDir(), /transport\/etcd\/proto\/$/);
  t.notMatch(etcdProtoDir(), /dist\//, 'from the source tree: tsc copies no .proto');
  t.end();
});

void t.test('responses leave default scalars off the wire, as etcd does', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  await call(c.kv, 'Put', { key: bytes('k'), value: bytes('v') });

  const range = await callRaw(h, '/etcdserverpb.KV/Range', { key: bytes('k') });
  t.same(fieldNumbers(range), [1, 2, 4], 'header, kvs, count; more=false is absent');
  const kv = protoFields(range).get(2)?.[0] as Buffer;
  t.same(fieldNumbers(kv), [1, 2, 3, 4, 5], 'a KeyValue without lease has no field 6');
  const header = protoFields(range).get(1)?.[0] as Buffer;
  t.same(protoFields(header).get(1), [FAKE_CLUSTER_ID], 'cluster_id, uint64 beyond 32 bits');
  t.same(protoFields(header).get(2), [FAKE_MEMBER_ID]);

  const del = await callRaw(h, '/etcdserverpb.KV/DeleteRange', { key: bytes('missing') });
  t.same(fieldNumbers(del), [1], 'deleted=0 is absent');
  const keysOnly = await callRaw(h, '/etcdserverpb.KV/Range', { key: bytes('k'), keysOnly: true });
  t.same(fieldNumbers(protoFields(keysOnly).get(2)?.[0] as Buffer), [1, 2, 3, 4], 'an empty value is absent');
});

void t.test('64-bit ids round-trip as numbers', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const list = await call<{ header: { clusterId: number; memberId: number }; members: { ID: number }[] }>(c.cluster, 'MemberList', {});
  t.same(list.header.clusterId, FAKE_CLUSTER_ID);
  t.same(list.members.map((m) => m.ID), [FAKE_MEMBER_ID]);
  const id = 2 ** 52 + 3;
  const granted = await call<{ ID: number; TTL: number }>(c.lease, 'LeaseGrant', { TTL: 30, ID: id });
  t.equal(granted.ID, id);
  const ttl = await call<{ ID: number; grantedTTL: number }>(c.lease, 'LeaseTimeToLive', { ID: id });
  t.same([ttl.ID, ttl.grantedTTL], [id, 30]);
  const added = await call<{ member: { ID: number } }>(c.cluster, 'MemberAdd', { peerURLs: ['http://10.1.1.1:2380'], isLearner: true });
  await call(c.cluster, 'MemberPromote', { ID: added.member.ID });
  const removed = await call<{ members: { ID: number }[] }>(c.cluster, 'MemberRemove', { ID: added.member.ID });
  t.same(removed.members.map((m) => m.ID), [FAKE_MEMBER_ID]);
});

void t.test('store errors become statuses with etcd\'s code and message; others are Internal and logged', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const empty = await callError(c.kv, 'Range', { key: bytes('') });
  t.same([empty.code, empty.details], [grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided']);
  const lease = await callError(c.kv, 'Put', { key: bytes('k'), value: bytes('v'), lease: 42 });
  t.same([lease.code, lease.details], [grpc.status.NOT_FOUND, 'etcdserver: requested lease not found']);
  const future = await callError(c.kv, 'Range', { key: bytes('k'), revision: 99 });
  t.same([future.code, future.details], [grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision']);
  const member = await callError(c.cluster, 'MemberRemove', { ID: 12345 });
  t.same([member.code, member.details], [grpc.status.NOT_FOUND, 'etcdserver: member not found']);
  t.equal(h.logged.length, 0, 'typed errors are not logged');

  h.fake.range = () => Promise.reject(new Error('disk on fire'));
  const bug = await callError(c.kv, 'Range', { key: bytes('k') });
  t.same([bug.code, bug.details], [grpc.status.INTERNAL, 'disk on fire']);
  t.same(
    h.logged.map((l) => [l.message, l.fields.method, l.fields.error]),
    [['etcd API call failed', 'KV.Range', 'disk on fire']],
  );
});

void t.test('writes over max request bytes are refused with etcd\'s error; gRPC takes 512 KiB more', async (t) => {
  const maxRequestBytes = 4096;
  const h = await startServer(t, { server: { maxRequestBytes } });
  const c = etcdClients(t, h, { 'grpc.max_send_message_length': -1 });
  await call(c.kv, 'Put', { key: bytes('k'), value: Buffer.alloc(4000) });
  t.pass('under the limit');
  const put = await callError(c.kv, 'Put', { key: bytes('k'), value: Buffer.alloc(4100) });
  t.same([put.code, put.details], [grpc.status.INVALID_ARGUMENT, 'etcdserver: request is too large']);
  const txn = await callError(c.kv, 'Txn', {
    success: [{ requestPut: { key: bytes('a'), value: Buffer.alloc(2500) } }, { requestPut: { key: bytes('b'), value: Buffer.alloc(2500) } }],
  });
  t.same([txn.code, txn.details], [grpc.status.INVALID_ARGUMENT, 'etcdserver: request is too large']);
  const huge = await callError(c.kv, 'Put', { key: bytes('k'), value: Buffer.alloc(maxRequestBytes + GRPC_OVERHEAD_BYTES + 1) });
  t.equal(huge.code, grpc.status.RESOURCE_EXHAUSTED, 'beyond the gRPC limit the transport refuses it');
  const read = await call<{ kvs: unknown[] }>(c.kv, 'Range', { key: bytes('k') });
  t.equal(read.kvs.length, 1, 'reads are not limited');
});

void t.test('the client\'s deadline is passed to the store; without one, the default', async (t) => {
  const h = await startServer(t, { server: { defaultDeadlineMs: 4321 } });
  const c = etcdClients(t, h);
  await call(c.kv, 'Range', { key: bytes('k') }, { deadline: Date.now() + 2500 });
  const given = h.fake.lastDeadlineMs ?? 0;
  t.ok(given > 1500 && given <= 2500, `deadline ${given} ms`);
  await call(c.kv, 'Range', { key: bytes('k') });
  t.equal(h.fake.lastDeadlineMs, 4321);
});

void t.test('range options etcdctl 3.4 cannot send: count_only, revision filters', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  for (const k of ['r/a', 'r/b', 'r/c']) await call(c.kv, 'Put', { key: bytes(k), value: bytes(k) });
  const count = await call<{ kvs: unknown[]; count: number }>(c.kv, 'Range', { key: bytes('r/'), rangeEnd: bytes('r0'), countOnly: true });
  t.same([count.kvs.length, count.count], [0, 3]);
  const recent = await call<{ kvs: { key: Buffer }[] }>(c.kv, 'Range', { key: bytes('r/'), rangeEnd: bytes('r0'), minModRevision: 3 });
  t.same(recent.kvs.map((kv) => text(kv.key)), ['r/b', 'r/c']);
  const nested = await call<{ succeeded: boolean; responses: { responseTxn?: { responses: { responseRange?: { kvs: { value: Buffer }[] } }[] } }[] }>(c.kv, 'Txn', {
    compare: [{ key: bytes('r/a'), target: 'VERSION', result: 'EQUAL', version: 1 }],
    success: [{ requestTxn: { compare: [], success: [{ requestRange: { key: bytes('r/c') } }], failure: [] } }],
  });
  t.equal(nested.succeeded, true);
  t.equal(text(nested.responses[0]?.responseTxn?.responses[0]?.responseRange?.kvs[0]?.value), 'r/c', 'nested txn');
});

void t.test('lease keep-alive stream: in order, unknown leases get TTL 0, half-close ends it', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const { ID } = await call<{ ID: number }>(c.lease, 'LeaseGrant', { TTL: 20 });
  const open = (c.lease as unknown as Record<string, () => grpc.ClientDuplexStream<object, { ID: number; TTL: number; header: { memberId: number } }>>).LeaseKeepAlive;
  const stream = open?.call(c.lease);
  if (!stream) throw new Error('no LeaseKeepAlive');
  t.teardown(() => stream.cancel());
  const got: { ID: number; TTL: number; header: { memberId: number } }[] = [];
  stream.on('data', (r: (typeof got)[number]) => got.push(r));
  const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  for (const id of [ID, 777, ID]) stream.write({ ID: id });
  stream.end();
  t.equal((await status).code, grpc.status.OK);
  t.same(
    got.map((r) => [r.ID, r.TTL, r.header.memberId]),
    [
      [ID, 20, FAKE_MEMBER_ID],
      [777, 0, FAKE_MEMBER_ID],
      [ID, 20, FAKE_MEMBER_ID],
    ],
  );
});

void t.test('snapshot stream: the store\'s chunks, zero padding to 512-byte pages, then the SHA-256', async (t) => {
  const h = await startServer(t, { store: { snapshotChunkBytes: 64 } });
  const c = etcdClients(t, h);
  for (let i = 0; i < 10; i++) await call(c.kv, 'Put', { key: bytes(`s${i}`), value: bytes('v'.repeat(i)) });
  const open = (c.maintenance as unknown as Record<string, (req: object) => grpc.ClientReadableStream<{ blob: Buffer; remainingBytes: number }>>).Snapshot;
  const stream = open?.call(c.maintenance, {});
  if (!stream) throw new Error('no Snapshot');
  const chunks: { blob: Buffer; remainingBytes: number }[] = [];
  for await (const chunk of stream) chunks.push(chunk as { blob: Buffer; remainingBytes: number });
  const all = Buffer.concat(chunks.map((ch) => ch.blob));
  const expected = h.fake.snapshotBytes();
  t.equal(all.length % 512, 32);
  t.same(all.subarray(0, expected.length), expected);
  t.same(chunks.at(-1)?.blob, createHash('sha256').update(all.subarray(0, all.length - 32)).digest(), 'the last message is the digest');
  t.equal(chunks[0]?.remainingBytes, expected.length - 64, 'remaining_bytes of the store\'s chunks pass through');
});

void t.test('a client leaving a snapshot stops the store\'s iterator', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  let produced = 0;
  let closed = false;
  h.fake.snapshot = async function* () {
    try {
      for (;;) {
        produced++;
        yield { header: h.fake.header(), remainingBytes: 1 << 30, blob: Buffer.alloc(64 * 1024) };
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      closed = true;
    }
  };
  const open = (c.maintenance as unknown as Record<string, (req: object) => grpc.ClientReadableStream<unknown>>).Snapshot;
  const stream = open?.call(c.maintenance, {});
  if (!stream) throw new Error('no Snapshot');
  stream.on('error', () => undefined);
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.cancel();
  await waitUntil(() => closed, 5000, () => 'the snapshot iterator to be closed');
  t.ok(produced < 1000, `stopped after ${produced} chunks`);
});

void t.test('maintenance: status, hash, alarms', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  await call(c.kv, 'Put', { key: bytes('m'), value: bytes('1') });
  const status = await call<{ leader: number; raftTerm: number; version: string; isLearner: boolean }>(c.maintenance, 'Status', {});
  t.same([status.leader, status.raftTerm, status.version, status.isLearner], [FAKE_MEMBER_ID, 2, '3.4.0', false]);
  const hash = await call<{ hash: number }>(c.maintenance, 'Hash', {});
  t.equal(hash.hash, (await h.fake.hashKV(0)).hash, 'Hash is the key space hash');
  const hashKV = await call<{ hash: number; compactRevision: number }>(c.maintenance, 'HashKV', { revision: 1 });
  t.equal(hashKV.hash, (await h.fake.hashKV(1)).hash);
  h.fake.raiseAlarm('NOSPACE');
  h.fake.raiseAlarm('CORRUPT');
  const corrupt = await call<{ alarms: { alarm: string; memberID: number }[] }>(c.maintenance, 'Alarm', { action: 'GET', alarm: 'CORRUPT' });
  t.same(corrupt.alarms, [{ alarm: 'CORRUPT', memberID: FAKE_MEMBER_ID }], 'GET filters by alarm type');
  const activate = await callError(c.maintenance, 'Alarm', { action: 'ACTIVATE', memberID: FAKE_MEMBER_ID, alarm: 'NOSPACE' });
  t.equal(activate.code, grpc.status.UNIMPLEMENTED);
  const moved = await callError(c.maintenance, 'MoveLeader', { targetID: 99 });
  t.equal(moved.details, 'etcdserver: member not found');
});

void t.test('auth probes: AuthStatus says disabled, Authenticate says not enabled', async (t) => {
  const h = await startServer(t);
  const c = etcdClients(t, h);
  const status = await call<{ enabled: boolean; header: { memberId: number } }>(c.auth, 'AuthStatus', {});
  t.same([status.enabled, status.header.memberId], [false, FAKE_MEMBER_ID]);
  const auth = await callError(c.auth, 'Authenticate', { name: 'root', password: 'x' });
  t.same([auth.code, auth.details], [grpc.status.FAILED_PRECONDITION, 'etcdserver: authentication is not enabled']);
  const users = await call<{ users: string[] }>(c.auth, 'UserList', {});
  t.same(users.users, []);
});
