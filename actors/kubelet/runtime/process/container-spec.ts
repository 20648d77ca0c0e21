// How a container's command, environment and working directory follow from its image and its
// pod spec, by Kubernetes' rules, and how a stored record reads as a CRI ContainerStatus.

import type { ContainerConfig, ContainerStatus } from '../cri.js';
import type { ImageManifest } from '../images/index.js';
import type { ContainerRecord } from './state-store.js';

/** Docker's default PATH, used when neither the image nor the pod sets one. */
export const DEFAULT_CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Kubernetes' rule: `command` replaces the image's entrypoint and drops its cmd; `args` replaces
 * the cmd; with neither, entrypoint + cmd.
 */
export function resolveContainerArgv(image: ImageManifest, config: ContainerConfig): string[] {
  if (config.command !== undefined && config.command.length > 0) return [...config.command, ...(config.args ?? [])];
  if (config.args !== undefined && config.args.length > 0) return [...image.entrypoint, ...config.args];
  return [...image.entrypoint, ...image.cmd];
}

/** The image's env, then the pod's (which wins), over a default PATH and the pod's HOSTNAME. Nothing of the worker's own environment leaks in. */
export function resolveProcessContainerEnv(image: ImageManifest, config: ContainerConfig, hostname: string): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_CONTAINER_PATH, HOSTNAME: hostname };
  for (const pair of image.env) {
    const eq = pair.indexOf('=');
    if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  for (const { name, value } of config.env) env[name] = value;
  return env;
}

export function containerStatusOf(record: ContainerRecord): ContainerStatus {
  return {
    id: record.id,
    sandboxId: record.sandboxId,
    name: record.config.name,
    attempt: record.config.attempt,
    image: record.config.image,
    imageId: record.imageId,
    state: record.state,
    createdAtMs: record.createdAtMs,
    ...(record.startedAtMs !== undefined ? { startedAtMs: record.startedAtMs } : {}),
    ...(record.finishedAtMs !== undefined ? { finishedAtMs: record.finishedAtMs } : {}),
    ...(record.exitCode !== undefined ? { exitCode: record.exitCode } : {}),
    ...(record.reason !== undefined ? { reason: record.reason } : {}),
    ...(record.message !== undefined ? { message: record.message } : {}),
    labels: record.config.labels,
    logPath: record.logPath,
  };
}
