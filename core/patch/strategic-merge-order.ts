// The `$setElementOrder/<list>` directive of strategic merge patch: the patch states the order
// of the whole list, so the merged list follows it (apimachinery mergePatchIntoOriginal).

import { goValueText, isJsonMap, type JsonMap } from './json-value.js';
import { removeDirectives } from './strategic-merge-cleanup.js';
import { failBadArgType, failBadSetElementOrderFormat, failNoMergeKey, strategicFail } from './strategic-merge-errors.js';
import {
  DIRECTIVE_MARKER,
  extractToDeleteItems,
  mergeListField,
  normalizeElementOrder,
  partitionByPresence,
  sliceElementKind,
  type MapMerger,
} from './strategic-merge-list.js';
import type { StrategicMergeSchema } from './strategic-merge-schema.js';

export const SET_ELEMENT_ORDER_PREFIX = '$setElementOrder';

/** The list key a directive key applies to (`$setElementOrder/containers` → `containers`). */
export function directiveTarget(key: string, prefix: string, onBadFormat: () => never): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) onBadFormat();
  return key.slice(slash + 1);
}

function mergeKeyValuesEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return (left ?? null) === (right ?? null);
  if (!isJsonMap(left)) failBadArgType('map', left);
  if (!isJsonMap(right)) failBadArgType('map', right);
  if (!Object.hasOwn(left, mergeKey)) failNoMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) failNoMergeKey(right, mergeKey);
  return (left[mergeKey] ?? null) === (right[mergeKey] ?? null);
}

/** The patch list's items (deletions aside) must appear in the order list, in the same relative order. */
function validatePatchWithSetOrderList(patchList: readonly unknown[], orderList: readonly unknown[], mergeKey: string): void {
  if (orderList.length === 0 || patchList.length === 0) return;
  const items = mergeKey === '' ? patchList : extractToDeleteItems(patchList).keep;
  let patchIndex = 0;
  let orderIndex = 0;
  while (patchIndex < items.length && orderIndex < orderList.length) {
    const item = items[patchIndex];
    if (isJsonMap(item) && Object.hasOwn(item, DIRECTIVE_MARKER)) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValuesEqual(item, orderList[orderIndex], mergeKey)) patchIndex++;
    orderIndex++;
  }
  if (patchIndex < items.length && orderIndex >= orderList.length) {
    strategicFail(
      'StrategicMergeFailed',
      `the order in patch list:\n${goValueText(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX} list:\n${goValueText(orderList)}`,
    );
  }
}

/**
 * Processes every `$setElementOrder/<list>` key of `patch`: merges `<list>` of the patch into
 * `original` and orders the result by the directive (then by live order for items the directive
 * does not name). Both keys are removed from `patch` so the main merge skips them.
 */
export function applySetElementOrderDirectives(
  original: JsonMap,
  patch: JsonMap,
  schema: StrategicMergeSchema,
  mergeMap: MapMerger,
): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    const orderList = patch[key];
    delete patch[key];
    if (!Array.isArray(orderList)) failBadArgType('list', orderList);
    const listKey = directiveTarget(key, SET_ELEMENT_ORDER_PREFIX, failBadSetElementOrderFormat);
    const foundOriginal = Object.hasOwn(original, listKey);
    const foundPatch = Object.hasOwn(patch, listKey);
    const originalList = original[listKey];
    const patchList = patch[listKey];
    if (foundOriginal && !Array.isArray(originalList)) failBadArgType('list', originalList);
    if (foundPatch && !Array.isArray(patchList)) failBadArgType('list', patchList);
    const originalItems: unknown[] = Array.isArray(originalList) ? originalList : [];
    const patchItems: unknown[] = Array.isArray(patchList) ? patchList : [];
    const { meta, schema: itemSchema } = schema.field(listKey);
    const mergeKey = meta?.mergeKey ?? '';
    validatePatchWithSetOrderList(patchItems, orderList, mergeKey);
    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalItems;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchItems).value as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeListField(originalItems, patchItems, meta, itemSchema, false, mergeMap);
    else continue;
    const { present, absent } = partitionByPresence(merged, orderList, mergeKey);
    const kind = sliceElementKind(originalItems, patchItems);
    original[listKey] = normalizeElementOrder(present, absent, orderList, originalItems, mergeKey, kind);
    delete patch[listKey];
  }
}
