// List merging of strategic merge patch (apimachinery strategicpatch.mergeSlice and its helpers):
// lists of scalars merge as ordered sets, lists of objects merge item by item on a merge key,
// and the result keeps patch items in patch order and live items in live order.

import { goValueText, isJsonMap, jsonKindOf, type JsonKind, type JsonMap } from './json-value.js';
import { failBadArgType, failNoListOfLists, failNoMergeKey, strategicFail } from './strategic-merge-errors.js';
import type { StrategicMergeSchema, StrategicPatchMeta } from './strategic-merge-schema.js';

export const DIRECTIVE_MARKER = '$patch';

/** Merges a patch map into an original map (strategic-merge-patch.ts's mergeMap, passed in to avoid an import cycle). */
export type MapMerger = (original: JsonMap, patch: JsonMap, schema: StrategicMergeSchema) => JsonMap;

/** The strategy that governs merging, with retainKeys (which only shapes patch creation) set aside. */
export function baseStrategy(meta: StrategicPatchMeta | undefined): 'merge' | 'replace' | '' {
  switch (meta?.strategy) {
    case 'merge':
    case 'merge,retainKeys':
      return 'merge';
    case 'replace':
      return 'replace';
    default:
      return '';
  }
}

/** The common kind of the items of `lists`; throws for lists of lists, mixed kinds, or no items at all. */
export function sliceElementKind(...lists: readonly (readonly unknown[])[]): JsonKind {
  let kind: JsonKind | undefined;
  for (const list of lists) {
    for (const item of list) {
      const itemKind = jsonKindOf(item);
      if (kind === undefined) {
        if (itemKind === 'list') failNoListOfLists();
        kind = itemKind;
      } else if (itemKind !== kind) {
        strategicFail('StrategicMergeFailed', `list element types are not identical: ${goValueText(lists)}`);
      }
    }
  }
  if (kind === undefined) strategicFail('StrategicMergeFailed', 'no elements in any of the given slices');
  return kind;
}

/** Go interface equality of two scalars (nil equal to nil). */
function sameScalar(a: unknown, b: unknown): boolean {
  return (a ?? null) === (b ?? null);
}

function mergeKeyValue(item: unknown, mergeKey: string): unknown {
  return isJsonMap(item) ? item[mergeKey] : undefined;
}

/** Position of `value` in `list` (maps compared by merge key, scalars by value), -1 when absent. */
function indexIn(list: readonly unknown[], value: unknown, mergeKey: string, kind: JsonKind): number {
  if (kind === 'map') {
    const wanted = mergeKeyValue(value, mergeKey);
    return list.findIndex((item) => sameScalar(mergeKeyValue(item, mergeKey), wanted));
  }
  return list.findIndex((item) => sameScalar(item, value));
}

/** The map in `list` whose `key` equals `value`, with its index. */
export function findMapByKey(
  list: readonly unknown[],
  key: string,
  value: unknown,
): { map: JsonMap; index: number } | undefined {
  for (const [index, item] of list.entries()) {
    if (!isJsonMap(item)) strategicFail('StrategicMergeFailed', `value for key ${index} is not a map`);
    if (Object.hasOwn(item, key) && sameScalar(item[key], value)) return { map: item, index };
  }
  return undefined;
}

function validateMergeKeyInLists(mergeKey: string, ...lists: readonly (readonly unknown[])[]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isJsonMap(item)) failBadArgType('map', item);
      if (!Object.hasOwn(item, mergeKey)) failNoMergeKey(item, mergeKey);
    }
  }
}

/** Splits a list of maps into the items to keep and those carrying `$patch: delete`. */
export function extractToDeleteItems(list: readonly unknown[]): { keep: unknown[]; remove: unknown[] } {
  const keep: unknown[] = [];
  const remove: unknown[] = [];
  for (const item of list) {
    if (!isJsonMap(item)) failBadArgType('map', item);
    (item[DIRECTIVE_MARKER] === 'delete' ? remove : keep).push(item);
  }
  return { keep, remove };
}

/** `toSort` ordered as the same items are in `order` (items absent from it last); delete directives at the end. */
function normalizeSliceOrder(toSort: readonly unknown[], order: readonly unknown[], mergeKey: string, kind: JsonKind): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    ({ keep: items, remove: toDelete } = extractToDeleteItems(toSort));
  }
  const ranked = items.map((item, position) => ({ item, position, rank: indexIn(order, item, mergeKey, kind) }));
  ranked.sort((a, b) => {
    if (a.rank >= 0 && b.rank >= 0) return a.rank - b.rank;
    if (a.rank >= 0 || b.rank >= 0) return a.rank >= 0 ? -1 : 1;
    return a.position - b.position;
  });
  return [...ranked.map((entry) => entry.item), ...toDelete];
}

