/**
 * Proto3 canonical form for what the server sends. protobufjs encodes every field that is set,
 * an explicit 0, false, "" or empty bytes included, while etcd (gogoproto) leaves scalar fields at
 * their default off the wire. The store fills every field (`lease: 0`, `value` empty in a delete
 * event), so without this a response would be valid but larger than etcd's, and watch fragments
 * would split at other points than etcd's. The schema comes from the loaded descriptors.
 */
import type { PackageDefinition } from '@grpc/proto-loader';

type FieldKind =
  | { readonly kind: 'scalar' }
  | { readonly kind: 'enum'; readonly zero: string }
  | { readonly kind: 'message'; readonly typeName: string };

interface FieldSchema {
  readonly name: string;
  readonly repeated: boolean;
  readonly type: FieldKind;
}

interface MessageSchema {
  readonly fields: readonly FieldSchema[];
  /**
   * The loaded descriptors do not say which fields belong to a oneof (every oneofIndex reads 0),
   * and a oneof member travels even at its default (Compare.version = 0). So a message that
   * declares a oneof keeps its scalar zeros: correct, only not minimal. No response has one.
   */
  readonly keepZeros: boolean;
}

/** The parts of a DescriptorProto (as proto-loader exposes it) this module reads. */
interface DescriptorLike {
  readonly name: string;
  readonly field?: readonly { name: string; label: string; type: string; typeName: string }[];
  readonly nestedType?: readonly DescriptorLike[];
  readonly enumType?: readonly EnumDescriptorLike[];
  readonly oneofDecl?: readonly unknown[];
}

interface EnumDescriptorLike {
  readonly name: string;
  readonly value: readonly { name: string; number: number }[];
}

/** Strips default-valued scalar fields from messages of the loaded packages, recursively. */
export class Canonicalizer {
  private readonly messages = new Map<string, MessageSchema>();
  private readonly descriptors = new Map<string, DescriptorLike>();
  /** Enum full name → the name of its zero value. */
  private readonly enumZeros = new Map<string, string>();

  constructor(def: PackageDefinition) {
    for (const [fullName, entry] of Object.entries(def)) {
      if (!('format' in entry)) continue;
      if (entry.format === 'Protocol Buffer 3 DescriptorProto') this.indexMessage(fullName, entry.type as DescriptorLike);
      else if (entry.format === 'Protocol Buffer 3 EnumDescriptorProto') this.indexEnum(fullName, entry.type as EnumDescriptorLike);
    }
  }

  /** A copy of `value` (a `typeName` message) without default-valued scalars. */
  canonical(typeName: string, value: unknown): unknown {
    if (value == null || typeof value !== 'object') return value;
    const schema = this.schema(typeName);
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const field of schema.fields) {
      const v = source[field.name];
      if (v == null) continue;
      const type = field.type;
      if (field.repeated) {
        if (!Array.isArray(v) || v.length === 0) continue;
        out[field.name] = type.kind === 'message' ? v.map((item) => this.canonical(type.typeName, item)) : v;
        continue;
      }
      if (type.kind === 'message') {
        out[field.name] = this.canonical(type.typeName, v);
      } else if (schema.keepZeros || !isDefault(v, type)) {
        out[field.name] = v;
      }
    }
    return out;
  }

  private indexMessage(fullName: string, type: DescriptorLike): void {
    this.descriptors.set(fullName, type);
    for (const nested of type.nestedType ?? []) this.indexMessage(`${fullName}.${nested.name}`, nested);
    for (const e of type.enumType ?? []) this.indexEnum(`${fullName}.${e.name}`, e);
  }

  private indexEnum(fullName: string, type: EnumDescriptorLike): void {
    const zero = type.value.find((v) => v.number === 0);
    if (zero) this.enumZeros.set(fullName, zero.name);
  }

  /** Built on first use: resolving a type name needs every type indexed. */
  private schema(typeName: string): MessageSchema {
    const cached = this.messages.get(typeName);
    if (cached) return cached;
    const type = this.descriptors.get(typeName);
    if (!type) throw new Error(`unknown message type ${typeName}`);
    const fields = (type.field ?? []).map((f): FieldSchema => {
      const repeated = f.label === 'LABEL_REPEATED';
      if (f.type === 'TYPE_MESSAGE') return { name: f.name, repeated, type: { kind: 'message', typeName: this.resolve(typeName, f.typeName, this.descriptors) } };
      if (f.type === 'TYPE_ENUM') {
        const enumName = this.resolve(typeName, f.typeName, this.enumZeros);
        return { name: f.name, repeated, type: { kind: 'enum', zero: this.enumZeros.get(enumName) ?? '' } };
      }
      return { name: f.name, repeated, type: { kind: 'scalar' } };
    });
    const schema: MessageSchema = { fields, keepZeros: (type.oneofDecl ?? []).length > 0 };
    this.messages.set(typeName, schema);
    return schema;
  }

  /** Protobuf scoping: a name is looked up in the message, then each enclosing scope outwards. */
  private resolve(scope: string, name: string, known: ReadonlyMap<string, unknown>): string {
    if (name.startsWith('.')) return name.slice(1);
    const parts = scope.split('.');
    for (let i = parts.length; i >= 0; i--) {
      const candidate = [...parts.slice(0, i), name].join('.');
      if (known.has(candidate)) return candidate;
    }
    throw new Error(`cannot resolve type ${name} from ${scope}`);
  }
}

function isDefault(v: unknown, type: FieldKind): boolean {
  if (type.kind === 'enum') return v === type.zero || v === 0;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') return v.length === 0;
  if (v instanceof Uint8Array) return v.length === 0;
  return false;
}
