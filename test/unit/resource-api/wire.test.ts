// The resource API's msgpack frames and the Status ↔ gRPC code mapping.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { pack, Packr } from 'msgpackr';
import type { ResourceWatchEvent } from '../../../core/index.js';
import { resourceExpiredError } from '../../../core/index.js';
import { decodeWatchFrame, encodeWatchFrame, grpcCodeOfHttpStatus, ResourceWireFormatError } from '../../../transport/index.js';

void t.test('watch frames round-trip every event type, in order', (t) => {
  const events: ResourceWatchEvent[] = [
    { type: 'ADDED', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', resourceVersion: '5', labels: { x: 'y' } }, spec: { replicas: 3, ratio: 0.5, flag: true, none: null, list: [1, 'two'] } } },
    { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '6' } } },
    { type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: '7' } } },
    { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '8' } } },
    { type: 'ERROR', object: resourceExpiredError('too old resource version: 1 (8)').status },
  ];
  t.same(decodeWatchFrame(encodeWatchFrame(events)), events);
  t.same(decodeWatchFrame(encodeWatchFrame(events, 1, 3)).map((e) => e.type), ['MODIFIED', 'DELETED'], 'a slice of a queue');
  t.end();
});

void t.test('a frame is the bytes of its events packed as one array, at every array header size, shared objects included', (t) => {
  // The options wire.ts packs with (skipValues leaves out undefined, as JSON does).
  const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, skipValues: [undefined] } as ConstructorParameters<typeof Packr>[0]);
  const shared = Object.freeze({ apiVersion: 'v1', kind: 'Pod', metadata: Object.freeze({ name: 'shared', resourceVersion: '9' }) });
  for (const count of [0, 1, 15, 16, 17, 0xffff, 0x10000]) {
    const events: ResourceWatchEvent[] = Array.from({ length: count }, (_, i) => (i % 3 === 0 ? { type: 'MODIFIED', object: shared } : { type: 'ADDED', object: { metadata: { name: `p${i}`, resourceVersion: String(i) } } }));
    const expected = packr.pack(events.map((e) => [e.type === 'ADDED' ? 0 : 1, e.object]));
    t.ok(encodeWatchFrame(events).equals(expected), `${count} events`);
  }
  // The cached bytes of a frozen object are its own, not a view of msgpackr's buffer that a later pack overwrites.
  const first = encodeWatchFrame([{ type: 'MODIFIED', object: shared }]);
  encodeWatchFrame([{ type: 'ADDED', object: { big: 'x'.repeat(100_000) } }]);
  t.ok(encodeWatchFrame([{ type: 'MODIFIED', object: shared }]).equals(first), 'a shared object encodes the same after other frames');
  t.same(decodeWatchFrame(first), [{ type: 'MODIFIED', object: shared }]);
  t.end();
});

void t.test('properties holding undefined are left out, as in JSON', (t) => {
  const [event] = decodeWatchFrame(encodeWatchFrame([{ type: 'ADDED', object: { metadata: { name: 'a', labels: undefined }, list: [undefined] } }]));
  t.same(event?.object, { metadata: { name: 'a' }, list: [null] });
  t.end();
});

void t.test('anything but a v1 frame is refused whole', (t) => {
  const bad: [string, Uint8Array][] = [
    ['not msgpack', Buffer.from([0xc1])],
    ['not an array', pack({ a: 1 })],
    ['not a pair', pack([[0]])],
    ['unknown type code', pack([[9, {}]])],
    ['object not a map', pack([[0, 'x']])],
    ['ERROR without a Status', pack([[4, { kind: 'Pod' }]])],
  ];
  for (const [what, bytes] of bad) t.throws(() => decodeWatchFrame(bytes), ResourceWireFormatError, what);
  t.end();
});

void t.test('Status codes travel with the matching gRPC code', (t) => {
  t.equal(grpcCodeOfHttpStatus(404, 'NotFound'), grpc.status.NOT_FOUND);
  t.equal(grpcCodeOfHttpStatus(409, 'AlreadyExists'), grpc.status.ALREADY_EXISTS);
  t.equal(grpcCodeOfHttpStatus(409, 'Conflict'), grpc.status.ABORTED);
  t.equal(grpcCodeOfHttpStatus(410, 'Expired'), grpc.status.OUT_OF_RANGE);
  t.equal(grpcCodeOfHttpStatus(422, 'Invalid'), grpc.status.INVALID_ARGUMENT);
  t.equal(grpcCodeOfHttpStatus(401, 'Unauthorized'), grpc.status.UNAUTHENTICATED);
  t.equal(grpcCodeOfHttpStatus(503, 'ServiceUnavailable'), grpc.status.UNAVAILABLE);
  t.equal(grpcCodeOfHttpStatus(504, 'Timeout'), grpc.status.DEADLINE_EXCEEDED);
  t.equal(grpcCodeOfHttpStatus(418, ''), grpc.status.UNKNOWN);
  t.end();
});
