import type { KubeProtoField, KubeProtoFieldType, KubeProtoRegistry, KubeProtoScalarType } from './schema.js';
import type { ReportUnknownField } from './special-types.js';
import { decodeSpecialType, expectWireType } from './special-types.js';
import type { ProtobufTag } from './wire-reader.js';
import {
  ProtobufWireReader,
  WIRE_LEN,
  WIRE_VARINT,
  varintToBool,
  varintToInt32,
  varintToInt64,
} from './wire-reader.js';

export type KubeProtoJsonObject = Record<string, unknown>;

/** What a message's scan collected for one field; JSON is built afterwards, in table order. */
type Gathered =
  | { readonly kind: 'value'; value: unknown }
  | { readonly kind: 'chunks'; readonly chunks: Uint8Array[] }
  | { readonly kind: 'items'; readonly items: unknown[] }
  | { readonly kind: 'entries'; readonly entries: Map<string, unknown> };

/**
 * Decodes one message of `registry` into its Go JSON form (see schema.ts for the rules). Field
 * numbers with no row are skipped and passed to `reportUnknown`. Recursion follows the tables,
 * which buildKubeProtoRegistry keeps acyclic, so its depth is bounded by the schema, not the input.
 */
export function decodeKubeProtoMessage(
  registry: KubeProtoRegistry,
  messageName: string,
  bytes: Uint8Array,
  path: string,
  reportUnknown: ReportUnknownField,
): KubeProtoJsonObject {
  const message = registry.get(messageName);
  if (message === undefined) throw new Error(`no protobuf table for message ${messageName}`);
  const gathered = new Map<number, Gathered>();
  const reader = new ProtobufWireReader(bytes, path);
  while (!reader.done) {
    const tag = reader.readTag();
    const field = message.byNumber.get(tag.fieldNumber);
    if (field === undefined) {
      reportUnknown(joinPath(path, `#${tag.fieldNumber}`));
      reader.skipField(tag);
      continue;
    }
    gatherField(registry, field, tag, reader, gathered, fieldPath(path, field), reportUnknown);
  }

  const json: KubeProtoJsonObject = {};
  for (const field of message.fields) {
    const found = gathered.get(field.fieldNumber);
    const at = fieldPath(path, field);
    if (field.presence === 'inline') {
      const inner = decodeKubeProtoMessage(registry, messageNameOf(field.type), joinChunks(found), at, reportUnknown);
      Object.assign(json, inner);
    } else if (field.cardinality === 'repeated') {
      const items = found?.kind === 'items' ? found.items : [];
      if (items.length > 0) json[field.jsonName] = items;
      else if (field.presence === 'always') json[field.jsonName] = null;
    } else if (field.cardinality === 'map') {
      if (found?.kind === 'entries' && found.entries.size > 0) json[field.jsonName] = sortedObject(found.entries);
    } else if (field.type.kind === 'scalar') {
      const value = found?.kind === 'value' ? found.value : undefined;
      if (value !== undefined) {
        if (field.presence !== 'omitempty' || !isZeroScalar(value)) json[field.jsonName] = value;
      } else if (field.presence === 'always') json[field.jsonName] = zeroScalar(field.type.scalar);
      else if (field.presence === 'nullable') json[field.jsonName] = null;
    } else if (found !== undefined || field.presence === 'omitempty' || field.presence === 'always') {
      // A Go struct (not a pointer) is always written, its zero value when absent.
      json[field.jsonName] = decodeEmbedded(registry, field.type, joinChunks(found), at, reportUnknown);
    } else if (field.presence === 'nullable') json[field.jsonName] = null;
  }
  return json;
}

function gatherField(
  registry: KubeProtoRegistry,
  field: KubeProtoField,
  tag: ProtobufTag,
  reader: ProtobufWireReader,
  gathered: Map<number, Gathered>,
  at: string,
  reportUnknown: ReportUnknownField,
): void {
  const { type } = field;
  if (field.cardinality === 'map') {
    expectWireType(tag, WIRE_LEN, at);
    let found = gathered.get(field.fieldNumber);
    if (found?.kind !== 'entries') gathered.set(field.fieldNumber, (found = { kind: 'entries', entries: new Map() }));
    const [key, value] = decodeMapEntry(registry, type, reader.readLengthDelimited(), at, reportUnknown);
    found.entries.set(key, value); // a repeated key replaces the earlier value, as in Go
    return;
  }
  if (field.cardinality === 'repeated') {
    let found = gathered.get(field.fieldNumber);
    if (found?.kind !== 'items') gathered.set(field.fieldNumber, (found = { kind: 'items', items: [] }));
    const items = found.items;
    if (type.kind === 'scalar' && isVarintScalar(type.scalar) && tag.wireType === WIRE_LEN) {
      // Packed encoding: accepted for repeated numbers and bools, as Go's decoder does.
      const packed = reader.readLengthDelimited();
      const inner = new ProtobufWireReader(packed, at);
      while (!inner.done) items.push(scalarFromVarint(type.scalar, inner, `${at}[${items.length}]`));
      return;
    }
    items.push(readValue(registry, type, tag, reader, `${at}[${items.length}]`, reportUnknown));
    return;
  }
  if (type.kind === 'scalar') {
    gathered.set(field.fieldNumber, { kind: 'value', value: readValue(registry, type, tag, reader, at, reportUnknown) });
    return;
  }
  expectWireType(tag, WIRE_LEN, at);
  const chunk = reader.readLengthDelimited();
  const found = gathered.get(field.fieldNumber);
  // A message sent twice is merged (protobuf's rule: decode the concatenation), except Time and
  // Quantity, whose custom Go Unmarshal replaces the earlier value.
  const replaces = type.kind === 'special' && (type.special === 'Time' || type.special === 'Quantity');
  if (found?.kind === 'chunks' && !replaces) found.chunks.push(chunk);
  else gathered.set(field.fieldNumber, { kind: 'chunks', chunks: [chunk] });
}

