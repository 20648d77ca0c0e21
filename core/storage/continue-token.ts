/**
 * List continue tokens in kube's format (apiserver storage.EncodeContinue / DecodeContinue):
 * base64url without padding of `{"v":"meta.k8s.io/v1","rv":N,"start":"<key after the prefix>"}`.
 * `start` is the next key to read, relative to the list's prefix, so that a token cannot reach
 * outside the collection it came from; rv -1 means "continue at the latest revision" (the token
 * handed out when the original revision has been compacted).
 */
import { StorageInvalidContinueError } from './errors.js';

export const CONTINUE_TOKEN_VERSION = 'meta.k8s.io/v1';

/** Continue at the latest revision rather than the first page's (kube uses -1, not 0, which is an invalid token). */
export const CONTINUE_AT_LATEST_REVISION = -1;

export interface ContinuePosition {
  /** The full key the next page starts at (inclusive). */
  readonly startKey: string;
  /** The revision every page is read at; CONTINUE_AT_LATEST_REVISION for the latest. */
  readonly revision: number;
}

/** A token resuming the list of `keyPrefix` at `startKey` (which must be under it) and `revision`. */
export function encodeContinueToken(startKey: string, keyPrefix: string, revision: number): string {
  if (!startKey.startsWith(keyPrefix) || startKey.length === keyPrefix.length) {
    throw new RangeError(`continue key ${JSON.stringify(startKey)} is not under ${JSON.stringify(keyPrefix)}`);
  }
  const json = JSON.stringify({ v: CONTINUE_TOKEN_VERSION, rv: revision, start: startKey.slice(keyPrefix.length) });
  // Go's encoding/json escapes these for HTML; doing the same keeps tokens byte-identical to kube's.
  const goJson = json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return base64UrlEncode(new TextEncoder().encode(goJson));
}

/** Where a token resumes the list of `keyPrefix`; StorageInvalidContinueError when it cannot be used. */
export function decodeContinueToken(token: string, keyPrefix: string): ContinuePosition {
  const bytes = base64UrlDecode(token);
  if (bytes === undefined) throw new StorageInvalidContinueError(token, 'continue key is not valid: not base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new StorageInvalidContinueError(token, 'continue key is not valid: not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new StorageInvalidContinueError(token, 'continue key is not valid: not an object');
  const { v, rv, start } = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (v !== CONTINUE_TOKEN_VERSION) throw new StorageInvalidContinueError(token, `continue key is not valid: server does not recognize this encoded version ${JSON.stringify(v)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv === 0 || rv < CONTINUE_AT_LATEST_REVISION) {
    throw new StorageInvalidContinueError(token, `continue key is not valid: incorrect encoded start resourceVersion (version ${CONTINUE_TOKEN_VERSION})`);
  }
  if (typeof start !== 'string' || start === '') throw new StorageInvalidContinueError(token, `continue key is not valid: encoded start key empty (version ${CONTINUE_TOKEN_VERSION})`);
  // As kube: the start key must be a clean path, so it cannot climb above the prefix.
  const path = start.startsWith('/') ? start : `/${start}`;
  if (!isCleanAbsolutePath(path)) throw new StorageInvalidContinueError(token, `continue key is not valid: ${JSON.stringify(start)}`);
  return { startKey: keyPrefix + path.slice(1), revision: rv };
}

/** Whether Go's path.Clean would leave the absolute path `p` as it is. */
function isCleanAbsolutePath(p: string): boolean {
  if (p === '/') return true;
  return p
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    out += ALPHABET[b0 >> 2]! + ALPHABET[((b0 & 3) << 4) | ((b1 ?? 0) >> 4)]!;
    if (b1 !== undefined) out += ALPHABET[((b1 & 15) << 2) | ((b2 ?? 0) >> 6)]!;
    if (b2 !== undefined) out += ALPHABET[b2 & 63]!;
  }
  return out;
}

/** Unpadded base64url (Go's RawURLEncoding); undefined for anything else. */
function base64UrlDecode(s: string): Uint8Array | undefined {
  if (s.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (const c of s) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}
