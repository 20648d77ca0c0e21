/**
 * The field tables that drive the decoder. A table lists, per message, the field numbers of
 * k8s.io/api's generated.proto with the Go struct's JSON name and JSON behaviour, so that decoding
 * gives what kube-apiserver gets by unmarshalling into the Go struct and marshalling it as JSON.
 *
 * A row is `[fieldNumber, jsonName, spec]`, in Go struct order (the JSON key order). `spec` is a
 * type with an optional prefix:
 *
 *   `T`     a non-pointer field tagged omitempty: a string, number, bool or bytes is left out when
 *           zero; a message (a Go struct) is always written, since omitempty never drops structs;
 *   `*T`    a pointer tagged omitempty: written exactly when the field is on the wire;
 *   `!T`    a field without omitempty: always written, its zero value when absent;
 *   `?T`    a pointer without omitempty: its value when on the wire, else null;
 *   `[]T`   a repeated field tagged omitempty (left out when empty); `![]T` writes null when empty;
 *   `...T`  an embedded struct inlined into its parent (`json:",inline"`); the JSON name is unused.
 *
 * Types: `string`, `bytes` (base64 in JSON), `int32`, `int64`, `bool`, the special messages
 * `Time`, `Quantity`, `IntOrString`, `FieldsV1`, `map<string>` / `map<bytes>` / `map<Quantity>`
 * (a map with string keys, always omitempty), or the name of another table.
 */

/** A decoded row of a message table. */
export interface KubeProtoField {
  readonly fieldNumber: number;
  readonly jsonName: string;
  readonly type: KubeProtoFieldType;
  readonly cardinality: 'single' | 'repeated' | 'map';
  readonly presence: 'omitempty' | 'pointer' | 'always' | 'nullable' | 'inline';
}

export type KubeProtoScalarType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
/** Messages whose JSON form is not an object: each has its own decoder (special-types.ts). */
export type KubeProtoSpecialType = 'Time' | 'Quantity' | 'IntOrString' | 'FieldsV1';
export type KubeProtoFieldType =
  | { readonly kind: 'scalar'; readonly scalar: KubeProtoScalarType }
  | { readonly kind: 'special'; readonly special: KubeProtoSpecialType }
  | { readonly kind: 'message'; readonly message: string };

export type KubeProtoFieldRow = readonly [fieldNumber: number, jsonName: string, spec: string];
export type KubeProtoMessageTables = Readonly<Record<string, readonly KubeProtoFieldRow[]>>;

export interface KubeProtoMessage {
  readonly name: string;
  /** In JSON key order. */
  readonly fields: readonly KubeProtoField[];
  readonly byNumber: ReadonlyMap<number, KubeProtoField>;
}

export type KubeProtoRegistry = ReadonlyMap<string, KubeProtoMessage>;

const SCALARS: ReadonlySet<string> = new Set<KubeProtoScalarType>(['string', 'bytes', 'int32', 'int64', 'bool']);
const SPECIALS: ReadonlySet<string> = new Set<KubeProtoSpecialType>(['Time', 'Quantity', 'IntOrString', 'FieldsV1']);
const PREFIXES = [
  ['![]', 'repeated', 'always'],
  ['[]', 'repeated', 'omitempty'],
  ['...', 'single', 'inline'],
  ['*', 'single', 'pointer'],
  ['!', 'single', 'always'],
  ['?', 'single', 'nullable'],
] as const;

function fieldType(name: string): KubeProtoFieldType {
  if (SCALARS.has(name)) return { kind: 'scalar', scalar: name as KubeProtoScalarType };
  if (SPECIALS.has(name)) return { kind: 'special', special: name as KubeProtoSpecialType };
  return { kind: 'message', message: name };
}

function parseRow(message: string, [fieldNumber, jsonName, spec]: KubeProtoFieldRow): KubeProtoField {
  const map = /^map<(string|bytes|Quantity)>$/.exec(spec);
  if (map) return { fieldNumber, jsonName, type: fieldType(map[1]!), cardinality: 'map', presence: 'omitempty' };
  const prefix = PREFIXES.find(([p]) => spec.startsWith(p));
  const type = fieldType(spec.slice(prefix?.[0].length ?? 0));
  const field: KubeProtoField = {
    fieldNumber,
    jsonName,
    type,
    cardinality: prefix?.[1] ?? 'single',
    presence: prefix?.[2] ?? 'omitempty',
  };
  if (field.presence === 'inline' && type.kind !== 'message') {
    throw new Error(`protobuf table ${message}.${jsonName}: only a message can be inlined`);
  }
  return field;
}

/**
 * Builds the registry from message tables. Throws (at module load, a programming error) when a
 * table names a message no table defines or repeats a field number: a dangling reference would
 * otherwise only surface on the first body that uses it.
 */
export function buildKubeProtoRegistry(...tables: readonly KubeProtoMessageTables[]): KubeProtoRegistry {
  const registry = new Map<string, KubeProtoMessage>();
  for (const table of tables) {
    for (const [name, rows] of Object.entries(table)) {
      if (registry.has(name)) throw new Error(`protobuf table ${name} is defined twice`);
      const fields = rows.map((row) => parseRow(name, row));
      const byNumber = new Map(fields.map((f) => [f.fieldNumber, f]));
      if (byNumber.size !== fields.length) throw new Error(`protobuf table ${name} repeats a field number`);
      registry.set(name, { name, fields, byNumber });
    }
  }
  for (const message of registry.values()) {
    for (const field of message.fields) {
      if (field.type.kind === 'message' && !registry.has(field.type.message)) {
        throw new Error(`protobuf table ${message.name}.${field.jsonName} names undefined message ${field.type.message}`);
      }
    }
  }
  assertAcyclic(registry);
  return registry;
}

/** The decoder recurses along the tables; without cycles its depth is bounded by the schema. */
function assertAcyclic(registry: KubeProtoRegistry): void {
  const done = new Set<string>();
  const visit = (name: string, onPath: readonly string[]): void => {
    if (onPath.includes(name)) throw new Error(`protobuf tables are recursive: ${[...onPath, name].join(' → ')}`);
    if (done.has(name)) return;
    for (const field of registry.get(name)?.fields ?? []) {
      if (field.type.kind === 'message') visit(field.type.message, [...onPath, name]);
    }
    done.add(name);
  };
  for (const name of registry.keys()) visit(name, []);
}
