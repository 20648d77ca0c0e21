// Static pods: pods the kubelet runs from manifest files in --pod-manifest-path rather than from
// the API (kubelet's file config source). Each is named `<name>-<nodeName>`, gets a uid and a
// config hash derived from its content (so an edited manifest is a new pod), and is mirrored
// into the API by mirror-pods.ts.

import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Pod } from '../../../core/index.js';
import { applyDefaults } from '../../../core/index.js';

export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
/** Files read from the manifest directory, at most (the rest are ignored with a warning). */
export const MAX_STATIC_POD_MANIFESTS = 1_000;
/** A manifest larger than this is refused. */
export const MAX_STATIC_POD_MANIFEST_BYTES = 1024 * 1024;
/** How often the manifest directory is read again (kubelet's --file-check-frequency is 20 s). */
export const STATIC_POD_CHECK_INTERVAL_MS = 5_000;

/** One manifest file's text. */
export interface StaticPodManifestFile {
  readonly path: string;
  readonly content: string;
}

/** Where static pod manifests come from: a directory in a worker, a list in tests. */
export interface StaticPodSource {
  /** Every manifest now present (unreadable files are reported through `problems`). */
  read(): Promise<{ readonly files: readonly StaticPodManifestFile[]; readonly problems: readonly string[] }>;
}

/** Thrown by staticPodFromManifest for a file that is not one Pod manifest. */
export class StaticPodManifestError extends Error {
  override readonly name = 'StaticPodManifestError';
  constructor(readonly path: string, readonly why: string) {
    super(`static pod manifest ${path}: ${why}`);
  }
}

/** `.yaml`, `.yml` and `.json` files of `dir` (dot files skipped, as kubelet does). */
export function directoryStaticPodSource(dir: string): StaticPodSource {
  return {
    async read() {
      const problems: string[] = [];
      let names: string[];
      try {
        names = (await readdir(dir)).filter((n) => !n.startsWith('.') && /\.(ya?ml|json)$/i.test(n)).sort();
      } catch (err) {
        // A missing directory means no static pods (it may be created later).
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], problems };
        throw err;
      }
      if (names.length > MAX_STATIC_POD_MANIFESTS) {
        problems.push(`${names.length} manifests in ${dir}; only the first ${MAX_STATIC_POD_MANIFESTS} are read`);
        names = names.slice(0, MAX_STATIC_POD_MANIFESTS);
      }
      const files: StaticPodManifestFile[] = [];
      for (const name of names) {
        const path = join(dir, name);
        try {
          const info = await stat(path);
          if (!info.isFile()) continue;
          if (info.size > MAX_STATIC_POD_MANIFEST_BYTES) {
            problems.push(`${path}: larger than ${MAX_STATIC_POD_MANIFEST_BYTES} bytes`);
            continue;
          }
          files.push({ path, content: await readFile(path, 'utf8') });
        } catch (err) {
          problems.push(`${path}: ${(err as Error).message}`);
        }
      }
      return { files, problems };
    },
  };
}

/** A static pod source with fixed contents that tests change at will. */
export class InMemoryStaticPodSource implements StaticPodSource {
  readonly files = new Map<string, string>();
  read(): Promise<{ files: StaticPodManifestFile[]; problems: string[] }> {
    return Promise.resolve({ files: [...this.files].map(([path, content]) => ({ path, content })), problems: [] });
  }
}

/**
 * The Pod a manifest describes, as this node runs it: defaulted, renamed `<name>-<nodeName>`,
 * bound to the node, with a uid and config hash that change whenever the content does.
 * Throws StaticPodManifestError for anything but one Pod.
 */
export function staticPodFromManifest(file: StaticPodManifestFile, nodeName: string): Pod {
  let parsed: unknown;
  try {
    parsed = parseYaml(file.content);
  } catch (err) {
    throw new StaticPodManifestError(file.path, `not YAML or JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StaticPodManifestError(file.path, 'not an object');
  const pod = structuredClone(parsed) as Pod;
  if ((pod.apiVersion ?? 'v1') !== 'v1' || (pod.kind ?? 'Pod') !== 'Pod') throw new StaticPodManifestError(file.path, `kind ${String(pod.kind)} (${String(pod.apiVersion)}) is not a v1 Pod`);
  const name = pod.metadata?.name;
  if (typeof name !== 'string' || name === '') throw new StaticPodManifestError(file.path, 'metadata.name is required');
  const containers = (pod.spec as { containers?: unknown } | undefined)?.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw new StaticPodManifestError(file.path, 'spec.containers must name at least one container');
  const hash = createHash('sha256').update(nodeName).update('\0').update(file.content).digest('hex').slice(0, 32);
  const namespace = pod.metadata?.namespace ?? 'default';
  pod.apiVersion = 'v1';
  pod.kind = 'Pod';
  pod.metadata = {
    ...pod.metadata,
    name: `${name}-${nodeName}`,
    namespace: namespace === '' ? 'default' : namespace,
    uid: hash,
    annotations: { ...pod.metadata?.annotations, [CONFIG_HASH_ANNOTATION]: hash, [CONFIG_SOURCE_ANNOTATION]: 'file' },
  };
  applyDefaults({ group: '', version: 'v1', kind: 'Pod' }, pod);
  pod.spec = { ...pod.spec!, nodeName };
  return pod;
}

/** True for a mirror pod (the API's copy of a static pod). */
export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
}
