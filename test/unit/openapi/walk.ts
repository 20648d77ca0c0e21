/**
 * Test helpers that read OpenAPI documents the way kubectl does: follow `allOf[0]` and `$ref`
 * within one document, and read patch metadata from the property that holds a field.
 */
export type Json = Record<string, unknown>;

export function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function child(value: unknown, ...path: string[]): Json {
  let current: unknown = value;
  for (const key of path) {
    if (!isJson(current)) throw new Error(`no object at ${path.join('.')}`);
    current = current[key];
  }
  if (!isJson(current)) throw new Error(`no object at ${path.join('.')}`);
  return current;
}

/** Every `$ref` string anywhere in `value`. */
export function allRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) allRefs(v, out);
  } else if (isJson(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else allRefs(v, out);
    }
  }
  return out;
}

/** kubectl's `resolve`: take allOf[0], then follow a `$ref` into `schemas`. */
export function resolve(schema: Json, schemas: Json, prefix: string): Json {
  let s = schema;
  const allOf = s.allOf;
  if (Array.isArray(allOf) && isJson(allOf[0])) s = allOf[0];
  const ref = s.$ref;
  if (typeof ref === 'string') {
    const target = schemas[ref.slice(prefix.length)];
    if (!isJson(target)) throw new Error(`unresolved ${ref}`);
    return target;
  }
  return s;
}

export interface PatchMeta {
  strategy: string | undefined;
  mergeKey: string | undefined;
}

/**
 * Walks `path` (field names; "[]" steps into list items) from the schema `root`, like kubectl's
 * PatchMetaFromOpenAPIV3, and returns the patch metadata of the last field.
 */
export function patchMetaAt(root: Json, schemas: Json, prefix: string, path: string[]): PatchMeta {
  let schema = root;
  let meta: PatchMeta = { strategy: undefined, mergeKey: undefined };
  for (const step of path) {
    if (step === '[]') {
      schema = resolve(child(schema, 'items'), schemas, prefix);
      continue;
    }
    const property = child(schema, 'properties', step);
    meta = {
      strategy: typeof property['x-kubernetes-patch-strategy'] === 'string' ? property['x-kubernetes-patch-strategy'] : undefined,
      mergeKey: typeof property['x-kubernetes-patch-merge-key'] === 'string' ? property['x-kubernetes-patch-merge-key'] : undefined,
    };
    schema = isJson(property.items) ? property : resolve(property, schemas, prefix);
  }
  return meta;
}
