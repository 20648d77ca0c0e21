// A pod's status as the kubelet reports it, computed from the runtime's view of its sandbox and
// containers. Pure: the caller supplies the time.

import type { ContainerStatus as ApiContainerStatus, Pod, PodStatus } from '../../../core/index.js';
import { computePodQosClass, formatRfc3339 } from '../../../core/index.js';
import type { ContainerStatus as RuntimeContainerStatus, PodSandboxStatus } from '../runtime/cri.js';
import type { ContainerWaitingReason, PodProbeResults } from './container-statuses.js';
import { buildContainerStatus, instancesOf } from './container-statuses.js';
import { computePodConditions } from './pod-conditions.js';
import { computePodPhase, isTerminalPodPhase } from './pod-phase.js';

/** What only the kubelet knows about the pod besides the runtime's state. */
export interface PodStatusContext {
  /** The node's IP (status.hostIP). */
  readonly nodeIP: string;
  /** Why a container that is not running waits, by container name. */
  readonly waiting?: ReadonlyMap<string, ContainerWaitingReason>;
  /** The kubelet stopped the pod for good: exited containers decide Succeeded or Failed. */
  readonly podIsTerminal?: boolean;
  /** Forces phase Failed with this reason (e.g. DeadlineExceeded). */
  readonly failure?: { readonly reason: string; readonly message: string };
}

/** The waiting reason of a container with no instance yet, as kubelet reports it. */
function defaultWaitingReason(isInit: boolean, initialized: boolean): ContainerWaitingReason {
  return { reason: isInit || !initialized ? 'PodInitializing' : 'ContainerCreating' };
}

function allInitDone(pod: Pod, all: readonly RuntimeContainerStatus[]): boolean {
  return (pod.spec?.initContainers ?? []).every((c) => {
    const latest = instancesOf(c.name, all)[0];
    return latest !== undefined && latest.state === 'exited' && latest.exitCode === 0;
  });
}

/**
 * The status to report for `pod`.
 * - phase: by the kubelet's rules (see computePodPhase); a terminal phase already reported is kept.
 * - conditions: see computePodConditions; lastTransitionTime kept while a condition's status holds.
 * - containerStatuses sorted by name, initContainerStatuses in spec order (as kubelet).
 * - podIP/podIPs: the sandbox's IP; kept from the old status once the sandbox is gone.
 * - startTime: kept from the old status, else `nowMs`.
 */
export function computePodStatus(
  pod: Pod,
  sandbox: PodSandboxStatus | undefined,
  containerStatuses: readonly RuntimeContainerStatus[],
  probeResults: PodProbeResults,
  nowMs: number,
  context: PodStatusContext,
): PodStatus {
  const old = pod.status ?? {};
  const spec = pod.spec ?? { containers: [] };
  const waiting = context.waiting ?? new Map<string, ContainerWaitingReason>();
  const initialized = allInitDone(pod, containerStatuses);
  const statusOf = (isInit: boolean) => (container: NonNullable<typeof spec.initContainers>[number]): ApiContainerStatus =>
    buildContainerStatus({
      container,
      isInit,
      instances: instancesOf(container.name, containerStatuses),
      waiting: waiting.get(container.name),
      defaultWaiting: defaultWaitingReason(isInit, initialized),
      probes: probeResults,
    });
  const initStatuses = (spec.initContainers ?? []).map(statusOf(true));
  const statuses = spec.containers.map(statusOf(false)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let phase = context.failure !== undefined ? 'Failed' : computePodPhase(spec, initStatuses, statuses, context.podIsTerminal === true);
  if (isTerminalPodPhase(old.phase) && old.phase !== undefined) phase = old.phase;

  const podIP = sandbox?.ip ?? old.podIP;
  const status: PodStatus = {
    phase,
    conditions: computePodConditions({ pod, sandboxReady: sandbox?.state === 'ready', initStatuses, statuses, phase, nowMs }),
    hostIP: context.nodeIP,
    hostIPs: [{ ip: context.nodeIP }],
    ...(podIP !== undefined && podIP !== '' ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: old.startTime ?? formatRfc3339(nowMs),
    ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    qosClass: computePodQosClass(pod),
  };
  const failure = context.failure ?? (old.reason !== undefined && isTerminalPodPhase(old.phase) ? { reason: old.reason, message: old.message ?? '' } : undefined);
  if (failure !== undefined) {
    status.reason = failure.reason;
    status.message = failure.message;
  }
  return status;
}
