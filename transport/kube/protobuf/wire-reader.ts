import { KubeProtobufDecodeError } from './errors.js';

/** Protobuf wire types (protobuf.dev/programming-guides/encoding). */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** A varint's 64 bits as two unsigned 32-bit halves, so no precision is lost before we choose a type. */
export interface Varint64 {
  readonly lo: number;
  readonly hi: number;
}

export interface ProtobufTag {
  readonly fieldNumber: number;
  readonly wireType: number;
}

/** A varint takes at most 10 bytes (64 bits, 7 per byte). */
const MAX_VARINT_BYTES = 10;
const TWO_POW_32 = 2 ** 32;

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads protobuf wire data from `bytes[start, end)`. Every read is bounds-checked: running past
 * `end` or meeting an invalid encoding throws KubeProtobufDecodeError('Malformed'); length-delimited
 * values are returned as views into `bytes`, never copies. `path` only labels errors.
 */
export class ProtobufWireReader {
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly path: string,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  get done(): boolean {
    return this.offset >= this.end;
  }

  readTag(): ProtobufTag {
    const { lo, hi } = this.readVarint();
    const fieldNumber = lo >>> 3;
    // Field numbers are at most 2^29 - 1, so a tag never needs the high half.
    if (hi !== 0 || fieldNumber === 0) this.fail(`invalid field tag (field number ${hi !== 0 ? 'too large' : 0})`);
    return { fieldNumber, wireType: lo & 7 };
  }

  readVarint(): Varint64 {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.offset >= this.end) this.fail('truncated varint');
      const byte = this.bytes[this.offset++]!;
      const bits = byte & 0x7f;
      const shift = 7 * i;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (byte < 0x80) return { lo: lo >>> 0, hi: hi >>> 0 };
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A length-delimited value (string, bytes, embedded message, packed repeated) as a view. */
  readLengthDelimited(): Uint8Array {
    const { lo, hi } = this.readVarint();
    if (hi !== 0 || lo > this.end - this.offset) this.fail('length-delimited field runs past the end of its message');
    const start = this.offset;
    this.offset += lo;
    return this.bytes.subarray(start, this.offset);
  }

  readString(): string {
    // Invalid UTF-8 becomes U+FFFD, as Go's encoding/json writes it.
    return utf8.decode(this.readLengthDelimited());
  }

  /** Skips one field's value; groups are skipped whole, nested groups included. */
  skipField(tag: ProtobufTag): void {
    if (tag.wireType === WIRE_END_GROUP) this.fail(`unexpected end-group tag for field ${tag.fieldNumber}`);
    if (tag.wireType !== WIRE_START_GROUP) {
      this.skipValue(tag.wireType);
      return;
    }
    // Iterative, so deeply nested groups cannot exhaust the stack; the body's size bounds the loop.
    let depth = 1;
    while (depth > 0) {
      const inner = this.readTag();
      if (inner.wireType === WIRE_START_GROUP) depth++;
      else if (inner.wireType === WIRE_END_GROUP) depth--;
      else this.skipValue(inner.wireType);
    }
  }

  private skipValue(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.readVarint();
        return;
      case WIRE_FIXED64:
        this.skipBytes(8);
        return;
      case WIRE_LEN:
        this.readLengthDelimited();
        return;
      case WIRE_FIXED32:
        this.skipBytes(4);
        return;
      default:
        this.fail(`invalid wire type ${wireType}`);
    }
  }

  private skipBytes(count: number): void {
    if (count > this.end - this.offset) this.fail('truncated fixed-width field');
    this.offset += count;
  }

  private fail(detail: string): never {
    throw new KubeProtobufDecodeError('Malformed', detail, this.path);
  }
}

/** The low 32 bits as a signed int32 (protobuf int32 sign-extends negatives to 64 bits). */
export function varintToInt32(value: Varint64): number {
  return value.lo | 0;
}

/**
 * A two's-complement int64 as a JS number. Throws KubeProtobufDecodeError('InvalidValue') beyond
 * ±(2^53 - 1): JSON numbers we hand on are JS numbers, and rounding a resourceVersion-like value
 * silently would be worse than refusing it.
 */
export function varintToInt64(value: Varint64, path: string): number {
  const result = (value.hi | 0) * TWO_POW_32 + value.lo;
  if (!Number.isSafeInteger(result)) {
    throw new KubeProtobufDecodeError('InvalidValue', 'int64 value is beyond the range a JSON number keeps exactly', path);
  }
  return result;
}

export function varintToBool(value: Varint64): boolean {
  return value.lo !== 0 || value.hi !== 0;
}
