// The failure that keeps a pod's volumes from being set up; the pod stays ContainerCreating.

/**
 * Thrown by PodVolumeManager.setUp when a volume cannot be set up: a ConfigMap or Secret that is
 * not optional is missing (`configmap "x" not found`) or lacks an item's key, a hostPath fails
 * its type check, the volume type is not supported, or the disk write fails. `message` is
 * kubelet's FailedMount Event text (`MountVolume.SetUp failed for volume "v" : <detail>`).
 */
export class VolumeSetupError extends Error {
  override readonly name = 'VolumeSetupError';
  /** The Event reason kubelet records for this failure. */
  readonly reason = 'FailedMount';
  constructor(readonly volumeName: string, readonly detail: string) {
    super(`MountVolume.SetUp failed for volume ${JSON.stringify(volumeName)} : ${detail}`);
  }
}
