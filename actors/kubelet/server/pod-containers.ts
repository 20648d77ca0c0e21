// Finding what runs for a pod by its namespace and name, from the runtime alone (the kubelet
// server answers from what runs on this node, not from the API): the pod's newest sandbox and,
// in it, the instances of one container, newest attempt first.

import { failureStatus, ResourceApiError } from '../../../core/index.js';
import { CONTAINER_NAME_LABEL } from '../pod-worker/container-labels.js';
import type { ContainerRuntime, ContainerStatus, PodSandboxStatus } from '../runtime/cri.js';

/** The pod's newest sandbox on this node (a ready one before any other); throws a 404 Status when there is none. */
export async function findPodSandbox(runtime: ContainerRuntime, namespace: string, pod: string): Promise<PodSandboxStatus> {
  const sandboxes = (await runtime.listPodSandboxes()).filter((s) => s.podNamespace === namespace && s.podName === pod);
  sandboxes.sort((a, b) => Number(b.state === 'ready') - Number(a.state === 'ready') || b.createdAtMs - a.createdAtMs);
  const newest = sandboxes[0];
  if (newest === undefined) throw new ResourceApiError(failureStatus(404, 'NotFound', `pod "${pod}" in namespace "${namespace}" is not running on this node`));
  return newest;
}

/** The instances of `container` in the sandbox, newest attempt first. */
export async function containerInstances(runtime: ContainerRuntime, sandboxId: string, container: string): Promise<ContainerStatus[]> {
  const all = await runtime.listContainers(sandboxId);
  return all
    .filter((c) => (c.labels[CONTAINER_NAME_LABEL] ?? c.name) === container)
    .sort((a, b) => b.attempt - a.attempt || b.createdAtMs - a.createdAtMs);
}

/**
 * The container instance `pods/log` reads: the current one, or with `previous` the one before it
 * (which must have exited). Throws 400 Statuses worded as kubelet words them.
 */
export async function containerForLogs(runtime: ContainerRuntime, namespace: string, pod: string, container: string, previous: boolean): Promise<ContainerStatus> {
  const sandbox = await findPodSandbox(runtime, namespace, pod);
  const instances = await containerInstances(runtime, sandbox.id, container);
  if (previous) {
    const before = instances[1];
    if (before === undefined) throw new ResourceApiError(failureStatus(400, 'BadRequest', `previous terminated container "${container}" in pod "${pod}" not found`));
    return before;
  }
  const current = instances[0];
  if (current === undefined) throw new ResourceApiError(failureStatus(400, 'BadRequest', `container "${container}" in pod "${pod}" is waiting to start: ContainerCreating`));
  return current;
}

/** The running instance `pods/exec` runs in; a 400 Status when the container is not running. */
export async function containerForExec(runtime: ContainerRuntime, namespace: string, pod: string, container: string): Promise<ContainerStatus> {
  const sandbox = await findPodSandbox(runtime, namespace, pod);
  const current = (await containerInstances(runtime, sandbox.id, container))[0];
  if (current === undefined) throw new ResourceApiError(failureStatus(404, 'NotFound', `container not found ("${container}")`));
  if (current.state !== 'running') throw new ResourceApiError(failureStatus(400, 'BadRequest', `container "${container}" in pod "${pod}" is not running`));
  return current;
}
