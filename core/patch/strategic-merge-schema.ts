import { PATCH_KIND_TYPES, PATCH_TYPES, type StrategicPatchStrategy } from './built-in-patch-meta.js';

/** The patch metadata of one field: how it merges, and by which key its list items match. */
export interface StrategicPatchMeta {
  readonly strategy: StrategicPatchStrategy;
  /** For lists of objects merged by key: the member identifying an item (`name` for containers). */
  readonly mergeKey?: string;
}

/** A field's metadata (undefined: none declared) and the schema of its value (of its items, for lists). */
export interface StrategicPatchFieldLookup {
  readonly meta: StrategicPatchMeta | undefined;
  readonly schema: StrategicMergeSchema;
}

/**
 * The patch metadata of one object type, as strategicpatch.LookupPatchMeta. A field without
 * metadata merges as Kubernetes merges fields of unknown schema: objects key by key, lists
 * replaced whole.
 */
export interface StrategicMergeSchema {
  /** The type's name, for error messages. */
  readonly name: string;
  field(name: string): StrategicPatchFieldLookup;
}

class TableSchema implements StrategicMergeSchema {
  /** One instance per type name; bounded by the names in PATCH_TYPES (plus '' for "no type"). */
  private static readonly cache = new Map<string, TableSchema>();

  private constructor(readonly name: string) {}

  /** The schema of a type of PATCH_TYPES; unknown names give a schema without metadata. */
  static named(name: string): TableSchema {
    let schema = TableSchema.cache.get(name);
    if (schema === undefined) {
      schema = new TableSchema(name);
      TableSchema.cache.set(name, schema);
    }
    return schema;
  }

  field(name: string): StrategicPatchFieldLookup {
    const fields = Object.hasOwn(PATCH_TYPES, this.name) ? PATCH_TYPES[this.name] : undefined;
    const spec = fields !== undefined && Object.hasOwn(fields, name) ? fields[name] : undefined;
    const schema = TableSchema.named(spec?.type ?? '');
    if (spec?.strategy === undefined) return { meta: undefined, schema };
    const meta: StrategicPatchMeta = spec.mergeKey === undefined ? { strategy: spec.strategy } : { strategy: spec.strategy, mergeKey: spec.mergeKey };
    return { meta, schema };
  }
}

/** A schema that declares nothing: every list is replaced, every object merged. */
export const EMPTY_STRATEGIC_MERGE_SCHEMA: StrategicMergeSchema = TableSchema.named('');

/** The API group of an apiVersion: `apps` for `apps/v1`, '' for `v1`. */
function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The strategic merge schema of a built-in kind (`apiVersion` as in objects: `v1`, `apps/v1`), or
 * undefined when Flotilla knows no Go-typed schema for it. kube-apiserver refuses strategic merge
 * patches for such kinds (custom resources) with 415 UnsupportedMediaType.
 */
export function strategicMergeSchemaFor(apiVersion: string, kind: string): StrategicMergeSchema | undefined {
  const typeName = PATCH_KIND_TYPES.get(`${groupOf(apiVersion)}/${kind}`);
  return typeName === undefined ? undefined : TableSchema.named(typeName);
}

/**
 * The patch metadata of the field at `path` (field names from the object root; list items are
 * not path steps, so `['spec', 'template', 'spec', 'containers', 'ports']` is a container's
 * ports), or undefined when the field declares none (lists replace, objects merge) or the kind is
 * not built in.
 */
export function lookupPatchMeta(apiVersion: string, kind: string, path: readonly string[]): StrategicPatchMeta | undefined {
  let schema = strategicMergeSchemaFor(apiVersion, kind);
  let meta: StrategicPatchMeta | undefined;
  for (const name of path) {
    if (schema === undefined) return undefined;
    const lookup = schema.field(name);
    meta = lookup.meta;
    schema = lookup.schema;
  }
  return meta;
}
