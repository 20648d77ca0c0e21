// A document under JSON patch, addressed by JSON pointers (RFC 6901), with the container
// semantics of gopkg.in/evanphx/json-patch.v4, the library kube-apiserver applies JSON patches
// with; its error texts are reproduced because kube-apiserver returns them to the client.

import { isJsonMap, type JsonMap } from './json-value.js';

/** A failed step inside a container; `kind` selects the PatchError reason, `message` is the Go text. */
export class ContainerError extends Error {
  constructor(
    readonly kind: 'missing' | 'index',
    message: string,
  ) {
    super(message);
  }
}

const INVALID_INDEX = 'invalid index referenced';
const MISSING_VALUE = 'missing value';

/** An object or array inside the document; `key` operations act on its members. */
export type JsonContainer = { readonly kind: 'object'; readonly node: JsonMap } | { readonly kind: 'array'; readonly node: unknown[] };

export function asContainer(node: unknown): JsonContainer | undefined {
  if (Array.isArray(node)) return { kind: 'array', node };
  return isJsonMap(node) ? { kind: 'object', node } : undefined;
}

/** RFC 6901 token decoding: `~1` is '/', `~0` is '~' (a single left-to-right pass). */
export function decodePointerToken(token: string): string {
  return token.replace(/~[01]/g, (escape) => (escape === '~1' ? '/' : '~'));
}

/** Go's strconv.Atoi; throws with its message when `key` is not a decimal int64. */
function atoi(key: string): number {
  if (!/^[+-]?[0-9]+$/.test(key)) throw new ContainerError('index', `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  const value = BigInt(key);
  if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) {
    throw new ContainerError('index', `strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`);
  }
  return Number(value);
}

function invalidIndex(index: number): ContainerError {
  return new ContainerError('index', `Unable to access invalid index: ${index}: ${INVALID_INDEX}`);
}

/** Resolves a possibly negative index (evanphx supports -1 as "last") against `length`. */
function resolveIndex(index: number, length: number): number {
  if (index < 0) {
    if (index < -length) throw invalidIndex(index);
    return index + length;
  }
  if (index >= length) throw invalidIndex(index);
  return index;
}

/** The member at `key`; undefined for an absent object member. Throws for a bad array index. */
export function containerGet(container: JsonContainer, key: string): unknown {
  if (container.kind === 'object') return Object.hasOwn(container.node, key) ? container.node[key] : undefined;
  return container.node[resolveIndex(atoi(key), container.node.length)];
}

/** Sets an existing member (objects: any member). Throws for a bad array index. */
export function containerSet(container: JsonContainer, key: string, value: unknown): void {
  if (container.kind === 'object') {
    container.node[key] = value;
    return;
  }
  container.node[resolveIndex(atoi(key), container.node.length)] = value;
}

/** Adds a member: objects set it; arrays insert before `key` (`-` or the length appends). */
export function containerAdd(container: JsonContainer, key: string, value: unknown): void {
  if (container.kind === 'object') {
    container.node[key] = value;
    return;
  }
  if (key === '-') {
    container.node.push(value);
    return;
  }
  let index: number;
  try {
    index = atoi(key);
  } catch (err) {
    if (err instanceof ContainerError) {
      throw new ContainerError('index', `value was not a proper array index: '${key}': ${err.message}`);
    }
    throw err;
  }
  container.node.splice(resolveIndex(index, container.node.length + 1), 0, value);
}

/** Removes a member; throws when an object member is absent or an array index is bad. */
export function containerRemove(container: JsonContainer, key: string): void {
  if (container.kind === 'object') {
    if (!Object.hasOwn(container.node, key)) {
      throw new ContainerError('missing', `Unable to remove nonexistent key: ${key}: ${MISSING_VALUE}`);
    }
    delete container.node[key];
    return;
  }
  container.node.splice(resolveIndex(atoi(key), container.node.length), 1);
}

/**
 * The container holding the member `path` points at, and that member's key; undefined when a
 * step on the way is absent, null, a scalar, or a bad array index (evanphx's findObject, which
 * like Go's strings.Split ignores what precedes the first '/').
 */
export function findParent(root: unknown, path: string): { container: JsonContainer; key: string } | undefined {
  const tokens = path.split('/');
  if (tokens.length < 2) return undefined;
  let container = asContainer(root);
  for (const token of tokens.slice(1, -1)) {
    if (container === undefined) return undefined;
    let next: unknown;
    try {
      next = containerGet(container, decodePointerToken(token));
    } catch (err) {
      if (err instanceof ContainerError) return undefined;
      throw err;
    }
    container = asContainer(next);
  }
  return container === undefined ? undefined : { container, key: decodePointerToken(tokens[tokens.length - 1] ?? '') };
}
