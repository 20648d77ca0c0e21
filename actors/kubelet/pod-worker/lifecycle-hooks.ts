// Container lifecycle hooks (postStart, preStop): exec in the container, an HTTP GET, or a sleep,
// run through the probe handlers so hooks and probes reach containers the same way.

import type { Container, LifecycleHandler, Probe } from '../../../core/index.js';
import type { Clock } from '../../../raft/index.js';
import { runProbe } from '../probes/index.js';
import type { ContainerRuntime } from '../runtime/cri.js';

/** Where a hook runs. */
export interface HookTarget {
  readonly runtime: ContainerRuntime;
  readonly clock: Clock;
  readonly podIP: string;
  readonly containerId: string;
  readonly container: Container;
}

/** What a failed hook said; undefined when it succeeded. */
export type HookFailure = { readonly message: string } | undefined;

function handlerDescription(handler: LifecycleHandler): string {
  if (handler.exec !== undefined) return `Exec lifecycle hook (${JSON.stringify(handler.exec.command ?? [])})`;
  if (handler.httpGet !== undefined) return `HTTP lifecycle hook (${handler.httpGet.path ?? '/'})`;
  if (handler.tcpSocket !== undefined) return 'TCP lifecycle hook';
  return 'Sleep lifecycle hook';
}

/** Waits `ms` of the injected clock. */
function sleepOn(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => void clock.setTimeout(resolve, ms));
}

/**
 * Runs one hook, for at most `timeoutMs` (a hook has no timeout of its own: the pod's grace
 * period bounds preStop; postStart is bounded the same way). Never rejects.
 */
export async function runLifecycleHook(handler: LifecycleHandler, target: HookTarget, timeoutMs: number): Promise<HookFailure> {
  if (handler.sleep !== undefined) {
    await sleepOn(target.clock, Math.min(Math.max(0, handler.sleep.seconds) * 1000, timeoutMs));
    return undefined;
  }
  if (handler.tcpSocket !== undefined && handler.exec === undefined && handler.httpGet === undefined) {
    // Kubernetes no longer runs tcpSocket hooks (deprecated, accepted for compatibility).
    return undefined;
  }
  const probe: Probe = {
    ...(handler.exec !== undefined ? { exec: handler.exec } : {}),
    ...(handler.httpGet !== undefined ? { httpGet: handler.httpGet } : {}),
    timeoutSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
  };
  const outcome = await runProbe(probe, {
    podIP: target.podIP,
    containerId: target.containerId,
    runtime: target.runtime,
    ...(target.container.ports !== undefined ? { containerPorts: target.container.ports } : {}),
  });
  if (outcome.result === 'success') return undefined;
  return { message: `${handlerDescription(handler)} for Container ${JSON.stringify(target.container.name)} failed - error: ${outcome.message ?? ''}` };
}
