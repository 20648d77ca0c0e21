// The sliced snapshot encoder: the same bytes as one msgpack pack of the whole state, so a
// snapshot taken either way restores (and checksums) the same, made with pauses between slices;
// and the store's snapshot payload around it, likewise.
import t from 'tap';
import { decodeSnapshot, decodeSnapshotPayload, encodeSnapshot, encodeSnapshotPayload, encodeSnapshotPayloadSliced, encodeSnapshotSliced, PAYLOAD_COPY_SLICE_BYTES, SNAPSHOT_ENCODE_SLICE_RECORDS, SNAPSHOT_FORMAT, type MvccSnapshot } from '../../../raft/index.js';

function snapshot(records: Uint8Array[]): MvccSnapshot {
  return { format: SNAPSHOT_FORMAT, revision: 123_456_789, compactRevision: 70_000, consistentIndex: 2 ** 33 + 5, leases: [[1, 10], [2 ** 40, 3600]], records };
}

function bytes(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

void t.test('byte for byte what encodeSnapshot makes, at every msgpack header size', async (t) => {
  // Array headers: fixarray (< 16), array16, array32; bin headers: bin8, bin16, bin32.
  const cases: [string, Uint8Array[]][] = [
    ['no records', []],
    ['a few', [bytes(3, 1), bytes(0, 2), bytes(255, 3), bytes(256, 4)]],
    ['large values', [bytes(17, 5), bytes(65_535, 6), bytes(17, 7), bytes(65_536, 8)]],
    ['array16 and several slices', Array.from({ length: 2 * SNAPSHOT_ENCODE_SLICE_RECORDS + 10 }, (_, i) => bytes(i % 300, i))],
    ['array32', Array.from({ length: 70_000 }, (_, i) => bytes(i % 7, i))],
  ];
  for (const [what, records] of cases) {
    let pauses = 0;
    const sliced = await encodeSnapshotSliced(snapshot(records), () => {
      pauses++;
      return Promise.resolve();
    });
    const whole = encodeSnapshot(snapshot(records));
    t.ok(Buffer.from(sliced).equals(Buffer.from(whole)), `${what}: same bytes`);
    t.equal(pauses, Math.max(0, Math.ceil(records.length / SNAPSHOT_ENCODE_SLICE_RECORDS) - 1), `${what}: a pause between slices`);
  }
});

void t.test('its checksum covers every slice: a flipped byte in the last one is caught', async (t) => {
  const records = Array.from({ length: SNAPSHOT_ENCODE_SLICE_RECORDS + 1 }, (_, i) => bytes(8, i));
  const data = await encodeSnapshotSliced(snapshot(records));
  const damaged = Uint8Array.from(data);
  damaged[damaged.length - 1]! ^= 1;
  t.throws(() => decodeSnapshot(damaged), /checksum mismatch/);
});

void t.test('the store snapshot payload, sliced: read back as the one-call encoding is, pausing between slices of the image', async (t) => {
  const members = [{ ID: 1, name: 'm1', peerURLs: ['http://127.0.0.1:1'], clientURLs: [], isLearner: false }];
  for (const [what, sm, alarms] of [
    ['an empty image, no alarms field', new Uint8Array(0), undefined],
    ['a small image', bytes(300, 1), []],
    ['an image of several slices', bytes(2 * PAYLOAD_COPY_SLICE_BYTES + 12_345, 2), [{ memberID: 1, alarm: 'NOSPACE' as const }]],
  ] as const) {
    let pauses = 0;
    const p = { sm, members, ...(alarms !== undefined ? { alarms: [...alarms] } : {}) };
    const sliced = await encodeSnapshotPayloadSliced(p, () => {
      pauses++;
      return Promise.resolve();
    });
    const back = decodeSnapshotPayload(sliced);
    t.ok(Buffer.from(back.sm).equals(Buffer.from(sm)), `${what}: the image`);
    t.same(back.members, members, `${what}: the members`);
    t.same(back.alarms, p.alarms, `${what}: the alarms`);
    const whole = decodeSnapshotPayload(encodeSnapshotPayload(p));
    t.ok(Buffer.from(whole.sm).equals(Buffer.from(back.sm)), `${what}: the image as the one-call encoding reads`);
    t.same({ ...whole, sm: undefined }, { ...back, sm: undefined }, `${what}: the rest as the one-call encoding reads`);
    t.equal(pauses, Math.max(0, Math.ceil(sm.length / PAYLOAD_COPY_SLICE_BYTES) - 1), `${what}: a pause between slices`);
  }
});
