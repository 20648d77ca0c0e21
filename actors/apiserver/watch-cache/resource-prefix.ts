/**
 * Which watch cache serves a key. kube-apiserver builds one cacher per resource at registration
 * and knows its prefix; the storage layer sees only keys, so the prefix is recovered from kube's
 * key layout (core/storage/keys.ts): `/registry/<resource>/…`, `/registry/<group>/<resource>/…`
 * for custom resources (a group has a dot) and kube's two-segment exceptions (`services/specs`).
 */
import type { StorageObject } from '../../../core/index.js';
import { REGISTRY_ROOT } from '../../../core/index.js';

/** Maps a key to the collection prefix of its resource, or undefined when no cache should serve it. */
export type WatchCacheResourcePrefixFn = (key: string) => string | undefined;

/** kube's built-in resources whose prefix has two segments (under `/registry/services/`). */
const TWO_SEGMENT_PREFIXES: ReadonlySet<string> = new Set(['services/specs', 'services/endpoints']);

/** The resource prefix of a key in kube's layout; undefined outside `/registry` or when ambiguous. */
export function registryResourcePrefixOf(key: string): string | undefined {
  if (!key.startsWith(`${REGISTRY_ROOT}/`)) return undefined;
  const [first, second] = key.slice(REGISTRY_ROOT.length + 1).split('/');
  if (first === undefined || first === '') return undefined;
  const pair = `${first}/${second ?? ''}`;
  if (first.includes('.') || first === 'services') {
    if (second === undefined || second === '') return undefined;
    if (first === 'services' && !TWO_SEGMENT_PREFIXES.has(pair)) return undefined;
    return `${REGISTRY_ROOT}/${pair}`;
  }
  return `${REGISTRY_ROOT}/${first}`;
}

/**
 * The key an object is stored at under `prefix` (kube's NamespaceKeyFunc / NoNamespaceKeyFunc).
 * The inner storage's events carry objects, not keys; the cacher relies on the registry storing
 * each object at the key its namespace and name give, as kube's cacher does.
 */
export function watchCacheObjectKey(prefix: string, object: StorageObject): string | undefined {
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const { name, namespace } = metadata as { name?: unknown; namespace?: unknown };
  if (typeof name !== 'string' || name === '') return undefined;
  return typeof namespace === 'string' && namespace !== '' ? `${prefix}/${namespace}/${name}` : `${prefix}/${name}`;
}

/** The last segment of a prefix: the resource's plural name, for metric labels. */
export function watchCacheResourceName(prefix: string): string {
  return prefix.slice(prefix.lastIndexOf('/') + 1);
}
