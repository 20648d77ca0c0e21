import type { Random } from '../../core/index.js';

/** A JSON object (a Kubernetes object or one of its parts). */
export type JsonMap = Record<string, unknown>;

export function isJsonMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object's metadata, created when missing. */
export function metaOf(obj: JsonMap): JsonMap {
  if (!isJsonMap(obj.metadata)) obj.metadata = {};
  return obj.metadata as JsonMap;
}

export function metaString(obj: JsonMap, field: string): string {
  const m = obj.metadata;
  if (!isJsonMap(m)) return '';
  const v = m[field];
  return typeof v === 'string' ? v : '';
}

export function finalizersOf(obj: JsonMap): string[] {
  const f = isJsonMap(obj.metadata) ? obj.metadata.finalizers : undefined;
  return Array.isArray(f) ? f.filter((x): x is string => typeof x === 'string') : [];
}

/** RFC 3339 in UTC with second precision, as metav1.Time marshals. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A random RFC 4122 version 4 UUID from the injected random source. */
export function newUid(random: Random): string {
  // 16 bits per draw: a Random's next() may carry only 32 bits of entropy.
  let hex = '';
  for (let i = 0; i < 8; i++) hex += Math.floor(random.next() * 0x10000).toString(16).padStart(4, '0');
  const variant = (8 + (parseInt(hex[16]!, 16) & 3)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Kubernetes' generateName suffix alphabet (no vowels, no confusable characters). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const NAME_SUFFIX_LENGTH = 5;
/** generateName is cut so the result stays within 63 characters, as kube's SimpleNameGenerator does. */
const MAX_GENERATED_NAME_LENGTH = 63;

export function generateObjectName(base: string, random: Random): string {
  const prefix = base.length > MAX_GENERATED_NAME_LENGTH - NAME_SUFFIX_LENGTH ? base.slice(0, MAX_GENERATED_NAME_LENGTH - NAME_SUFFIX_LENGTH) : base;
  let suffix = '';
  for (let i = 0; i < NAME_SUFFIX_LENGTH; i++) suffix += NAME_ALPHABET[Math.floor(random.next() * NAME_ALPHABET.length)]!;
  return prefix + suffix;
}
