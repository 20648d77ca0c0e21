import { InvalidActorNameError } from './errors.js';

/** Longest actor name accepted; an escaped namespace/name key of Kubernetes object fits well inside. */
export const MAX_ACTOR_NAME_LENGTH = 1024;

/**
 * The actor-name alphabet: a subset of what nact accepts, with `$` reserved as the escape
 * character of `escapeActorName`, so every escaped key is a valid name and escaping is reversible.
 */
const ACTOR_NAME = /^[A-Za-z0-9._$-]+$/;
const PLAIN_CHAR = /[A-Za-z0-9._-]/;

/** Throws InvalidActorNameError unless `name` can name an actor. */
export function validateActorName(name: string): void {
  if (name.length === 0) throw new InvalidActorNameError(name, 'empty');
  if (name.length > MAX_ACTOR_NAME_LENGTH) {
    throw new InvalidActorNameError(name, `longer than ${MAX_ACTOR_NAME_LENGTH} characters`);
  }
  if (!ACTOR_NAME.test(name)) {
    throw new InvalidActorNameError(name, 'only letters, digits, ".", "_", "-" and "$" are allowed (use escapeActorName)');
  }
}

/**
 * Turns any non-empty key (e.g. `default/nginx-7c9f`) into a valid actor name: letters, digits,
 * `.`, `_` and `-` stay; every other UTF-8 byte becomes `$` and two lowercase hex digits.
 * Distinct keys give distinct names; `unescapeActorName` inverts it.
 */
export function escapeActorName(key: string): string {
  let out = '';
  for (const ch of key) {
    if (PLAIN_CHAR.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `$${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of escapeActorName. */
export function unescapeActorName(name: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === '$') {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(name.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
