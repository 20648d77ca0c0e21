// The failures of strategic merge patch, worded as apimachinery's mergepatch errors (the text
// kube-apiserver puts in the Status message).

import { goTypeName, goValueText, type JsonMap } from './json-value.js';
import { PatchError, type PatchErrorReason } from './patch-error.js';

export function strategicFail(reason: PatchErrorReason, message: string): never {
  throw new PatchError('strategic', reason, message);
}

/** mergepatch.ErrNoMergeKey: a list item without the key its list merges by. */
export function failNoMergeKey(item: JsonMap, mergeKey: string): never {
  strategicFail('StrategicMergeFailed', `map: ${goValueText(item)} does not contain declared merge key: ${mergeKey}`);
}

/** mergepatch.ErrBadArgType: a value of the wrong JSON type where a map or a list was needed. */
export function failBadArgType(expected: 'map' | 'list', actual: unknown): never {
  const expectedType = expected === 'map' ? 'map[string]interface {}' : '[]interface {}';
  strategicFail('StrategicMergeFailed', `expected a ${expectedType}, but received a ${goTypeName(actual)}`);
}

export function failNoListOfLists(): never {
  strategicFail('NoListOfLists', 'lists of lists are not supported');
}

export function failBadPrimitiveListFormat(): never {
  strategicFail('BadPatchFormatForPrimitiveList', 'invalid patch format of primitive list');
}

export function failBadRetainKeysFormat(): never {
  strategicFail('BadPatchFormatForRetainKeys', 'invalid patch format of retainKeys');
}

export function failBadSetElementOrderFormat(): never {
  strategicFail('BadPatchFormatForSetElementOrderList', 'invalid patch format of setElementOrder list');
}
