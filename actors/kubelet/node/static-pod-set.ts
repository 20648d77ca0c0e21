// The static pods a kubelet currently runs, by manifest file, and what changed on each read of
// the manifest directory: an edited file is a removed pod plus an added one (its uid follows its
// content), a vanished file a removed pod.

import type { Pod } from '../../../core/index.js';
import type { StaticPodManifestFile } from './static-pods.js';
import { StaticPodManifestError, staticPodFromManifest } from './static-pods.js';

export interface StaticPodChanges {
  readonly added: Pod[];
  readonly removed: Pod[];
  readonly problems: string[];
}

export class StaticPodSet {
  /** Invariant: no two pods share a namespace/name. */
  private readonly byPath = new Map<string, Pod>();

  constructor(private readonly nodeName: string) {}

  pods(): Pod[] {
    return [...this.byPath.values()];
  }

  uids(): string[] {
    return this.pods().map((p) => p.metadata?.uid ?? '');
  }

  /**
   * Makes the set match `files`. A file that no longer parses keeps its previous pod running
   * (a half-written edit must not kill it); a second file naming a pod already taken is refused.
   */
  update(files: readonly StaticPodManifestFile[]): StaticPodChanges {
    const changes: StaticPodChanges = { added: [], removed: [], problems: [] };
    const seen = new Set<string>();
    const names = new Map<string, string>();
    for (const [path, pod] of this.byPath) names.set(keyOf(pod), path);
    for (const file of files) {
      seen.add(file.path);
      let pod: Pod;
      try {
        pod = staticPodFromManifest(file, this.nodeName);
      } catch (err) {
        if (!(err instanceof StaticPodManifestError)) throw err;
        changes.problems.push(err.message);
        continue;
      }
      const old = this.byPath.get(file.path);
      if (old?.metadata?.uid === pod.metadata?.uid) continue;
      const owner = names.get(keyOf(pod));
      if (owner !== undefined && owner !== file.path) {
        changes.problems.push(`static pod manifest ${file.path}: pod ${keyOf(pod)} is already defined by ${owner}`);
        continue;
      }
      if (old !== undefined) {
        changes.removed.push(old);
        names.delete(keyOf(old));
      }
      this.byPath.set(file.path, pod);
      names.set(keyOf(pod), file.path);
      changes.added.push(pod);
    }
    for (const [path, pod] of [...this.byPath]) {
      if (seen.has(path)) continue;
      this.byPath.delete(path);
      changes.removed.push(pod);
    }
    return changes;
  }
}

function keyOf(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}