/** One value of a scalar, special or message type, read at the reader's position. */
function readValue(
  registry: KubeProtoRegistry,
  type: KubeProtoFieldType,
  tag: ProtobufTag,
  reader: ProtobufWireReader,
  at: string,
  reportUnknown: ReportUnknownField,
): unknown {
  if (type.kind === 'scalar') {
    if (isVarintScalar(type.scalar)) {
      expectWireType(tag, WIRE_VARINT, at);
      return scalarFromVarint(type.scalar, reader, at);
    }
    expectWireType(tag, WIRE_LEN, at);
    return type.scalar === 'string' ? reader.readString() : toBase64(reader.readLengthDelimited());
  }
  expectWireType(tag, WIRE_LEN, at);
  return decodeEmbedded(registry, type, reader.readLengthDelimited(), at, reportUnknown);
}

function decodeEmbedded(
  registry: KubeProtoRegistry,
  type: KubeProtoFieldType,
  bytes: Uint8Array,
  at: string,
  reportUnknown: ReportUnknownField,
): unknown {
  if (type.kind === 'special') return decodeSpecialType(type.special, bytes, at, reportUnknown);
  return decodeKubeProtoMessage(registry, messageNameOf(type), bytes, at, reportUnknown);
}

/** A map entry is a message `{1: key, 2: value}`; either may be absent and is then zero. */
function decodeMapEntry(
  registry: KubeProtoRegistry,
  valueType: KubeProtoFieldType,
  bytes: Uint8Array,
  at: string,
  reportUnknown: ReportUnknownField,
): [string, unknown] {
  let key = '';
  let value: unknown;
  const reader = new ProtobufWireReader(bytes, at);
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber === 1) {
      expectWireType(tag, WIRE_LEN, at);
      key = reader.readString();
    } else if (tag.fieldNumber === 2) {
      value = readValue(registry, valueType, tag, reader, `${at}[${key}]`, reportUnknown);
    } else {
      reportUnknown(`${at}[${key}].#${tag.fieldNumber}`);
      reader.skipField(tag);
    }
  }
  if (value === undefined) {
    // bytes: Go decodes an absent value as an empty slice, which JSON writes as "".
    if (valueType.kind === 'scalar') value = valueType.scalar === 'bytes' ? '' : zeroScalar(valueType.scalar);
    else value = decodeEmbedded(registry, valueType, new Uint8Array(0), `${at}[${key}]`, reportUnknown);
  }
  return [key, value];
}

function scalarFromVarint(scalar: KubeProtoScalarType, reader: ProtobufWireReader, at: string): number | boolean {
  const value = reader.readVarint();
  if (scalar === 'bool') return varintToBool(value);
  if (scalar === 'int32') return varintToInt32(value);
  return varintToInt64(value, at);
}

function isVarintScalar(scalar: KubeProtoScalarType): boolean {
  return scalar === 'int32' || scalar === 'int64' || scalar === 'bool';
}

/** Go's zero values as JSON; a nil []byte is null. */
function zeroScalar(scalar: KubeProtoScalarType): unknown {
  switch (scalar) {
    case 'string':
      return '';
    case 'bytes':
      return null;
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
      return 0;
  }
}

function isZeroScalar(value: unknown): boolean {
  return value === '' || value === 0 || value === false || value === null;
}

/** Go's encoding/json writes map keys sorted; keys are set as own properties (a `__proto__` key stays data). */
function sortedObject(entries: ReadonlyMap<string, unknown>): KubeProtoJsonObject {
  const json: KubeProtoJsonObject = {};
  for (const key of [...entries.keys()].sort()) {
    Object.defineProperty(json, key, { value: entries.get(key), enumerable: true, writable: true, configurable: true });
  }
  return json;
}

function joinChunks(found: Gathered | undefined): Uint8Array {
  if (found?.kind !== 'chunks') return new Uint8Array(0);
  return found.chunks.length === 1 ? found.chunks[0]! : Buffer.concat(found.chunks);
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function messageNameOf(type: KubeProtoFieldType): string {
  // parseRow only lets messages be inlined; anything else is a broken table, not a bad body.
  if (type.kind !== 'message') throw new Error(`protobuf table inlines a ${type.kind}, not a message`);
  return type.message;
}

/** The JSON path of a field: inlined structs add no segment, as they add no JSON key. */
function fieldPath(path: string, field: KubeProtoField): string {
  return field.presence === 'inline' ? path : joinPath(path, field.jsonName);
}

function joinPath(path: string, segment: string): string {
  return path === '' ? segment : `${path}.${segment}`;
}
