// The default isolation: none. Containers are plain host processes of the worker's user, in their
// own process group; limits are not enforced and volume mounts are refused (they need a mount
// namespace, which needs root). An imported image's paths are mapped onto its files on the host,
// so `/app/server` in an image runs `<imageRootDir>/app/server`.

import fs from 'node:fs';
import path from 'node:path';
import type { RuntimeIsolation } from '../cri.js';
import { CreateContainerError } from '../runtime-errors.js';
import type { ContainerIsolation, ContainerLaunchRequest, ContainerLaunchSpec, SandboxIsolationState } from './isolation-contract.js';

/** Where a bare command name is looked for inside an imported image, before the host's PATH. */
const IMAGE_PATH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const NO_ISOLATION_REASON = 'no isolation configured: containers run as plain host processes without namespaces or cgroups';

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** An image path as a host path: under the image's files when it exists there, else as is (a host program). */
function mapImagePath(imageRootDir: string | undefined, p: string, mustBeExecutable: boolean): string {
  if (imageRootDir === undefined) return p;
  if (path.isAbsolute(p)) {
    const inImage = path.join(imageRootDir, p);
    if (mustBeExecutable ? isExecutable(inImage) : fs.existsSync(inImage)) return inImage;
    return p;
  }
  if (mustBeExecutable && !p.includes('/')) {
    for (const dir of IMAGE_PATH_DIRS) {
      const inImage = path.join(imageRootDir, dir, p);
      if (isExecutable(inImage)) return inImage;
    }
  }
  return p;
}

export class NoIsolation implements ContainerIsolation {
  readonly isolation: RuntimeIsolation;

  /**
   * `teardown`: the isolation an earlier run of this worker may have used (Linux namespaces and
   * cgroups, before --no-isolation). What it made — sandbox holders, container cgroups and
   * roots — it ends and removes, so turning isolation off leaks nothing.
   */
  constructor(
    reason: string = NO_ISOLATION_REASON,
    private readonly teardown?: ContainerIsolation,
  ) {
    this.isolation = { namespaces: false, cgroups: 'none', reason };
  }

  createSandbox(): Promise<SandboxIsolationState> {
    return Promise.resolve({});
  }

  /** Rejects with CreateContainerError for mounts or an empty command. */
  async prepareContainer(_sandbox: SandboxIsolationState, request: ContainerLaunchRequest): Promise<ContainerLaunchSpec> {
    if (request.mounts.length > 0) {
      throw new CreateContainerError(request.containerId, 'volume mounts need the worker to run as root with mount namespaces (isolation is off)');
    }
    return this.spec(request, request.argv);
  }

  async prepareExec(_sandbox: SandboxIsolationState, request: ContainerLaunchRequest, argv: readonly string[]): Promise<ContainerLaunchSpec> {
    return this.spec(request, argv);
  }

  wasOomKilled(): Promise<boolean> {
    return Promise.resolve(false);
  }

  stats(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  removeContainer(containerId: string, containerDir: string): Promise<void> {
    return this.teardown?.removeContainer(containerId, containerDir) ?? Promise.resolve();
  }

  destroySandbox(sandbox: SandboxIsolationState): Promise<void> {
    if (!this.ownsSandbox(sandbox) && this.teardown?.ownsSandbox(sandbox) === true) return this.teardown.destroySandbox(sandbox);
    return Promise.resolve();
  }

  /** Its sandboxes hold nothing (`{}`); one with a `kind` is another isolation's. */
  ownsSandbox(sandbox: SandboxIsolationState): boolean {
    return sandbox['kind'] === undefined;
  }

  private spec(request: ContainerLaunchRequest, argv: readonly string[]): ContainerLaunchSpec {
    const [first, ...args] = argv;
    if (first === undefined) throw new CreateContainerError(request.containerId, 'no command to run');
    const cwd = mapImagePath(request.imageRootDir, request.workingDir === '' ? '/' : request.workingDir, false);
    return { file: mapImagePath(request.imageRootDir, first, true), args, env: request.env, cwd };
  }
}
