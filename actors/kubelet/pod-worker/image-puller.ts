// Makes a container's image present before it is created, honouring imagePullPolicy, with the
// Events and waiting reasons kubelet's image manager produces (Pulling, Pulled, ErrImagePull,
// ImagePullBackOff) and a per-container pull back-off.

import type { Container } from '../../../core/index.js';
import type { CrashLoopBackoffPolicy } from '../pod-worker-contract.js';
import type { ContainerRuntime, ImageInfo } from '../runtime/cri.js';
import { ImageNotFoundError, InvalidImageNameError } from '../runtime/runtime-errors.js';
import type { ContainerWaitingReason } from '../status/index.js';

/** An Event about the pod's container: type, reason, message. */
export type ContainerEventSink = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export type ImagePullResult =
  | { readonly ok: true; readonly image: ImageInfo }
  | { readonly ok: false; readonly waiting: ContainerWaitingReason; readonly retryAtMs: number };

interface PullFailure {
  readonly failedAtMs: number;
  readonly delayMs: number;
}

/** The policy kubelet defaults to: Always for `:latest` or an untagged reference, else IfNotPresent. */
export function effectivePullPolicy(container: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (container.imagePullPolicy !== undefined) return container.imagePullPolicy;
  const image = container.image ?? '';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Image pulls of one pod's containers; the back-off table is bounded by the pod's containers. */
export class ImagePuller {
  private readonly failures = new Map<string, PullFailure>();

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly backoff: CrashLoopBackoffPolicy,
  ) {}

  /**
   * Resolves the image of `container`, pulling it when the policy says so. While a failed pull's
   * back-off runs, answers ImagePullBackOff without trying; a failed pull answers ErrImagePull and
   * doubles the back-off. Runtime failures other than the typed image errors reject.
   */
  async ensure(container: Container, nowMs: number, event: ContainerEventSink): Promise<ImagePullResult> {
    const ref = container.image ?? '';
    const policy = effectivePullPolicy(container);
    try {
      if (policy !== 'Always') {
        const present = await this.runtime.imageStatus(ref);
        if (present !== undefined) {
          this.failures.delete(container.name);
          event('Normal', 'Pulled', `Container image ${JSON.stringify(ref)} already present on machine`);
          return { ok: true, image: present };
        }
        if (policy === 'Never') {
          const message = `Container image ${JSON.stringify(ref)} is not present with pull policy of Never`;
          event('Warning', 'ErrImageNeverPull', message);
          return { ok: false, waiting: { reason: 'ErrImageNeverPull', message }, retryAtMs: nowMs + this.backoff.initialMs };
        }
      }
      const failure = this.failures.get(container.name);
      if (failure !== undefined && nowMs < failure.failedAtMs + failure.delayMs) {
        const message = `Back-off pulling image ${JSON.stringify(ref)}`;
        event('Normal', 'BackOff', message);
        event('Warning', 'Failed', 'Error: ImagePullBackOff');
        return { ok: false, waiting: { reason: 'ImagePullBackOff', message }, retryAtMs: failure.failedAtMs + failure.delayMs };
      }
      event('Normal', 'Pulling', `Pulling image ${JSON.stringify(ref)}`);
      const image = await this.runtime.pullImage(ref);
      this.failures.delete(container.name);
      event('Normal', 'Pulled', `Successfully pulled image ${JSON.stringify(ref)}. Image size: ${image.sizeBytes} bytes.`);
      return { ok: true, image };
    } catch (error) {
      if (error instanceof InvalidImageNameError) {
        const message = `Failed to apply default image tag ${JSON.stringify(ref)}: ${error.why}`;
        event('Warning', 'InspectFailed', message);
        return { ok: false, waiting: { reason: 'InvalidImageName', message }, retryAtMs: nowMs + this.backoff.maxMs };
      }
      if (!(error instanceof ImageNotFoundError)) throw error;
      const previous = this.failures.get(container.name);
      const delayMs = previous === undefined ? this.backoff.initialMs : Math.min(previous.delayMs * 2, this.backoff.maxMs);
      this.failures.set(container.name, { failedAtMs: nowMs, delayMs });
      event('Warning', 'Failed', `Failed to pull image ${JSON.stringify(ref)}: ${error.message}`);
      event('Warning', 'Failed', 'Error: ErrImagePull');
      return { ok: false, waiting: { reason: 'ErrImagePull', message: error.message }, retryAtMs: nowMs + delayMs };
    }
  }
}
