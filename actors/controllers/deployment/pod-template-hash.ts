// The pod-template-hash: names a Deployment's ReplicaSets and tells their pods apart. Like kube's
// ComputeHash it is a 32-bit FNV-1a of the template (here of its canonical JSON, so it is stable
// across processes but not equal to kube's values), salted with status.collisionCount, rendered
// with the vowel-free alphabet of generated names so it never spells words.

import type { PodTemplateSpec } from '../../../core/index.js';
import { GENERATED_NAME_ALPHABET } from '../../../core/index.js';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const FNV_OFFSET_BASIS_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

function fnv1a32(bytes: Uint8Array, seed = FNV_OFFSET_BASIS_32): number {
  let hash = seed >>> 0;
  for (const byte of bytes) hash = Math.imul(hash ^ byte, FNV_PRIME_32) >>> 0;
  return hash;
}

/** JSON with object keys sorted and empty maps/lists/nulls dropped (kube's semantic equality treats them alike). */
export function canonicalTemplateJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((item) => normalize(item) ?? null);
  if (value === null) return undefined;
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const normalized = normalize((value as Record<string, unknown>)[key]);
    if (normalized !== undefined) out[key] = normalized;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** The hash of a Deployment's template (without any pod-template-hash label) and collision count. */
export function computePodTemplateHash(template: PodTemplateSpec, collisionCount: number | undefined): string {
  let hash = fnv1a32(new TextEncoder().encode(canonicalTemplateJson(template)));
  if (collisionCount !== undefined) {
    const salt = new Uint8Array(4);
    new DataView(salt.buffer).setUint32(0, collisionCount >>> 0, true);
    hash = fnv1a32(salt, hash);
  }
  let encoded = '';
  for (const digit of String(hash)) encoded += GENERATED_NAME_ALPHABET[digit.charCodeAt(0) % GENERATED_NAME_ALPHABET.length] ?? 'x';
  return encoded;
}

function withoutHashLabel(template: PodTemplateSpec | undefined): unknown {
  if (template === undefined) return undefined;
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return { ...template, metadata: { ...template.metadata, labels } };
}

/** Whether two templates are the same apart from the pod-template-hash label (kube's EqualIgnoreHash). */
export function templatesEqualIgnoringHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalTemplateJson(withoutHashLabel(a)) === canonicalTemplateJson(withoutHashLabel(b));
}
