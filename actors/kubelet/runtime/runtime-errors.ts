// Typed failures of a ContainerRuntime. The kubelet maps them to container state reasons
// (ErrImagePull, CreateContainerError, RunContainerError) and Events.

/** Thrown by pullImage when no image store has the reference: the kubelet reports ErrImagePull. */
export class ImageNotFoundError extends Error {
  override readonly name = 'ImageNotFoundError';
  constructor(readonly ref: string) {
    super(`image ${JSON.stringify(ref)} not found in the local image store`);
  }
}

/** Thrown for an image reference that is not well formed (`InvalidImageName`). */
export class InvalidImageNameError extends Error {
  override readonly name = 'InvalidImageNameError';
  constructor(readonly ref: string, readonly why: string) {
    super(`invalid image name ${JSON.stringify(ref)}: ${why}`);
  }
}

/** Thrown for a sandbox id the runtime does not know (removed, or never created). */
export class SandboxNotFoundError extends Error {
  override readonly name = 'SandboxNotFoundError';
  constructor(readonly sandboxId: string) {
    super(`pod sandbox ${sandboxId} not found`);
  }
}

/** Thrown for a container id the runtime does not know (removed, or never created). */
export class ContainerNotFoundError extends Error {
  override readonly name = 'ContainerNotFoundError';
  constructor(readonly containerId: string) {
    super(`container ${containerId} not found`);
  }
}

/** Thrown by createContainer when the config cannot be honoured (missing mount source, bad working dir): CreateContainerError. */
export class CreateContainerError extends Error {
  override readonly name = 'CreateContainerError';
  constructor(readonly containerName: string, readonly why: string) {
    super(`cannot create container ${containerName}: ${why}`);
  }
}

/** Thrown by startContainer when the process cannot be started (no such executable, not permitted): RunContainerError. */
export class StartContainerError extends Error {
  override readonly name = 'StartContainerError';
  constructor(readonly containerId: string, readonly why: string) {
    super(`cannot start container ${containerId}: ${why}`);
  }
}

/** Thrown by exec and execSync on a container that is not running. */
export class ContainerNotRunningError extends Error {
  override readonly name = 'ContainerNotRunningError';
  constructor(readonly containerId: string) {
    super(`container ${containerId} is not running`);
  }
}
