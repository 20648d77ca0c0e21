// Applying a PATCH body to an object, with core/patch's errors mapped to Status errors.

import { applyJsonMergePatch, applyJsonPatch, applyStrategicMergePatch, PatchError, strategicMergeSchemaFor } from '../patch/index.js';
import { failureStatus, ResourceApiError, resourceBadRequestError } from './errors.js';
import type { ResourceObject } from './object.js';
import type { ResourcePatchType } from './resource-client.js';

/**
 * `patch` of `patchType` applied to a copy of `current`, as kube-apiserver applies a PATCH body.
 * Throws ResourceApiError with the Status kube-apiserver answers for a patch that cannot apply
 * (415 for a strategic merge patch of a kind without a known schema).
 */
export function applyResourcePatch(current: ResourceObject, patchType: ResourcePatchType, patch: unknown): ResourceObject {
  try {
    let patched: unknown;
    if (patchType === 'merge') patched = applyJsonMergePatch(current, patch);
    else if (patchType === 'json') patched = applyJsonPatch(current, patch);
    else {
      const schema = strategicMergeSchemaFor(current.apiVersion ?? '', current.kind ?? '');
      if (schema === undefined) throw new ResourceApiError(failureStatus(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json`));
      patched = applyStrategicMergePatch(current, patch, schema);
    }
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) throw resourceBadRequestError('the patched document is not an object');
    return patched as ResourceObject;
  } catch (err) {
    if (!(err instanceof PatchError)) throw err;
    const reason = err.statusCode === 400 ? 'BadRequest' : err.statusCode === 413 ? 'RequestEntityTooLarge' : err.statusCode === 422 ? 'Invalid' : 'InternalError';
    throw new ResourceApiError(failureStatus(err.statusCode, reason, err.message));
  }
}
