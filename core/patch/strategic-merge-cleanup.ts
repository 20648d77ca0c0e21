// Cleaning of patch values that are taken over whole (a field absent from the original, or of
// another JSON type): their nulls and `$patch` directives must not reach the merged object.

import { isJsonMap } from './json-value.js';
import { DIRECTIVE_MARKER } from './strategic-merge-list.js';

/** Drops null members of objects, recursively, in place (null list items stay). */
export function discardNullValues(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) discardNullValues(item);
  } else if (isJsonMap(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (item === null) delete value[key];
      else discardNullValues(item);
    }
  }
}

/**
 * Removes every object carrying a `$patch` directive, recursively (apimachinery removeDirectives);
 * `keep` is false when `value` itself is such an object, so its field must not be kept either.
 * Other directive keys (`$setElementOrder/…`, `$retainKeys`) are left as apimachinery leaves them.
 */
export function removeDirectives(value: unknown): { value: unknown; keep: boolean } {
  if (Array.isArray(value)) {
    const kept: unknown[] = [];
    for (const item of value) {
      const cleaned = removeDirectives(item);
      if (cleaned.keep) kept.push(cleaned.value);
    }
    return { value: kept, keep: true };
  }
  if (!isJsonMap(value)) return { value, keep: true };
  if (Object.hasOwn(value, DIRECTIVE_MARKER)) return { value: undefined, keep: false };
  for (const [key, item] of Object.entries(value)) {
    const cleaned = removeDirectives(item);
    if (cleaned.keep) value[key] = cleaned.value;
    else delete value[key];
  }
  return { value, keep: true };
}
