import { copyJson, isJsonMap, type JsonMap } from './json-value.js';
import { PatchError } from './patch-error.js';

/** Drops null members of objects, recursively (also inside arrays, whose null items stay). */
function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (!isJsonMap(value)) return value;
  const out: JsonMap = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== null) out[key] = pruneNulls(item);
  }
  return out;
}

function mergeInto(target: JsonMap, patch: JsonMap): JsonMap {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (value === null) {
      delete target[key];
    } else if (current === undefined || current === null || !isJsonMap(current)) {
      // A new member, or a non-object replaced: take the patch value, minus its nulls.
      target[key] = pruneNulls(value);
    } else if (isJsonMap(value)) {
      target[key] = mergeInto(current, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

/**
 * Applies a JSON merge patch (RFC 7386, `application/merge-patch+json`) to `target` and returns
 * the result; neither argument is modified. Objects merge member by member, `null` removes a
 * member, anything else (arrays included) replaces. As kube-apiserver, the patch must be a JSON
 * object: anything else throws PatchError 'MalformedPatch' ("Invalid JSON Patch", a 400).
 */
export function applyJsonMergePatch(target: JsonMap, patch: unknown): JsonMap {
  if (!isJsonMap(patch)) throw new PatchError('merge', 'MalformedPatch', 'Invalid JSON Patch');
  return mergeInto(copyJson(target), copyJson(patch));
}
