// packBounded: msgpackr's shared pack buffer must not stay large after one large value.
import { Packr } from 'msgpackr';
import t from 'tap';
import { LARGE_PACK_BYTES, packBounded, packOwned } from '../../../core/index.js';

void t.test('packBounded packs as msgpackr does', (t) => {
  const packr = new Packr({ useRecords: false });
  for (const v of [1, 'x', { a: [1, 2, { b: Buffer.from('zz') }] }, new Uint8Array(LARGE_PACK_BYTES + 10).fill(3)]) {
    t.same(packr.unpack(packBounded(packr, v)), packr.unpack(packr.pack(v)), 'same bytes decode to the same value');
  }
  t.end();
});

void t.test('after a large value, small packed values no longer share a large buffer', (t) => {
  const packr = new Packr({ useRecords: false });
  const big = packBounded(packr, new Uint8Array(4 * 1024 * 1024));
  t.equal(big.buffer.byteLength, big.byteLength, 'a large result owns its memory exactly');
  const small = packBounded(packr, { k: 'v' });
  t.ok(small.buffer.byteLength < LARGE_PACK_BYTES, `a later small value lives in a small buffer (${small.buffer.byteLength} bytes)`);
  // Unbounded, msgpackr keeps a buffer at least as large as the largest value it packed.
  packr.pack(new Uint8Array(4 * 1024 * 1024));
  t.ok(packr.pack({ k: 'v' }).buffer.byteLength >= 4 * 1024 * 1024, 'msgpackr alone keeps the large buffer (the trap)');
  packBounded(packr, new Uint8Array(LARGE_PACK_BYTES));
  t.ok(packr.pack({ k: 'v' }).buffer.byteLength < LARGE_PACK_BYTES, 'and packBounded releases it');
  t.end();
});

void t.test('packOwned leaves a header before the packed value, in memory of its own', (t) => {
  const packr = new Packr({ useRecords: false });
  for (const v of [{ a: 1 }, new Uint8Array(LARGE_PACK_BYTES + 1)]) {
    const expected: unknown = packr.unpack(packr.pack(v));
    const out = packOwned(packr, v, 4);
    t.same([...out.subarray(0, 4)], [0, 0, 0, 0], 'the header is zeroed');
    t.same(packr.unpack(out.subarray(4)), expected, 'then the value as msgpackr packs it');
    t.equal(out.buffer.byteLength, out.byteLength, 'owning exactly its bytes');
  }
  t.ok(packr.pack({ k: 'v' }).buffer.byteLength < LARGE_PACK_BYTES, 'a large value left no large shared buffer behind');
  t.end();
});
