import { QuantityParseError, canonicalizeQuantity } from '../../../core/index.js';
import { KubeProtobufDecodeError } from './errors.js';
import type { KubeProtoSpecialType } from './schema.js';
import type { ProtobufTag } from './wire-reader.js';
import { ProtobufWireReader, WIRE_LEN, WIRE_VARINT, varintToInt32, varintToInt64 } from './wire-reader.js';

/**
 * Decoders for the apimachinery messages whose JSON form is not an object. Each follows the Go
 * type's own Unmarshal and MarshalJSON, so the result is what kube-apiserver would store.
 */

/** Called with the JSON path of each field number no table knows. */
export type ReportUnknownField = (path: string) => void;

/** metav1.Time's JSON range: MarshalJSON refuses years outside [0, 9999]. */
const TIME_MIN_SECONDS = -62_167_219_200; // 0000-01-01T00:00:00Z
const TIME_MAX_SECONDS = 253_402_300_799; // 9999-12-31T23:59:59Z

export function expectWireType(tag: ProtobufTag, expected: number, path: string): void {
  if (tag.wireType !== expected) {
    throw new KubeProtobufDecodeError('Malformed', `wrong wire type ${tag.wireType} for field ${tag.fieldNumber}`, path);
  }
}

export function decodeSpecialType(
  type: KubeProtoSpecialType,
  bytes: Uint8Array,
  path: string,
  reportUnknown: ReportUnknownField,
): unknown {
  switch (type) {
    case 'Time':
      return decodeTime(bytes, path, reportUnknown);
    case 'Quantity':
      return decodeQuantity(bytes, path, reportUnknown);
    case 'IntOrString':
      return decodeIntOrString(bytes, path, reportUnknown);
    case 'FieldsV1':
      return decodeFieldsV1(bytes, path, reportUnknown);
  }
}

/**
 * metav1.Time: an empty message is the zero time, which JSON writes as null; otherwise
 * `{1: seconds, 2: nanos}` with nanos ignored (kube keeps second precision so protobuf and JSON
 * clients agree), written in RFC 3339 UTC.
 */
function decodeTime(bytes: Uint8Array, path: string, reportUnknown: ReportUnknownField): string | null {
  if (bytes.length === 0) return null;
  let seconds = 0;
  const reader = new ProtobufWireReader(bytes, path);
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1 || tag.fieldNumber === 2) {
      expectWireType(tag, WIRE_VARINT, path);
      const value = reader.readVarint();
      if (tag.fieldNumber === 1) seconds = varintToInt64(value, path);
    } else {
      reportUnknown(`${path}.#${tag.fieldNumber}`);
      reader.skipField(tag);
    }
  }
  if (seconds < TIME_MIN_SECONDS || seconds > TIME_MAX_SECONDS) {
    throw new KubeProtobufDecodeError('InvalidValue', `timestamp ${seconds}s is outside years 0 to 9999`, path);
  }
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** resource.Quantity: `{1: string}` parsed and written in canonical form; no string is zero, "0". */
function decodeQuantity(bytes: Uint8Array, path: string, reportUnknown: ReportUnknownField): string {
  let text: string | undefined;
  const reader = new ProtobufWireReader(bytes, path);
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) {
      expectWireType(tag, WIRE_LEN, path);
      text = reader.readString();
    } else {
      reportUnknown(`${path}.#${tag.fieldNumber}`);
      reader.skipField(tag);
    }
  }
  if (text === undefined) return '0';
  try {
    return canonicalizeQuantity(text);
  } catch (error) {
    if (error instanceof QuantityParseError) {
      throw new KubeProtobufDecodeError('InvalidValue', `invalid quantity ${JSON.stringify(text)}: ${error.message}`, path);
    }
    throw error;
  }
}

/** intstr.IntOrString: `{1: type, 2: intVal, 3: strVal}`; type 0 is a number, 1 a string. */
function decodeIntOrString(bytes: Uint8Array, path: string, reportUnknown: ReportUnknownField): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  const reader = new ProtobufWireReader(bytes, path);
  while (!reader.done) {
    const tag = reader.readTag();
    switch (tag.fieldNumber) {
      case 1:
        expectWireType(tag, WIRE_VARINT, path);
        type = varintToInt64(reader.readVarint(), path);
        break;
      case 2:
        expectWireType(tag, WIRE_VARINT, path);
        intVal = varintToInt32(reader.readVarint());
        break;
      case 3:
        expectWireType(tag, WIRE_LEN, path);
        strVal = reader.readString();
        break;
      default:
        reportUnknown(`${path}.#${tag.fieldNumber}`);
        reader.skipField(tag);
    }
  }
  if (type === 0) return intVal;
  if (type === 1) return strVal;
  throw new KubeProtobufDecodeError('InvalidValue', `IntOrString type ${type} is neither 0 (int) nor 1 (string)`, path);
}

/** metav1.FieldsV1: `{1: Raw}`, raw JSON embedded as is; no Raw is null. */
function decodeFieldsV1(bytes: Uint8Array, path: string, reportUnknown: ReportUnknownField): unknown {
  let raw: Uint8Array | undefined;
  const reader = new ProtobufWireReader(bytes, path);
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) {
      expectWireType(tag, WIRE_LEN, path);
      raw = reader.readLengthDelimited();
    } else {
      reportUnknown(`${path}.#${tag.fieldNumber}`);
      reader.skipField(tag);
    }
  }
  if (raw === undefined) return null;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw)) as unknown;
  } catch {
    throw new KubeProtobufDecodeError('InvalidValue', 'fieldsV1 is not valid JSON', path);
  }
}
