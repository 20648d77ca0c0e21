import * as zlib from 'node:zlib';
import { assert } from '../../core/index.js';

const CRC_TABLE = ((): Int32Array => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function tableCrc32(data: Uint8Array, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

assert(tableCrc32(new TextEncoder().encode('123456789')) === 0xcbf43926, 'the CRC-32 table does not give the standard check value');
assert(tableCrc32(new TextEncoder().encode('56789'), tableCrc32(new TextEncoder().encode('1234'))) === 0xcbf43926, 'the CRC-32 table does not continue a CRC');

/**
 * CRC-32 (IEEE 802.3, the one zlib and gzip use) of `data`, continuing from `previous` (the
 * CRC of the bytes before it; 0 to start). node:zlib has a native one from
 * Node 20.15 on (package.json allows any Node 20); before that, the table one, which is
 * checked against the standard check value when this module loads.
 */
export const crc32: (data: Uint8Array, previous?: number) => number = typeof zlib.crc32 === 'function' ? (data, previous = 0) => zlib.crc32(data, previous) : tableCrc32;
