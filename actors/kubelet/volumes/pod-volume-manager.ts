// Sets up, refreshes and tears down the volumes of the pods on this node, under
// `<rootDir>/pods/<uid>/volumes/<plugin>/<name>` as kubelet lays them out.

import { existsSync, mkdirSync, statSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Container, Pod, Volume } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import type { ActorLogger } from '../../runtime/index.js';
import { CreateContainerConfigError, expandEnvReferences, envLookup, type DownwardNodeContext, type ObjectLookup } from '../env/index.js';
import type { ContainerMount } from '../runtime/cri.js';
import { InvalidPayloadPathError, writeVolumePayload } from './atomic-writer.js';
import { HostPathTypeError, prepareHostPath } from './host-path.js';
import { VolumeSetupError } from './volume-errors.js';
import { PayloadError, addConfigMapPayload, addDownwardApiPayload, addSecretPayload, type MutablePayload } from './volume-payloads.js';

export interface PodVolumeManagerOptions {
  /** The kubelet's directory; pod volumes live under `<rootDir>/pods/<uid>/volumes/`. */
  readonly rootDir: string;
  /** Names the timestamped directories of atomic updates. */
  readonly clock: Clock;
  readonly log?: ActorLogger;
  /** Used when setUp is given no lookup. */
  readonly lookup?: ObjectLookup;
  /** For downwardAPI resourceFieldRefs of containers without limits; absent: limits read as 0. */
  readonly nodeAllocatable?: DownwardNodeContext['nodeAllocatable'];
}

/** Kubelet's plugin directory names (`kubernetes.io~<plugin>`). */
const PLUGIN_DIR = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;

const POD_UID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Projected sources other than these are skipped (serviceAccountToken needs token issuance). */
interface ProjectedSource {
  configMap?: { name?: string; items?: { key: string; path: string; mode?: number }[]; optional?: boolean };
  secret?: { name?: string; items?: { key: string; path: string; mode?: number }[]; optional?: boolean };
  downwardAPI?: { items?: NonNullable<Volume['downwardAPI']>['items'] };
}

/**
 * The volumes of this node's pods. setUp is idempotent and is also the update path: calling it
 * again refreshes configMap, secret, downwardAPI and projected contents atomically when their
 * source changed. Calls for one pod must not overlap (the pod's worker serializes them); calls
 * for different pods may.
 *
 * emptyDir with `medium: Memory` is a plain directory on disk (no tmpfs), and `sizeLimit` is not
 * enforced. Secret volumes are plain directories too. hostPath volumes are the host path itself.
 */
export class PodVolumeManager {
  /** Host paths of volumes that are always mounted read-only (configMap, secret, downwardAPI, projected). */
  private readonly readOnlyPaths = new Set<string>();

  constructor(private readonly options: PodVolumeManagerOptions) {}

  /** `<rootDir>/pods/<uid>`; throws for a uid that is not a plain name. */
  podDir(podUid: string): string {
    if (!POD_UID.test(podUid)) throw new TypeError(`invalid pod uid ${JSON.stringify(podUid)}`);
    return join(this.options.rootDir, 'pods', podUid);
  }

  /**
   * Sets up (or refreshes) every volume of `pod`; resolves to volume name → host path. Rejects
   * with VolumeSetupError for the first volume that cannot be set up (the others set up so far
   * stay), or with the lookup's error when the API cannot be read.
   */
  async setUp(pod: Pod, lookup?: ObjectLookup): Promise<ReadonlyMap<string, string>> {
    const objects = lookup ?? this.options.lookup;
    if (objects === undefined) throw new TypeError('PodVolumeManager.setUp needs an ObjectLookup');
    const uid = pod.metadata?.uid ?? '';
    const volumesDir = join(this.podDir(uid), 'volumes');
    const paths = new Map<string, string>();
    for (const volume of pod.spec?.volumes ?? []) {
      try {
        paths.set(volume.name, await this.setUpVolume(pod, volume, volumesDir, objects));
      } catch (error) {
        if (error instanceof VolumeSetupError) throw error;
        if (error instanceof PayloadError || error instanceof InvalidPayloadPathError || error instanceof HostPathTypeError || isFsError(error)) {
          throw new VolumeSetupError(volume.name, error instanceof Error ? error.message : String(error));
        }
        throw error;
      }
    }
    return paths;
  }

