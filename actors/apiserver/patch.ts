import {
  ApiBadRequestError,
  ApiRejectedRequestError,
  ApiRequestEntityTooLargeError,
  ApiUnsupportedMediaTypeError,
  applyJsonMergePatch,
  applyJsonPatch,
  applyStrategicMergePatch,
  PatchError,
  strategicMergeSchemaFor,
} from '../../core/index.js';
import type { ApiResourceType } from '../../core/index.js';
import { isJsonMap } from './object-meta.js';
import type { JsonMap } from './object-meta.js';

export const PATCH_TYPES = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
} as const;

export type PatchType = (typeof PATCH_TYPES)[keyof typeof PATCH_TYPES];

export function patchTypeOf(contentType: string): PatchType {
  const t = (PATCH_TYPES as Record<string, PatchType | undefined>)[contentType];
  if (t === undefined) throw new ApiUnsupportedMediaTypeError(Object.keys(PATCH_TYPES));
  return t;
}

/** Drops nulls a merge left inside objects (typed decoding does the same in kube). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneNulls);
  if (!isJsonMap(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
  return out;
}

/** Applies a patch to the current object; patch errors become the Status kube-apiserver answers. */
export function applyPatch(type: ApiResourceType, current: JsonMap, patchType: PatchType, patch: unknown): JsonMap {
  try {
    let out: unknown;
    if (patchType === 'json') out = applyJsonPatch(current, patch);
    else if (patchType === 'merge') out = applyJsonMergePatch(current, patch);
    else {
      const schema = strategicMergeSchemaFor(String(current.apiVersion ?? ''), type.kind);
      if (schema === undefined) throw new ApiUnsupportedMediaTypeError(['application/json-patch+json', 'application/merge-patch+json']);
      out = applyStrategicMergePatch(current, patch, schema);
    }
    if (!isJsonMap(out)) throw new ApiBadRequestError('the patch did not produce an object');
    return pruneNulls(out) as JsonMap;
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    switch (err.statusCode) {
      case 413:
        throw new ApiRequestEntityTooLargeError(err.message);
      case 422:
        throw new ApiRejectedRequestError(err.message);
      case 500:
        // kube answers 500 for strategic merge failures it does not classify (an unknown $patch, a
        // list item without its merge key); they are the client's patch, and bad input gets no 5xx here.
        throw new ApiBadRequestError(err.message);
      default:
        throw new ApiBadRequestError(err.message);
    }
  }
}
