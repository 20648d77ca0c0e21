import { compareBytes, EMPTY_BYTES } from './bytes.js';
import type { KeyValue, RangeRequest, SortOrder } from './types.js';

/**
 * The request-level half of a range (etcd's applierV3backend.Range): revision filters, sorting,
 * limit and keysOnly over the KeyValues the index scan produced (in key order).
 */

/** etcd's sort normalization: NONE with a non-KEY target sorts ascending; ASCEND by KEY is the scan order. */
function effectiveOrder(r: RangeRequest): SortOrder {
  const order = r.sortOrder ?? 'NONE';
  const target = r.sortTarget ?? 'KEY';
  if (target !== 'KEY' && order === 'NONE') return 'ASCEND';
  if (target === 'KEY' && order === 'ASCEND') return 'NONE';
  return order;
}

function hasRevisionFilters(r: RangeRequest): boolean {
  return (r.minModRevision ?? 0) !== 0 || (r.maxModRevision ?? 0) !== 0 || (r.minCreateRevision ?? 0) !== 0 || (r.maxCreateRevision ?? 0) !== 0;
}

/**
 * How many KeyValues the scan must produce, in key order: the limit plus one (to learn `more`),
 * or 0 for all of them when sorting or filtering comes first.
 */
export function scanLimit(r: RangeRequest): number {
  const limit = r.limit ?? 0;
  if (limit <= 0 || effectiveOrder(r) !== 'NONE' || hasRevisionFilters(r)) return 0;
  return limit + 1;
}

/** Filters, sorts and truncates the scanned KeyValues (key order); `kvs` may be reordered in place. */
export function finishRange(kvs: KeyValue[], r: RangeRequest): { kvs: KeyValue[]; more: boolean } {
  let out = kvs;
  if (hasRevisionFilters(r)) {
    const minMod = r.minModRevision ?? 0;
    const maxMod = r.maxModRevision ?? 0;
    const minCreate = r.minCreateRevision ?? 0;
    const maxCreate = r.maxCreateRevision ?? 0;
    out = out.filter(
      (kv) =>
        (maxMod === 0 || kv.modRevision <= maxMod) &&
        (minMod === 0 || kv.modRevision >= minMod) &&
        (maxCreate === 0 || kv.createRevision <= maxCreate) &&
        (minCreate === 0 || kv.createRevision >= minCreate),
    );
  }
  const order = effectiveOrder(r);
  if (order !== 'NONE') {
    const cmp = sortCompare(r.sortTarget ?? 'KEY');
    // Array.prototype.sort is stable: ties keep key order, the same on every member.
    out.sort(order === 'ASCEND' ? cmp : (a, b) => cmp(b, a));
  }
  let more = false;
  const limit = r.limit ?? 0;
  if (limit > 0 && out.length > limit) {
    out = out.slice(0, limit);
    more = true;
  }
  if (r.keysOnly === true) out = out.map((kv) => ({ ...kv, value: EMPTY_BYTES }));
  return { kvs: out, more };
}

function sortCompare(target: NonNullable<RangeRequest['sortTarget']>): (a: KeyValue, b: KeyValue) => number {
  switch (target) {
    case 'KEY':
      return (a, b) => compareBytes(a.key, b.key);
    case 'VERSION':
      return (a, b) => a.version - b.version;
    case 'CREATE':
      return (a, b) => a.createRevision - b.createRevision;
    case 'MOD':
      return (a, b) => a.modRevision - b.modRevision;
    case 'VALUE':
      return (a, b) => compareBytes(a.value, b.value);
  }
}
