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

/** A random RFC 4122 version 4 UUID from the injected random source. */
export function newUid(random: Random): string {
  // 16 bits per draw: a Random's next() may carry only 32 bits of entropy.
  let hex = '';
  for (let i = 0; i < 8; i++) hex += Math.floor(random.next() * 0x10000).toString(16).padStart(4, '0');
  const variant = (8 + (parseInt(hex[16]!, 16) & 3)).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
