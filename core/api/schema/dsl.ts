// A compact description of each kind's JSON shape: which fields exist at every level and what
// scalar type each holds. It drives strict field validation (unknown fields) and decode-time
// type checks, and names Go types so errors read as kube-apiserver's decoder writes them.

/** Scalar wire types. `int32`/`int64` are JSON integers; `bytes` is base64 text ([]byte in Go). */
export type ScalarKind =
  | 'string'
  | 'int32'
  | 'int64'
  | 'boolean'
  | 'float64'
  | 'intOrString'
  | 'quantity'
  | 'time'
  | 'microTime'
  | 'bytes';

export interface ScalarSchema {
  readonly type: 'scalar';
  readonly scalar: ScalarKind;
}

export interface ObjectSchema {
  readonly type: 'object';
  /** The Go struct name, e.g. `PodSpec` (all kinds here live in packages named v1). */
  readonly goType: string;
  readonly fields: Readonly<Record<string, FieldSchema>>;
}

export interface ArraySchema {
  readonly type: 'array';
  readonly items: FieldSchema;
}

export interface MapSchema {
  readonly type: 'map';
  readonly values: FieldSchema;
}

/** Free-form JSON whose content is not checked (e.g. rarely used volume sources, RawExtension). */
export interface AnySchema {
  readonly type: 'any';
}

export type FieldSchema = ScalarSchema | ObjectSchema | ArraySchema | MapSchema | AnySchema;

export type FieldMap = Readonly<Record<string, FieldSchema>>;

export function scalar(kind: ScalarKind): ScalarSchema {
  return { type: 'scalar', scalar: kind };
}

export const str = scalar('string');
export const i32 = scalar('int32');
export const i64 = scalar('int64');
export const bool = scalar('boolean');
export const f64 = scalar('float64');
export const intOrString = scalar('intOrString');
export const quantity = scalar('quantity');
export const time = scalar('time');
export const microTime = scalar('microTime');
export const bytes = scalar('bytes');
export const anyJson: AnySchema = { type: 'any' };

export function obj(goType: string, fields: FieldMap): ObjectSchema {
  return { type: 'object', goType, fields };
}

export function arrayOf(items: FieldSchema): ArraySchema {
  return { type: 'array', items };
}

export function mapOf(values: FieldSchema): MapSchema {
  return { type: 'map', values };
}

export const stringMap = mapOf(str);
export const stringList = arrayOf(str);
export const quantityMap = mapOf(quantity);

/** The Go type name the decoder would print for a schema node (`[]v1.Container`, `int32`). */
export function goTypeName(schema: FieldSchema): string {
  switch (schema.type) {
    case 'object':
      return `v1.${schema.goType}`;
    case 'array':
      return `[]${goTypeName(schema.items)}`;
    case 'map':
      return `map[string]${goTypeName(schema.values)}`;
    case 'any':
      return 'interface {}';
    case 'scalar':
      switch (schema.scalar) {
        case 'string':
          return 'string';
        case 'int32':
          return 'int32';
        case 'int64':
          return 'int64';
        case 'boolean':
          return 'bool';
        case 'float64':
          return 'float64';
        case 'intOrString':
          return 'intstr.IntOrString';
        case 'quantity':
          return 'resource.Quantity';
        case 'time':
          return 'v1.Time';
        case 'microTime':
          return 'v1.MicroTime';
        case 'bytes':
          return '[]uint8';
      }
  }
}
