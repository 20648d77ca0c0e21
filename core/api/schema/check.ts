// Walks a decoded JSON object against its kind's schema, finding what kube-apiserver's decoder
// would object to: unknown fields (reported only under fieldValidation=Strict/Warn) and values of
// the wrong type (always a 400).
import { isJsonObject } from '../json.js';
import { quantityParseProblem } from '../quantity.js';
import { goTypeName, type FieldSchema, type ObjectSchema } from './dsl.js';

export interface SchemaCheckResult {
  /** Paths of fields the schema does not know, in document order (`spec.template.spec.foo`). */
  readonly unknownFields: string[];
  /** The first decode error, worded as kube-apiserver's, or undefined. */
  readonly decodeError: string | undefined;
}

/** How Go's encoding/json names the JSON value it could not store. */
function jsonValueName(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'number' : `number ${value}`;
  if (Array.isArray(value)) return 'array';
  return 'object';
}

const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const BASE64_ALPHABET = /[A-Za-z0-9+/]/;

/**
 * The offset Go's base64.StdEncoding reports for malformed input, or -1 when it decodes. Like
 * Go's decoder it skips CR and LF, which PEM-style wrapped values contain.
 */
function base64ErrorOffset(text: string): number {
  let significant = 0;
  let padding = 0;
  let quantumStart = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? '';
    if (char === '\r' || char === '\n') continue;
    if (significant % 4 === 0 && padding === 0) quantumStart = i;
    if (char === '=') {
      const position = significant % 4;
      if (padding === 0 && position < 2) return i;
      padding++;
      significant++;
      if (position + 1 === 4 && padding > 0) {
        const rest = text.slice(i + 1).replace(/[\r\n]/g, '');
        return rest.length === 0 ? -1 : i + 1;
      }
      continue;
    }
    if (padding > 0 || !BASE64_ALPHABET.test(char)) return i;
    significant++;
  }
  return significant % 4 === 0 ? -1 : quantumStart;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

class SchemaWalker {
  readonly unknownFields: string[] = [];
  decodeError: string | undefined;

  /** `fieldPath` is the dotted JSON path without indices, as Go's UnmarshalTypeError.Field. */
  walk(schema: FieldSchema, value: unknown, path: string, fieldPath: string, parent: ObjectSchema | undefined): void {
    if (value === null || value === undefined || schema.type === 'any') return;
    switch (schema.type) {
      case 'object':
        if (!isJsonObject(value)) return this.typeError(value, schema, fieldPath, parent);
        for (const [key, child] of Object.entries(value)) {
          const childPath = path === '' ? key : `${path}.${key}`;
          const childFieldPath = fieldPath === '' ? key : `${fieldPath}.${key}`;
          const childSchema = schema.fields[key];
          if (childSchema === undefined) {
            this.unknownFields.push(childPath);
          } else {
            this.walk(childSchema, child, childPath, childFieldPath, schema);
          }
        }
        return;
      case 'array':
        if (!Array.isArray(value)) return this.typeError(value, schema, fieldPath, parent);
        value.forEach((item, index) => this.walk(schema.items, item, `${path}[${index}]`, fieldPath, parent));
        return;
      case 'map':
        if (!isJsonObject(value)) return this.typeError(value, schema, fieldPath, parent);
        for (const [key, child] of Object.entries(value)) {
          this.walk(schema.values, child, `${path}.${key}`, `${fieldPath}.${key}`, parent);
        }
        return;
      case 'scalar':
        return this.checkScalar(schema, value, fieldPath, parent);
    }
  }

  private checkScalar(schema: FieldSchema & { type: 'scalar' }, value: unknown, fieldPath: string, parent: ObjectSchema | undefined): void {
    switch (schema.scalar) {
      case 'string':
        if (typeof value !== 'string') this.typeError(value, schema, fieldPath, parent);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.typeError(value, schema, fieldPath, parent);
        return;
      case 'float64':
        if (typeof value !== 'number') this.typeError(value, schema, fieldPath, parent);
        return;
      case 'int32':
      case 'int64': {
        const fits =
          typeof value === 'number' &&
          Number.isInteger(value) &&
          (schema.scalar === 'int64' || (value >= INT32_MIN && value <= INT32_MAX));
        if (!fits) this.typeError(value, schema, fieldPath, parent);
        return;
      }
      case 'intOrString':
        if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
          this.fail(`json: cannot unmarshal ${jsonValueName(value)} into Go value of type int32`);
        }
        return;
      case 'quantity': {
        const problem = quantityParseProblem(value);
        if (problem !== undefined) this.fail(problem);
        return;
      }
      case 'time':
      case 'microTime':
        if (typeof value !== 'string') {
          this.fail(`json: cannot unmarshal ${jsonValueName(value)} into Go value of type string`);
        } else if (!RFC3339_RE.test(value)) {
          this.fail(`parsing time "${value}" as "2006-01-02T15:04:05Z07:00": cannot parse "${value}" as "2006"`);
        }
        return;
      case 'bytes':
        if (typeof value !== 'string') {
          this.typeError(value, schema, fieldPath, parent);
        } else {
          const offset = base64ErrorOffset(value);
          if (offset >= 0) this.fail(`illegal base64 data at input byte ${offset}`);
        }
        return;
    }
  }

  private typeError(value: unknown, schema: FieldSchema, fieldPath: string, parent: ObjectSchema | undefined): void {
    const target = parent === undefined ? 'Go value' : `Go struct field ${parent.goType}.${fieldPath}`;
    this.fail(`json: cannot unmarshal ${jsonValueName(value)} into ${target} of type ${goTypeName(schema)}`);
  }

  private fail(message: string): void {
    this.decodeError ??= message;
  }
}

/** Checks a decoded object (the request body) against a kind's top-level schema. */
export function checkAgainstSchema(schema: ObjectSchema, value: unknown): SchemaCheckResult {
  const walker = new SchemaWalker();
  walker.walk(schema, value, '', '', undefined);
  return { unknownFields: walker.unknownFields, decodeError: walker.decodeError };
}
