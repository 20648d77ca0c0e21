import type { Packr } from 'msgpackr';

/** Packed values at least this large are returned as copies of their own, and msgpackr's buffer is reset. */
export const LARGE_PACK_BYTES = 64 * 1024;
const FRESH_BUFFER_BYTES = 8192;

/**
 * `packr.pack(value)` without msgpackr's memory trap. msgpackr packs every value into one buffer
 * shared by all Packr instances in the process and returns a view of it; a value that does not
 * fit replaces that buffer with one four times its size, and the buffer never shrinks: later
 * buffers are allocated at the same size. After one large pack (a snapshot, a big frame), every
 * small packed value that is kept (a Raft entry in the log cache) pins megabytes. Here a large
 * result is copied into memory of its own and the shared buffer is dropped, so it lives only as
 * long as the caller keeps the copy.
 */
export function packBounded(packr: Packr, value: unknown): Buffer {
  const out = packr.pack(value);
  if (out.byteLength < LARGE_PACK_BYTES) return out;
  const owned = Buffer.allocUnsafeSlow(out.byteLength);
  owned.set(out);
  packr.useBuffer(Buffer.allocUnsafeSlow(FRESH_BUFFER_BYTES));
  return owned;
}

/**
 * The packed value in a Uint8Array of its own (whatever its size), after `headerBytes` zero bytes
 * left for the caller to fill (a checksum, say): a framed value costs one copy, not two. A large
 * one also resets msgpackr's shared buffer, as packBounded does.
 */
export function packOwned(packr: Packr, value: unknown, headerBytes: number): Uint8Array {
  const packed = packr.pack(value);
  const owned = new Uint8Array(headerBytes + packed.byteLength);
  owned.set(packed, headerBytes);
  if (packed.byteLength >= LARGE_PACK_BYTES) packr.useBuffer(Buffer.allocUnsafeSlow(FRESH_BUFFER_BYTES));
  return owned;
}

/** A msgpack type whose header carries a size: its fixed-size form (if any) and its 8/16/32-bit forms (-1: none). */
export interface MsgpackSizedType {
  readonly fixBelow: number;
  readonly fix: number;
  readonly u8: number;
  readonly u16: number;
  readonly u32: number;
}

export const MSGPACK_ARRAY: MsgpackSizedType = { fixBelow: 16, fix: 0x90, u8: -1, u16: 0xdc, u32: 0xdd };
export const MSGPACK_BIN: MsgpackSizedType = { fixBelow: 0, fix: 0, u8: 0xc4, u16: 0xc5, u32: 0xc6 };

/** Bytes of the smallest header of `type` for size `n`, as msgpackr writes it. */
export function msgpackHeaderBytes(type: MsgpackSizedType, n: number): number {
  return n < type.fixBelow ? 1 : type.u8 >= 0 && n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** Writes that header at `at`; returns where the content starts. */
export function writeMsgpackHeader(view: DataView, at: number, type: MsgpackSizedType, n: number): number {
  if (n < type.fixBelow) {
    view.setUint8(at, type.fix | n);
    return at + 1;
  }
  if (type.u8 >= 0 && n < 0x100) {
    view.setUint8(at, type.u8);
    view.setUint8(at + 1, n);
    return at + 2;
  }
  if (n < 0x10000) {
    view.setUint8(at, type.u16);
    view.setUint16(at + 1, n);
    return at + 3;
  }
  view.setUint8(at, type.u32);
  view.setUint32(at + 1, n);
  return at + 5;
}

/** That header alone, in a Buffer of its own. */
export function msgpackHeader(type: MsgpackSizedType, n: number): Buffer {
  const header = Buffer.allocUnsafe(msgpackHeaderBytes(type, n));
  writeMsgpackHeader(new DataView(header.buffer, header.byteOffset, header.byteLength), 0, type, n);
  return header;
}
