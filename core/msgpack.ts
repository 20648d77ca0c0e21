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
