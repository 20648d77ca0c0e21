// Seeded generators of hostile JSON values and strings: wrong types, deep nesting, huge and
// exotic strings, names and label values Kubernetes refuses, and mutations of valid manifests.
import type { SeededRandom } from '../../../core/index.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Longest string a mutation writes into a manifest (the body stays well under the 3 MiB limit). */
const HUGE_STRING_CHARS_MAX = 200_000;
/** Deepest nesting a mutation builds (deep enough to overflow naive recursive walkers). */
const NESTING_DEPTH_MAX = 5_000;

export function pick<T>(rng: SeededRandom, items: readonly T[]): T {
  const item = items[rng.int(items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

const UNICODE_SAMPLES = ['é', 'ü', '日本語', '🚀', '👩‍👩‍👧', '\u202e', '\u0000', '\ud800', '\udfff', '\ufeff', '\u200b', 'Ω', '\n', '\t', '"', '\\', '%', '/', '..'];

/** Names Kubernetes refuses (or that stress key and path handling). */
export const BAD_NAMES: readonly string[] = [
  '',
  'UPPER',
  'under_score',
  '-leading',
  'trailing-',
  'a'.repeat(254),
  'a'.repeat(64),
  'dots..dots',
  '.',
  '..',
  'has/slash',
  'has%percent',
  'has space',
  'héllo',
  '🚀',
  '\u0000',
  'a\nb',
];

/** Label keys and values Kubernetes refuses. */
export const BAD_LABELS: readonly Record<string, string>[] = [
  { app: '-bad-' },
  { app: 'a'.repeat(64) },
  { 'bad key': 'x' },
  { '/x': 'y' },
  { 'a/b/c': 'x' },
  { [`${'p'.repeat(254)}/name`]: 'x' },
  { app: 'sp ace' },
  { app: '🚀' },
  { '': 'x' },
];

export function unicodeString(rng: SeededRandom, length: number): string {
  let s = '';
  while (s.length < length) s += pick(rng, UNICODE_SAMPLES);
  return s;
}

export function hugeString(rng: SeededRandom): string {
  const length = 1 + rng.int(HUGE_STRING_CHARS_MAX);
  return rng.chance(0.5) ? 'x'.repeat(length) : unicodeString(rng, Math.min(length, 20_000));
}

/**
 * A placeholder for arrays or objects nested `depth` deep. Deep values are built in the text
 * (withNesting), so the generator's own JSON.stringify never recurses through them.
 */
export function nested(rng: SeededRandom, depth: number): Json {
  return `@@NEST:${depth}:${rng.chance(0.5) ? 'a' : 'o'}@@`;
}

/** Replaces nested() placeholders in a JSON or YAML text with the nesting itself (flow style, valid in both). */
export function withNesting(text: string): string {
  return text.replace(/"?@@NEST:(\d+):([ao])@@"?/g, (_m, depthText: string, shape: string) => {
    const depth = Number(depthText);
    return shape === 'a' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"n":'.repeat(depth)}1${'}'.repeat(depth)}`;
  });
}

export function randomScalar(rng: SeededRandom): Json {
  switch (rng.int(12)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.int(1000) - 500;
    case 3:
      return pick(rng, [1.5, -0.0001, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 0]);
    case 4:
      return '';
    case 5:
      return unicodeString(rng, 1 + rng.int(10));
    case 6:
      return pick(rng, ['100m', '1Gi', '-1', 'lots', '1e3', '0.5', '25%', 'Always', 'TCP', 'true', '1', 'null']);
    case 7:
      return pick(rng, BAD_NAMES);
    default:
      return `s${rng.int(100)}`;
  }
}

/** Any JSON value, up to `depth` levels of containers. */
export function randomJson(rng: SeededRandom, depth = 3): Json {
  if (depth <= 0 || rng.chance(0.5)) return randomScalar(rng);
  if (rng.chance(0.5)) return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
  const out: { [key: string]: Json } = {};
  for (let i = rng.int(4); i > 0; i--) out[pick(rng, ['a', 'name', 'spec', 'metadata', 'items', '$patch', 'x-y', ''])] = randomJson(rng, depth - 1);
  return out;
}

/** A value of a different JSON type than `v` (or a pathological one of the same type). */
export function retyped(rng: SeededRandom, v: Json): Json {
  for (let i = 0; i < 8; i++) {
    const next = randomJson(rng, 2);
    if (typeof next !== typeof v || Array.isArray(next) !== Array.isArray(v) || (next === null) !== (v === null)) return next;
  }
  return pick(rng, [null, [], {}, 0, '', true]);
}

type Container = Json[] | { [key: string]: Json };

function isContainer(v: Json): v is Container {
  return typeof v === 'object' && v !== null;
}

/** A random location inside `root`: its container and key. Undefined when root has no children. */
function randomSlot(rng: SeededRandom, root: Container): { parent: Container; key: string | number } | undefined {
  let parent: Container = root;
  for (let depth = 0; depth < 12; depth++) {
    const keys: (string | number)[] = Array.isArray(parent) ? parent.map((_, i) => i) : Object.keys(parent);
    if (keys.length === 0) return depth === 0 ? undefined : { parent, key: Array.isArray(parent) ? 0 : 'added' };
    const key = pick(rng, keys);
    const child: Json | undefined = Array.isArray(parent) ? parent[key as number] : parent[key as string];
    if (child === undefined || !isContainer(child) || rng.chance(0.3)) return { parent, key };
    parent = child;
  }
  return undefined;
}

function setSlot(slot: { parent: Container; key: string | number }, v: Json): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = v;
  else slot.parent[slot.key as string] = v;
}

function getSlot(slot: { parent: Container; key: string | number }): Json | undefined {
  return Array.isArray(slot.parent) ? slot.parent[slot.key as number] : slot.parent[slot.key as string];
}

/** One random hostile change to a manifest, in place. Returns what it did (for failure messages). */
export function mutateManifest(rng: SeededRandom, manifest: { [key: string]: Json }): string {
  const slot = randomSlot(rng, manifest);
  const meta = isContainer(manifest.metadata ?? null) && !Array.isArray(manifest.metadata) ? (manifest.metadata as { [key: string]: Json }) : undefined;
  switch (rng.int(11)) {
    case 0:
      if (!slot) return 'none';
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
      return `drop ${String(slot.key)}`;
    case 1: {
      if (!slot) return 'none';
      const v = getSlot(slot);
      if (Array.isArray(slot.parent) && v !== undefined) slot.parent.push(structuredClone(v));
      else if (Array.isArray(v)) setSlot(slot, [...v, ...structuredClone(v)]);
      return `duplicate ${String(slot.key)}`;
    }
    case 2:
    case 3:
      if (!slot) return 'none';
      setSlot(slot, retyped(rng, getSlot(slot) ?? null));
      return `retype ${String(slot.key)}`;
    case 4:
      if (!slot) return 'none';
      setSlot(slot, nested(rng, 1 + rng.int(NESTING_DEPTH_MAX)));
      return `nest ${String(slot.key)}`;
    case 5:
      if (!slot) return 'none';
      setSlot(slot, hugeString(rng));
      return `huge string at ${String(slot.key)}`;
    case 6:
      if (!slot) return 'none';
      setSlot(slot, unicodeString(rng, 1 + rng.int(40)));
      return `unicode at ${String(slot.key)}`;
    case 7:
      if (meta) meta.name = pick(rng, BAD_NAMES);
      return 'bad name';
    case 8:
      if (meta) meta.labels = structuredClone(pick(rng, BAD_LABELS));
      return 'bad labels';
    case 9:
      if (!slot || Array.isArray(slot.parent)) return 'none';
      slot.parent[pick(rng, ['foo', 'unknownField', 'Spec', 'x-y', '$patch'])] = randomJson(rng, 2);
      return 'unknown field';
    default:
      if (meta) meta[pick(rng, ['resourceVersion', 'uid', 'generation', 'namespace', 'generateName', 'finalizers', 'ownerReferences', 'deletionTimestamp', 'creationTimestamp', 'managedFields'])] = randomJson(rng, 2);
      return 'system metadata';
  }
}
