// The failures that keep a container from being created because its configuration cannot be
// assembled: kubelet reports them as the container's `CreateContainerConfigError` waiting reason.

/**
 * Thrown when a container's environment or mounts cannot be resolved: a ConfigMap or Secret that
 * is not optional is missing (`configmap "x" not found`), lacks a key (`couldn't find key k in
 * ConfigMap ns/x`), a fieldRef or resourceFieldRef names something unsupported, or a volumeMount
 * names no volume of the pod. The message is kubelet's, for the container status and the Event.
 */
export class CreateContainerConfigError extends Error {
  override readonly name = 'CreateContainerConfigError';
  /** The waiting reason kubelet shows for this failure. */
  readonly reason = 'CreateContainerConfigError';
  constructor(readonly containerName: string, message: string) {
    super(message);
  }
}

/** Thrown by the downward API resolvers for a fieldPath or resource they do not support. */
export class UnsupportedFieldPathError extends Error {
  override readonly name = 'UnsupportedFieldPathError';
  constructor(readonly fieldPath: string, message: string) {
    super(message);
  }
}