/**
 * Interleaves live-only items (`left`, in live order) with patch items (`right`, in patch order):
 * a live item goes first only when both are in the live list and it came earlier there. So new
 * items land before the remaining live ones (kubectl's docs show a patched-in container first).
 */
function mergeSortedSlice(
  left: readonly unknown[],
  right: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: JsonKind,
): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

/** Orders a merged list: patch items by `patchOrder`, live-only items by `serverOrder`, interleaved. */
export function normalizeElementOrder(
  patchItems: readonly unknown[],
  serverOnly: readonly unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: JsonKind,
): unknown[] {
  const patchSorted = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const serverSorted = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(serverSorted, patchSorted, serverOrder, mergeKey, kind);
}

/** Splits `merged` into the items present in `partitionBy` and the others (maps matched by merge key). */
export function partitionByPresence(
  merged: readonly unknown[],
  partitionBy: readonly unknown[],
  mergeKey: string,
): { present: unknown[]; absent: unknown[] } {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  if (mergeKey === '') {
    const inPatch = new Set(partitionBy);
    for (const item of merged) (inPatch.has(item) ? present : absent).push(item);
    return { present, absent };
  }
  for (const item of merged) {
    if (!isJsonMap(item)) failBadArgType('map', item);
    if (!Object.hasOwn(item, mergeKey)) failNoMergeKey(item, mergeKey);
    (findMapByKey(partitionBy, mergeKey, item[mergeKey]) !== undefined ? present : absent).push(item);
  }
  return { present, absent };
}

/** Applies `$patch` items of a list of maps: deletions by merge key, and `replace` dropping the live list. */
function mergeSliceWithSpecialElements(
  original: readonly unknown[],
  patch: readonly unknown[],
  mergeKey: string,
): { original: unknown[]; patch: unknown[] } {
  let live = [...original];
  const plain: unknown[] = [];
  let replace = false;
  for (const item of patch) {
    const map = item as JsonMap;
    if (!Object.hasOwn(map, DIRECTIVE_MARKER)) {
      plain.push(item);
      continue;
    }
    const directive = map[DIRECTIVE_MARKER];
    if (directive === 'delete') {
      if (!Object.hasOwn(map, mergeKey)) failNoMergeKey(map, mergeKey);
      const value = map[mergeKey];
      live = live.filter((candidate) => !(isJsonMap(candidate) && Object.hasOwn(candidate, mergeKey) && sameScalar(candidate[mergeKey], value)));
    } else if (directive === 'replace') {
      // Keep scanning: the other directive items are pruned all the same.
      replace = true;
    } else if (directive === 'merge') {
      strategicFail('StrategicMergeFailed', 'merging lists cannot yet be specified in the patch');
    } else {
      strategicFail('StrategicMergeFailed', `unknown patch type: ${String(directive)} in map: ${goValueText(map)}`);
    }
  }
  return replace ? { original: plain, patch: [] } : { original: live, patch: plain };
}

/** Merges a list by merge key: (live ⊕ patch), a list of scalars as a set; `isDeleteList` removes scalars instead. */
function mergeSlice(
  original: readonly unknown[],
  patch: readonly unknown[],
  schema: StrategicMergeSchema,
  mergeKey: string,
  isDeleteList: boolean,
  mergeMap: MapMerger,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return [...original];
  const kind = sliceElementKind(original, patch);
  let live = original;
  let patchItems = patch;
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) {
      const toDelete = new Set(patch);
      return original.filter((item) => !toDelete.has(item));
    }
    merged = [...new Set([...original, ...patch])];
  } else {
    if (mergeKey === '') strategicFail('StrategicMergeFailed', `cannot merge lists without merge key for ${schema.name}`);
    ({ original: live, patch: patchItems } = mergeSliceWithSpecialElements(original, patch, mergeKey));
    merged = [...live];
    for (const item of patchItems) {
      const map = item as JsonMap;
      if (!Object.hasOwn(map, mergeKey)) failNoMergeKey(map, mergeKey);
      const found = findMapByKey(merged, mergeKey, map[mergeKey]);
      if (found === undefined) merged.push(item);
      else merged[found.index] = mergeMap(found.map, map, schema);
    }
  }
  const { present, absent } = partitionByPresence(merged, patchItems, mergeKey);
  return normalizeElementOrder(present, absent, patchItems, live, mergeKey, kind);
}

/** Merges a list field per its metadata: merged when its strategy is merge (or for a deletion list), else replaced. */
export function mergeListField(
  original: readonly unknown[],
  patch: readonly unknown[],
  meta: StrategicPatchMeta | undefined,
  schema: StrategicMergeSchema,
  isDeleteList: boolean,
  mergeMap: MapMerger,
): unknown[] {
  if (baseStrategy(meta) === 'merge' || isDeleteList) {
    return mergeSlice(original, patch, schema, meta?.mergeKey ?? '', isDeleteList, mergeMap);
  }
  return [...patch];
}
