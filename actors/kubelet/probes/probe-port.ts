// Resolving a probe's port (a number, or the name of one of the container's ports) and joining
// host and port as Go's net.JoinHostPort does, for the URLs and messages kubelet prints.

import type { ContainerPort, IntOrString } from '../../../core/index.js';

/** Thrown when a probe's port names no port of the container, or is out of range. */
export class ProbePortError extends Error {
  override readonly name = 'ProbePortError';
  constructor(readonly port: IntOrString, reason: string) {
    super(reason);
  }
}

/**
 * The port number a probe means (kubelet's ResolveContainerPort): a number as is; a name looked up
 * in the container's ports, else read as a number written as a string. Throws ProbePortError.
 */
export function resolveProbePort(port: IntOrString, containerPorts: readonly ContainerPort[] = []): number {
  let resolved: number;
  if (typeof port === 'number') {
    resolved = port;
  } else {
    const named = containerPorts.find((p) => p.name === port);
    if (named !== undefined) {
      resolved = named.containerPort;
    } else if (/^[0-9]+$/.test(port)) {
      resolved = Number.parseInt(port, 10);
    } else {
      throw new ProbePortError(port, `port ${port} not found`);
    }
  }
  if (!Number.isInteger(resolved) || resolved <= 0 || resolved >= 65536) {
    throw new ProbePortError(port, `invalid port number: ${resolved}`);
  }
  return resolved;
}

/** `host:port`, with an IPv6 host in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
