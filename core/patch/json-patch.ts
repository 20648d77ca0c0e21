import {
  asContainer,
  containerAdd,
  containerGet,
  containerRemove,
  containerSet,
  ContainerError,
  findParent,
} from './json-patch-document.js';
import { copyJson, isJsonMap, jsonKindOf, jsonValuesEqual, type JsonMap } from './json-value.js';
import { PatchError, type PatchErrorReason } from './patch-error.js';

/** Most operations one JSON patch may carry (kube-apiserver's maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

/** Default bound on the bytes `copy` operations may add (kube-apiserver's JSONPatchMaxCopyBytes). */
export const JSON_PATCH_COPY_LIMIT_BYTES = 3 * 1024 * 1024;

export interface JsonPatchOptions {
  /** Bound on the total JSON size of values copied by `copy` operations; 0 means unbounded. */
  readonly copyLimitBytes?: number;
}

const MISSING = 'missing value';

function fail(reason: PatchErrorReason, message: string): never {
  throw new PatchError('json', reason, message);
}

/** The JSON type name encoding/json puts in "cannot unmarshal X into" errors. */
function unmarshalTypeName(value: unknown): string {
  const kind = jsonKindOf(value);
  return kind === 'map' ? 'object' : kind === 'list' ? 'array' : kind === 'boolean' ? 'bool' : kind;
}

/** A string member of the operation (`path`, `from`); its absence message names the member. */
function stringMember(op: JsonMap, member: 'path' | 'from'): string {
  const value = op[member];
  if (value === undefined || value === null) {
    fail('InvalidOperation', member === 'path' ? `operation missing path field: ${MISSING}` : `operation, missing from field: ${MISSING}`);
  }
  if (typeof value !== 'string') {
    fail('InvalidOperation', `json: cannot unmarshal ${unmarshalTypeName(value)} into Go value of type string`);
  }
  return value;
}

/** Reads `member`, turning a failure into `<prefix>: <cause>`, or into `fixed` when given (as evanphx does for some ops). */
function decodeMember(op: JsonMap, member: 'path' | 'from', prefix: string, fixed?: string): string {
  try {
    return stringMember(op, member);
  } catch (err) {
    if (err instanceof PatchError) fail('InvalidOperation', fixed ?? `${prefix}: ${err.message}`);
    throw err;
  }
}

/** Runs a container step, wrapping its failure as `<prefix>: <cause>` with the matching reason. */
function step<T>(prefix: string, action: () => T): T {
  try {
    return action();
  } catch (err) {
    if (err instanceof ContainerError) fail(err.kind === 'index' ? 'InvalidIndex' : 'MissingPath', `${prefix}: ${err.message}`);
    throw err;
  }
}

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The document being patched; `root` changes only when `replace` targets the whole document. */
interface PatchState {
  root: unknown;
  copiedBytes: number;
  readonly copyLimitBytes: number;
}

