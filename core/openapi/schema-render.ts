import { assert } from '../assert.js';
import { isNamedScalar, type OpenApiField, type OpenApiType, type OpenApiTypeRegistry } from './schema-dsl.js';

/** Which OpenAPI dialect a document is written in: Swagger 2.0 (`/openapi/v2`) or 3.0 (`/openapi/v3`). */
export type OpenApiFlavor = 'v2' | 'v3';

/** A JSON schema (or any OpenAPI JSON value) as it goes on the wire. */
export type OpenApiJson = Record<string, unknown>;

/** Where a flavor keeps named schemas. */
export function schemaRef(flavor: OpenApiFlavor, name: string): string {
  return flavor === 'v2' ? `#/definitions/${name}` : `#/components/schemas/${name}`;
}

const SCALARS: Readonly<Record<string, OpenApiJson>> = {
  string: { type: 'string' },
  int32: { type: 'integer', format: 'int32' },
  int64: { type: 'integer', format: 'int64' },
  double: { type: 'number', format: 'double' },
  boolean: { type: 'boolean' },
  byte: { type: 'string', format: 'byte' },
};

/**
 * The schema of one field. In v3 a reference is wrapped in `allOf` as kube does, because
 * OpenAPI 3.0 ignores the siblings of a bare `$ref` (and kubectl's patch-meta lookup follows
 * `allOf[0]`). Patch strategy and list semantics sit on the field, where kubectl reads them.
 */
export function renderField(field: OpenApiField, flavor: OpenApiFlavor): OpenApiJson {
  if (typeof field === 'string') {
    const scalar = SCALARS[field];
    assert(scalar !== undefined, () => `unknown scalar ${field}`);
    return { ...scalar };
  }
  if ('ref' in field) {
    const target = { $ref: schemaRef(flavor, field.ref) };
    const schema: OpenApiJson = flavor === 'v3' ? { allOf: [target] } : target;
    if (field.patchStrategy !== undefined) schema['x-kubernetes-patch-strategy'] = field.patchStrategy;
    return schema;
  }
  if ('list' in field) {
    const schema: OpenApiJson = { type: 'array', items: renderField(field.list, flavor) };
    if (field.listType !== undefined) schema['x-kubernetes-list-type'] = field.listType;
    if (field.listMapKeys !== undefined) schema['x-kubernetes-list-map-keys'] = [...field.listMapKeys];
    if (field.mergeKey !== undefined) schema['x-kubernetes-patch-merge-key'] = field.mergeKey;
    if (field.patchStrategy !== undefined) schema['x-kubernetes-patch-strategy'] = field.patchStrategy;
    return schema;
  }
  if ('map' in field) {
    const schema: OpenApiJson = { type: 'object', additionalProperties: renderField(field.map, flavor) };
    if (field.mapType !== undefined) schema['x-kubernetes-map-type'] = field.mapType;
    return schema;
  }
  return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
}

/** The schema of a named type. */
export function renderType(type: OpenApiType, flavor: OpenApiFlavor): OpenApiJson {
  if (isNamedScalar(type)) {
    const schema: OpenApiJson = { ...(flavor === 'v2' ? type.scalarV2 : type.scalarV3) };
    if (type.description !== undefined) schema.description = type.description;
    return schema;
  }
  const schema: OpenApiJson = {};
  if (type.description !== undefined) schema.description = type.description;
  schema.type = 'object';
  const names = Object.keys(type.properties);
  if (names.length > 0) {
    schema.properties = Object.fromEntries(names.map((name) => {
      const field = type.properties[name];
      assert(field !== undefined, 'property listed but missing');
      return [name, renderField(field, flavor)];
    }));
  }
  if (type.required !== undefined && type.required.length > 0) schema.required = [...type.required];
  if (type.gvk !== undefined) schema['x-kubernetes-group-version-kind'] = type.gvk.map((g) => ({ ...g }));
  if (type.mapType !== undefined) schema['x-kubernetes-map-type'] = type.mapType;
  return schema;
}

function fieldRefs(field: OpenApiField, out: string[]): void {
  if (typeof field === 'string' || 'freeform' in field) return;
  if ('ref' in field) out.push(field.ref);
  else if ('list' in field) fieldRefs(field.list, out);
  else fieldRefs(field.map, out);
}

/**
 * The names of `roots` and every type they reference, transitively, sorted. Each group-version
 * document carries its own closure, as kube's do, so a client can resolve every `$ref` in it.
 */
export function typeClosure(roots: Iterable<string>, registry: OpenApiTypeRegistry): string[] {
  const seen = new Set<string>();
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop();
    if (name === undefined || seen.has(name)) continue;
    const type = registry[name];
    assert(type !== undefined, () => `OpenAPI type ${name} is referenced but not defined`);
    seen.add(name);
    if (isNamedScalar(type)) continue;
    const refs: string[] = [];
    for (const field of Object.values(type.properties)) fieldRefs(field, refs);
    pending.push(...refs);
  }
  return [...seen].sort();
}
