// Typed failures of the Linux isolation. The process runtime maps them to CRI errors
// (CreateContainerError / StartContainerError / ContainerNotRunningError) by `code`.

export type LinuxIsolationErrorCode =
  /** The sandbox's namespaces holder is gone (killed, or the host rebooted). */
  | 'SandboxGone'
  /** A container mount cannot be honoured (relative path, under /proc or /sys, crosses a host symlink, missing source). */
  | 'InvalidMount'
  /** A container id that cannot name a cgroup or a directory. */
  | 'InvalidContainerId'
  /** Creating or configuring the container's cgroup failed. */
  | 'CgroupSetup'
  /** The namespaces holder did not come up. */
  | 'NamespaceSetup'
  /** exec into a container that has no live process left. */
  | 'ContainerNotRunning'
  /** removeContainer found mounts under the container's directory that would not go away. */
  | 'MountsRemain';

/** Thrown by LinuxIsolation methods when isolation cannot be set up or torn down; `code` says which step. */
export class LinuxIsolationError extends Error {
  override readonly name = 'LinuxIsolationError';
  constructor(
    readonly code: LinuxIsolationErrorCode,
    readonly subject: string,
    readonly why: string,
  ) {
    super(`${code} (${subject}): ${why}`);
  }
}
