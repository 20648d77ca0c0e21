// The texts kubelet puts in probe Events, so `kubectl describe pod` reads the same.

import type { ProbeKind } from './probe-types.js';

const KIND_TITLE: Readonly<Record<ProbeKind, string>> = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' };

/** The `Unhealthy` Event's message for a failed run: `Liveness probe failed: <message>`. */
export function probeFailedMessage(kind: ProbeKind, message: string | undefined): string {
  return `${KIND_TITLE[kind]} probe failed: ${message ?? ''}`;
}

/**
 * The `Killing` Event's message when a liveness or startup probe's failures end the container:
 * `Container web failed liveness probe, will be restarted`.
 */
export function probeKillingMessage(kind: ProbeKind, containerName: string): string {
  return `Container ${containerName} failed ${kind} probe, will be restarted`;
}