  private async setUpVolume(pod: Pod, volume: Volume, volumesDir: string, lookup: ObjectLookup): Promise<string> {
    const namespace = pod.metadata?.namespace ?? '';
    const dirOf = (plugin: keyof typeof PLUGIN_DIR): string => join(volumesDir, PLUGIN_DIR[plugin], volume.name);
    if (volume.hostPath !== undefined) return prepareHostPath(volume.hostPath);
    if (volume.emptyDir !== undefined) {
      const dir = dirOf('emptyDir');
      await mkdir(dir, { recursive: true });
      // World-writable like kubelet's emptyDir, so any user in the container can write.
      await chmod(dir, 0o777);
      return dir;
    }
    const payload: MutablePayload = new Map();
    let dir: string;
    if (volume.configMap !== undefined) {
      const source = volume.configMap;
      const name = source.name ?? '';
      const optional = source.optional === true;
      const configMap = await lookup.getConfigMap(namespace, name);
      if (configMap === undefined && !optional) throw new VolumeSetupError(volume.name, `configmap ${JSON.stringify(name)} not found`);
      addConfigMapPayload(payload, configMap, source.items, source.defaultMode, optional);
      dir = dirOf('configMap');
    } else if (volume.secret !== undefined) {
      const source = volume.secret;
      const name = source.secretName ?? '';
      const optional = source.optional === true;
      const secret = await lookup.getSecret(namespace, name);
      if (secret === undefined && !optional) throw new VolumeSetupError(volume.name, `secret ${JSON.stringify(name)} not found`);
      addSecretPayload(payload, secret, source.items, source.defaultMode, optional);
      dir = dirOf('secret');
    } else if (volume.downwardAPI !== undefined) {
      addDownwardApiPayload(payload, pod, volume.downwardAPI.items, volume.downwardAPI.defaultMode, this.allocatable());
      dir = dirOf('downwardAPI');
    } else if (volume.projected !== undefined) {
      await this.projectedPayload(payload, pod, volume, lookup);
      dir = dirOf('projected');
    } else {
      const kind = Object.keys(volume).find((key) => key !== 'name') ?? 'unknown';
      throw new VolumeSetupError(volume.name, `volume type ${kind} is not supported by this kubelet`);
    }
    const wrote = await writeVolumePayload(dir, payload, this.options.clock.now());
    if (wrote) this.options.log?.info('volume contents written', { pod: `${namespace}/${pod.metadata?.name ?? ''}`, volume: volume.name, files: payload.size });
    this.readOnlyPaths.add(dir);
    return dir;
  }

  private async projectedPayload(payload: MutablePayload, pod: Pod, volume: Volume, lookup: ObjectLookup): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const defaultMode = volume.projected?.defaultMode;
    for (const raw of volume.projected?.sources ?? []) {
      const source = raw as ProjectedSource;
      if (source.configMap !== undefined) {
        const name = source.configMap.name ?? '';
        const optional = source.configMap.optional === true;
        const configMap = await lookup.getConfigMap(namespace, name);
        if (configMap === undefined && !optional) throw new VolumeSetupError(volume.name, `configmap ${JSON.stringify(name)} not found`);
        addConfigMapPayload(payload, configMap, source.configMap.items, defaultMode, optional);
      } else if (source.secret !== undefined) {
        const name = source.secret.name ?? '';
        const optional = source.secret.optional === true;
        const secret = await lookup.getSecret(namespace, name);
        if (secret === undefined && !optional) throw new VolumeSetupError(volume.name, `secret ${JSON.stringify(name)} not found`);
        addSecretPayload(payload, secret, source.secret.items, defaultMode, optional);
      } else if (source.downwardAPI !== undefined) {
        addDownwardApiPayload(payload, pod, source.downwardAPI.items, defaultMode, this.allocatable());
      } else {
        this.options.log?.warn('projected volume source not supported; skipped', { volume: volume.name, source: Object.keys(source).join(',') });
      }
    }
  }

  private allocatable(): DownwardNodeContext['nodeAllocatable'] {
    return this.options.nodeAllocatable ?? { cpuMillis: 0, memoryBytes: 0 };
  }

  /** Removes everything under the pod's directory (its volumes included). Idempotent. */
  async tearDown(podUid: string): Promise<void> {
    const dir = this.podDir(podUid);
    for (const path of this.readOnlyPaths) {
      if (path.startsWith(`${dir}/`)) this.readOnlyPaths.delete(path);
    }
    // rm does not follow symlinks: a volume's links into ..data are removed, never their targets.
    await rm(dir, { recursive: true, force: true });
  }

  /**
   * The runtime mounts for a container's volumeMounts. A subPath (or subPathExpr, expanded with
   * `env`) mounts a path inside the volume, created as a directory when missing, as kubelet does.
   * Throws CreateContainerConfigError for a mount naming no set-up volume or an invalid subPath.
   */
  mountsFor(container: Container, volumePaths: ReadonlyMap<string, string>, env: readonly { readonly name: string; readonly value: string }[] = []): ContainerMount[] {
    const mounts: ContainerMount[] = [];
    for (const mount of container.volumeMounts ?? []) {
      const volumePath = volumePaths.get(mount.name);
      if (volumePath === undefined) {
        throw new CreateContainerConfigError(container.name, `cannot find volume ${JSON.stringify(mount.name)} to mount into container ${JSON.stringify(container.name)}`);
      }
      let subPath = mount.subPath ?? '';
      if (mount.subPathExpr !== undefined && mount.subPathExpr !== '') subPath = expandEnvReferences(mount.subPathExpr, envLookup(env));
      let hostPath = volumePath;
      if (subPath !== '') {
        if (isAbsolute(subPath)) throw new CreateContainerConfigError(container.name, `error SubPath \`${subPath}\` must not be an absolute path`);
        if (subPath.split('/').includes('..')) {
          throw new CreateContainerConfigError(container.name, `unable to provision SubPath \`${subPath}\`: must not contain '..'`);
        }
        hostPath = join(volumePath, subPath);
        if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true, mode: statSync(volumePath).mode & 0o7777 });
      }
      mounts.push({ containerPath: mount.mountPath, hostPath, readOnly: mount.readOnly === true || this.readOnlyPaths.has(volumePath) });
    }
    return mounts;
  }
}

function isFsError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && 'syscall' in error;
}