function applyAdd(state: PatchState, op: JsonMap): void {
  const path = decodeMember(op, 'path', '', `add operation failed to decode path: ${MISSING}`);
  const target = findParent(state.root, path);
  if (target === undefined) fail('MissingPath', `add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  step(`error in add for path: '${path}'`, () => containerAdd(target.container, target.key, copyJson(op['value'] ?? null)));
}

function applyRemove(state: PatchState, op: JsonMap): void {
  const path = decodeMember(op, 'path', '', `remove operation failed to decode path: ${MISSING}`);
  const target = findParent(state.root, path);
  if (target === undefined) fail('MissingPath', `remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
  step(`error in remove for path: '${path}'`, () => containerRemove(target.container, target.key));
}

function applyReplace(state: PatchState, op: JsonMap): void {
  const path = decodeMember(op, 'path', 'replace operation failed to decode path');
  if (path === '') {
    const value = op['value'];
    // evanphx wraps a nil error here, which Go prints as %!w(<nil>).
    if (asContainer(value) === undefined) fail('InvalidValue', 'replace operation value must be object or array: %!w(<nil>)');
    state.root = copyJson(value);
    return;
  }
  const target = findParent(state.root, path);
  if (target === undefined) fail('MissingPath', `replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
  try {
    containerGet(target.container, target.key);
  } catch (err) {
    if (err instanceof ContainerError) fail('MissingPath', `replace operation does not apply: doc is missing key: ${path}: ${MISSING}`);
    throw err;
  }
  // As evanphx v4, replacing an absent object member sets it (RFC 6902 would refuse).
  step(`error in remove for path: '${path}'`, () => containerSet(target.container, target.key, copyJson(op['value'] ?? null)));
}

function applyMove(state: PatchState, op: JsonMap): void {
  const from = decodeMember(op, 'from', 'move operation failed to decode from');
  const source = findParent(state.root, from);
  if (source === undefined) fail('MissingPath', `move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  const value = step(`error in move for path: '${source.key}'`, () => containerGet(source.container, source.key));
  step(`error in move for path: '${source.key}'`, () => containerRemove(source.container, source.key));
  const path = decodeMember(op, 'path', 'move operation failed to decode path');
  const target = findParent(state.root, path);
  if (target === undefined) fail('MissingPath', `move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
  step(`error in move for path: '${path}'`, () => containerAdd(target.container, target.key, value ?? null));
}

function applyCopy(state: PatchState, op: JsonMap): void {
  const from = decodeMember(op, 'from', 'copy operation failed to decode from');
  const source = findParent(state.root, from);
  if (source === undefined) fail('MissingPath', `copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
  const value = step(`error in copy for from: '${from}'`, () => containerGet(source.container, source.key)) ?? null;
  const path = decodeMember(op, 'path', '', `copy operation failed to decode path: ${MISSING}`);
  const target = findParent(state.root, path);
  if (target === undefined) fail('MissingPath', `copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
  // evanphx counts nothing for a null (or absent) source, which it holds as a nil node.
  state.copiedBytes += value === null ? 0 : utf8Bytes(JSON.stringify(value));
  if (state.copyLimitBytes > 0 && state.copiedBytes > state.copyLimitBytes) {
    fail(
      'CopyTooLarge',
      `Unable to complete the copy, the accumulated size increase of copy is ${state.copiedBytes}, exceeding the limit ${state.copyLimitBytes}`,
    );
  }
  step('error while adding value during copy', () => containerAdd(target.container, target.key, copyJson(value)));
}

function applyTest(state: PatchState, op: JsonMap): void {
  const path = decodeMember(op, 'path', 'test operation failed to decode path');
  const expected = op['value'] ?? null;
  let actual: unknown;
  if (path === '') {
    actual = state.root;
  } else {
    const target = findParent(state.root, path);
    if (target === undefined) fail('MissingPath', `test operation does not apply: is missing path: ${path}: ${MISSING}`);
    actual = step(`error in test for path: '${path}'`, () => containerGet(target.container, target.key)) ?? null;
  }
  // An absent member and a null one both equal an absent or null expected value.
  if (!jsonValuesEqual(actual, expected)) fail('TestFailed', `testing value ${path} failed: test failed`);
}

const OPERATIONS: Readonly<Record<string, (state: PatchState, op: JsonMap) => void>> = {
  add: applyAdd,
  remove: applyRemove,
  replace: applyReplace,
  move: applyMove,
  copy: applyCopy,
  test: applyTest,
};

/** The operation list of a decoded patch body, checked as json.Unmarshal into jsonpatch.Patch checks it. */
function decodeOperations(patch: unknown): readonly (JsonMap | null)[] {
  if (patch === null) return [];
  if (!Array.isArray(patch)) {
    fail('MalformedPatch', `json: cannot unmarshal ${unmarshalTypeName(patch)} into Go value of type jsonpatch.Patch`);
  }
  return patch.map((op: unknown) => {
    if (op !== null && !isJsonMap(op)) {
      fail('MalformedPatch', `json: cannot unmarshal ${unmarshalTypeName(op)} into Go value of type jsonpatch.Operation`);
    }
    return op;
  });
}

/**
 * Applies a JSON patch (RFC 6902, `application/json-patch+json`): `operations` is the decoded
 * request body, an array of `{op, path, from?, value?}`. Returns the patched document; the
 * argument is not modified. Behaves as kube-apiserver (evanphx/json-patch v4): operations apply in
 * order and the first failure aborts the whole patch; `-` appends to an array and negative indices
 * count from the end; `replace` of an absent object member adds it. Throws PatchError: 400
 * 'MalformedPatch' for a body that is not an operation list, 413 'TooManyOperations' beyond
 * MAX_JSON_PATCH_OPERATIONS, 422 for an operation that does not apply (e.g. 'TestFailed' with
 * "testing value /spec/replicas failed: test failed").
 */
export function applyJsonPatch(document: unknown, operations: unknown, options: JsonPatchOptions = {}): unknown {
  const ops = decodeOperations(operations);
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    fail(
      'TooManyOperations',
      `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  if (asContainer(document) === undefined) fail('InvalidValue', 'the document to patch must be a JSON object or array');
  const state: PatchState = {
    root: copyJson(document),
    copiedBytes: 0,
    copyLimitBytes: options.copyLimitBytes ?? JSON_PATCH_COPY_LIMIT_BYTES,
  };
  for (const op of ops) {
    const kind = op !== null && typeof op['op'] === 'string' ? op['op'] : 'unknown';
    const apply = Object.hasOwn(OPERATIONS, kind) ? OPERATIONS[kind] : undefined;
    if (apply === undefined || op === null) fail('InvalidOperation', `Unexpected kind: ${kind}`);
    apply(state, op);
  }
  return state.root;
}
