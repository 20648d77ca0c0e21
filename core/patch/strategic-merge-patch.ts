import { copyJson, goValueText, isJsonMap, jsonKindOf, type JsonMap } from './json-value.js';
import { PatchError } from './patch-error.js';
import { discardNullValues, removeDirectives } from './strategic-merge-cleanup.js';
import { failBadPrimitiveListFormat, failBadRetainKeysFormat, strategicFail } from './strategic-merge-errors.js';
import { baseStrategy, DIRECTIVE_MARKER, mergeListField } from './strategic-merge-list.js';
import { applySetElementOrderDirectives, directiveTarget, SET_ELEMENT_ORDER_PREFIX } from './strategic-merge-order.js';
import type { StrategicMergeSchema } from './strategic-merge-schema.js';

const DELETE_FROM_PRIMITIVE_LIST_PREFIX = '$deleteFromPrimitiveList';
const RETAIN_KEYS_DIRECTIVE = '$retainKeys';

/** `$patch` on a map: `replace` takes the patch map as is, `delete` leaves an empty map. */
function applyMapDirective(directive: unknown, patch: JsonMap): JsonMap {
  if (directive === 'replace') {
    delete patch[DIRECTIVE_MARKER];
    return patch;
  }
  if (directive === 'delete') return {};
  return strategicFail('StrategicMergeFailed', `unknown patch type: ${String(directive)} in map: ${goValueText(patch)}`);
}

/**
 * `$retainKeys: [k…]`: the original keeps only the listed keys, and every non-null key the
 * patch sets (directives aside) must be listed.
 */
function applyRetainKeysDirective(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retained = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retained)) failBadRetainKeysFormat();
  const keep = new Set<unknown>(retained);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || key.startsWith(SET_ELEMENT_ORDER_PREFIX)) {
      continue;
    }
    if (!keep.has(key)) failBadRetainKeysFormat();
  }
  for (const key of Object.keys(original)) {
    if (!keep.has(key)) delete original[key];
  }
}

/** Takes a patch value over whole, minus its nulls and `$patch` objects (which may drop the field). */
function assignFromPatch(original: JsonMap, key: string, value: unknown): void {
  discardNullValues(value);
  const cleaned = removeDirectives(value);
  if (cleaned.keep) original[key] = cleaned.value;
  else delete original[key];
}

/**
 * Merges `patch` into `original` (both owned by the caller, both mutated), as apimachinery's
 * mergeMap with the options of StrategicMergePatch (parallel lists merged, unmatched nulls
 * ignored).
 */
function mergeMap(original: JsonMap, patch: JsonMap, schema: StrategicMergeSchema): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE_MARKER)) return applyMapDirective(patch[DIRECTIVE_MARKER], patch);
  applyRetainKeysDirective(original, patch);
  applySetElementOrderDirectives(original, patch, schema, mergeMap);
  for (const [patchKey, patchValue] of Object.entries(patch)) {
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      key = directiveTarget(patchKey, DELETE_FROM_PRIMITIVE_LIST_PREFIX, failBadPrimitiveListFormat);
      isDeleteList = true;
    }
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const kind = jsonKindOf(patchValue);
    if (!Object.hasOwn(original, key) || jsonKindOf(original[key]) !== kind) {
      // A deletion list for a list the original lacks has nothing to delete.
      if (!isDeleteList) assignFromPatch(original, key, patchValue);
      continue;
    }
    const current = original[key];
    const { meta, schema: fieldSchema } = schema.field(key);
    if (kind === 'map') {
      original[key] =
        baseStrategy(meta) === 'replace'
          ? patchValue
          : mergeMap(current as JsonMap, patchValue as JsonMap, fieldSchema);
    } else if (kind === 'list') {
      original[key] = mergeListField(current as unknown[], patchValue as unknown[], meta, fieldSchema, isDeleteList, mergeMap);
    } else {
      original[key] = patchValue;
    }
  }
  return original;
}

/**
 * Applies a strategic merge patch (`application/strategic-merge-patch+json`) to `original` and
 * returns the result, as apimachinery's strategicpatch.StrategicMergeMapPatch; the arguments are
 * not modified. `schema` says which lists merge and by which key (`strategicMergeSchemaFor`).
 *
 * Maps merge recursively and `null` deletes a key. Lists whose field has strategy `merge`
 * merge: objects item by item on the merge key (new items first, then the live ones in live
 * order), scalars as a set; other lists are replaced. Directives: `$patch: replace|delete` on a
 * map or a list item (`$patch: merge` is refused, as in Kubernetes), `$retainKeys`,
 * `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.
 *
 * A null patch changes nothing; a patch that is not an object throws PatchError 'MalformedPatch'
 * (400). Malformed directives throw PatchError with kube-apiserver's message and status code.
 */
export function applyStrategicMergePatch(original: JsonMap, patch: unknown, schema: StrategicMergeSchema): JsonMap {
  if (patch === null) return copyJson(original);
  if (!isJsonMap(patch)) {
    const jsonType = Array.isArray(patch) ? 'array' : typeof patch === 'boolean' ? 'bool' : typeof patch;
    throw new PatchError('strategic', 'MalformedPatch', `json: cannot unmarshal ${jsonType} into Go value of type map[string]interface {}`);
  }
  return mergeMap(copyJson(original), copyJson(patch), schema);
}
