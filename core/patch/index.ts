// Public surface of core/patch/: the three PATCH formats of the Kubernetes API.
export { PatchError, type PatchErrorReason, type PatchFormat } from './patch-error.js';
export { applyJsonMergePatch } from './json-merge-patch.js';
export {
  applyJsonPatch,
  JSON_PATCH_COPY_LIMIT_BYTES,
  MAX_JSON_PATCH_OPERATIONS,
  type JsonPatchOptions,
} from './json-patch.js';
export type { StrategicPatchStrategy } from './built-in-patch-meta.js';
export {
  EMPTY_STRATEGIC_MERGE_SCHEMA,
  lookupPatchMeta,
  strategicMergeSchemaFor,
  type StrategicMergeSchema,
  type StrategicPatchFieldLookup,
  type StrategicPatchMeta,
} from './strategic-merge-schema.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
