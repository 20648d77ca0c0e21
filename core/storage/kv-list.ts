/**
 * getList over a StorageKv, with the etcd3 store's semantics (apiserver storage/etcd3 getList):
 * which revision a list reads at, paging at the first page's revision, filling a page through a
 * filtering predicate, continue tokens, and the errors of compacted and future revisions.
 */
import { CONTINUE_AT_LATEST_REVISION, decodeContinueToken, encodeContinueToken } from './continue-token.js';
import {
  StorageContinueExpiredError,
  StorageInternalError,
  StorageInvalidListOptionsError,
  StorageKvCompactedError,
  StorageKvFutureRevisionError,
  StorageResourceVersionTooLargeError,
  StorageResourceVersionTooOldError,
} from './errors.js';
import type { StorageKv, StorageKvRangeResult } from './kv.js';
import { asStorageError, checkMinimumRevision, collectionPrefix } from './kv-common.js';
import { decodeStorageObject, parseResourceVersion } from './objects.js';
import type { StorageListOptions, StorageListResult, StorageObject } from './types.js';

/** The most keys one range asks for (kube's maxLimit): a filtered page doubles its fetch size up to this. */
export const LIST_MAX_FETCH_KEYS = 10_000;

/**
 * The most ranges one page may take when a predicate filters most keys out. Past it the page
 * comes back with fewer items than `limit` and a continue token, which the API allows; kube
 * reads on to the end, which is unbounded work for one request.
 */
export const LIST_MAX_FETCHES_PER_PAGE = 32;

/** Where a list starts and at which revision, from its options (apiserver's ValidateListOptions). */
interface ListStart {
  readonly keyPrefix: string;
  readonly startKey: string;
  /** 0: the latest. */
  readonly revision: number;
  /** The start came from a continue token. */
  readonly continued: boolean;
}

function listStart(prefix: string, options: StorageListOptions, paging: boolean): ListStart {
  const keyPrefix = collectionPrefix(prefix);
  if (options.continue !== undefined && options.continue !== '') {
    const position = decodeContinueToken(options.continue, keyPrefix);
    const revision = position.revision === CONTINUE_AT_LATEST_REVISION ? 0 : position.revision;
    return { keyPrefix, startKey: position.startKey, revision, continued: true };
  }
  const resourceVersion = options.resourceVersion ?? '';
  let revision = 0;
  if (resourceVersion !== '') {
    const requested = parseResourceVersion(resourceVersion);
    switch (options.resourceVersionMatch) {
      case 'NotOlderThan':
        // Checked against the revision the store answers at.
        break;
      case 'Exact':
        revision = requested;
        break;
      case undefined:
        // Legacy: a paged list at N reads exactly N, so that its pages agree.
        if (paging && requested > 0) revision = requested;
        break;
      default:
        throw new StorageInvalidListOptionsError(`unknown ResourceVersionMatch value: ${String(options.resourceVersionMatch)}`);
    }
  }
  return { keyPrefix, startKey: keyPrefix, revision, continued: false };
}

export async function listFromKv(kv: StorageKv, prefix: string, options: StorageListOptions = {}): Promise<StorageListResult> {
  const limit = options.limit !== undefined && options.limit > 0 ? Math.floor(options.limit) : 0;
  const paging = limit > 0;
  const predicate = options.predicate;
  const start = listStart(prefix, options, paging);
  const minRevision = parseResourceVersion(options.resourceVersion);

  const items: StorageObject[] = [];
  let startKey = start.startKey;
  let revision = start.revision;
  let fetchLimit = limit;
  let lastKey: string | undefined;
  let hasMore = false;
  let count = 0;
  for (let fetches = 1; ; fetches++) {
    const r = await rangeForList(kv, start, startKey, revision, fetchLimit);
    checkMinimumRevision(minRevision, r.revision);
    // Every later fetch, and every later page through the continue token, reads at this revision.
    if (revision === 0) revision = r.revision;
    if (r.kvs.length === 0 && r.more) throw new StorageInternalError('no results were found, but the store indicated there were more values remaining');
    hasMore = r.more;
    count = r.count;
    for (const entry of r.kvs) {
      if (paging && items.length >= limit) {
        hasMore = true;
        break;
      }
      lastKey = entry.key;
      const object = decodeStorageObject(entry.key, entry.value, entry.modRevision);
      if (predicate === undefined || predicate(object)) items.push(object);
    }
    if (!hasMore || !paging || items.length >= limit || fetches >= LIST_MAX_FETCHES_PER_PAGE) break;
    // The predicate dropped items: read more at once next time.
    fetchLimit = Math.min(fetchLimit * 2, LIST_MAX_FETCH_KEYS);
    startKey = `${lastKey!}\u0000`;
  }

  const result: { -readonly [K in keyof StorageListResult]: StorageListResult[K] } = { items, resourceVersion: String(revision) };
  if (hasMore && lastKey !== undefined) {
    result.continue = encodeContinueToken(`${lastKey}\u0000`, start.keyPrefix, revision);
    // The store's count includes keys a predicate would drop: only exact without one.
    if (predicate === undefined) result.remainingItemCount = count - limit;
  }
  return result;
}

async function rangeForList(kv: StorageKv, start: ListStart, key: string, revision: number, limit: number): Promise<StorageKvRangeResult> {
  try {
    return await kv.range({ key, prefix: start.keyPrefix, revision, limit });
  } catch (err) {
    if (err instanceof StorageKvCompactedError) {
      if (!start.continued) throw new StorageResourceVersionTooOldError('list', revision, err.compactRevision);
      // Hand out a token that resumes where this one would have, at the latest revision.
      throw new StorageContinueExpiredError(encodeContinueToken(start.startKey, start.keyPrefix, CONTINUE_AT_LATEST_REVISION));
    }
    if (err instanceof StorageKvFutureRevisionError) throw new StorageResourceVersionTooLargeError(revision, err.currentRevision);
    throw asStorageError(err);
  }
}
