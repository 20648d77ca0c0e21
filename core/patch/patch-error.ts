// The one error type of core/patch. Each reason carries the HTTP status kube-apiserver answers
// with for it, so the API server maps a PatchError to a Status without reading its message.

/** The three patch formats of a PATCH request (by Content-Type). */
export type PatchFormat = 'json' | 'merge' | 'strategic';

/** Why a patch failed. The comments give the status code and the apimachinery error mirrored. */
export type PatchErrorReason =
  /** 400: the patch body is not a patch of its type (not JSON, wrong shape). */
  | 'MalformedPatch'
  /** 413: a JSON patch with more operations than `MAX_JSON_PATCH_OPERATIONS`. */
  | 'TooManyOperations'
  /** 422: a JSON patch `test` operation did not hold. */
  | 'TestFailed'
  /** 422: a JSON patch path or `from` names nothing in the document. */
  | 'MissingPath'
  /** 422: a JSON patch array index is not a number or is out of range. */
  | 'InvalidIndex'
  /** 422: a JSON patch operation whose `op` is none of the six, or whose `path`/`from` is absent or not a string. */
  | 'InvalidOperation'
  /** 422: JSON patch `copy` operations copied more than the configured limit. */
  | 'CopyTooLarge'
  /** 422: a JSON patch value that cannot stand where it is put (a non-container at the root). */
  | 'InvalidValue'
  /** 400: mergepatch.ErrBadPatchFormatForPrimitiveList (`$deleteFromPrimitiveList` misused). */
  | 'BadPatchFormatForPrimitiveList'
  /** 400: mergepatch.ErrBadPatchFormatForRetainKeys (`$retainKeys` not a list or not covering the patch). */
  | 'BadPatchFormatForRetainKeys'
  /** 400: mergepatch.ErrBadPatchFormatForSetElementOrderList (`$setElementOrder` misused). */
  | 'BadPatchFormatForSetElementOrderList'
  /** 422: mergepatch.ErrNoListOfLists. */
  | 'NoListOfLists'
  /**
   * 500: any other strategic merge failure (a list item without its merge key, an unknown
   * `$patch` directive, mixed list element types...). kube-apiserver does not classify these and
   * answers 500 with the message; Flotilla keeps that status for compatibility.
   */
  | 'StrategicMergeFailed';

const STATUS_CODES: Readonly<Record<PatchErrorReason, 400 | 413 | 422 | 500>> = {
  MalformedPatch: 400,
  TooManyOperations: 413,
  TestFailed: 422,
  MissingPath: 422,
  InvalidIndex: 422,
  InvalidOperation: 422,
  CopyTooLarge: 422,
  InvalidValue: 422,
  BadPatchFormatForPrimitiveList: 400,
  BadPatchFormatForRetainKeys: 400,
  BadPatchFormatForSetElementOrderList: 400,
  NoListOfLists: 422,
  StrategicMergeFailed: 500,
};

/**
 * Thrown by `applyJsonPatch`, `applyJsonMergePatch` and `applyStrategicMergePatch` when the patch
 * cannot be applied. `message` is the text kube-apiserver puts in the Status message;
 * `statusCode` is the Status code it answers with (400, 413, 422 or 500).
 */
export class PatchError extends Error {
  override readonly name = 'PatchError';
  readonly statusCode: 400 | 413 | 422 | 500;

  constructor(
    readonly patchType: PatchFormat,
    readonly reason: PatchErrorReason,
    message: string,
  ) {
    super(message);
    this.statusCode = STATUS_CODES[reason];
  }
}
