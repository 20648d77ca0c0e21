// One run of a probe: exec in the container, an HTTP GET, or a TCP connect, within the probe's
// timeout. Never rejects: every way a probe can go wrong is a failure with kubelet's message.

import type { Probe } from '../../../core/index.js';
import { runHttpProbe } from './http-probe.js';
import { joinHostPort, resolveProbePort, ProbePortError } from './probe-port.js';
import { probeTiming } from './probe-tracker.js';
import type { ProbeOutcome, ProbeTarget } from './probe-types.js';
import { runTcpProbe } from './tcp-probe.js';

/** Go's %q of the command line, as kubelet's exec timeout message quotes it. */
function quotedCommand(command: readonly string[]): string {
  return JSON.stringify(command.join(' '));
}

async function runExecProbe(command: readonly string[], target: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  try {
    const result = await target.runtime.execSync(target.containerId, command, timeoutMs);
    if (result.timedOut) return { result: 'failure', message: `command ${quotedCommand(command)} timed out` };
    const output = result.stdout + result.stderr;
    return result.exitCode === 0 ? { result: 'success', message: output } : { result: 'failure', message: output };
  } catch (error) {
    return { result: 'failure', message: error instanceof Error ? error.message : String(error) };
  }
}

/** The URL kubelet builds: the path may carry a query; host defaults to the pod's IP. */
function httpProbeUrl(scheme: string, host: string, port: number, path: string): URL {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return new URL(`${scheme.toLowerCase()}://${joinHostPort(host, port)}${withSlash}`);
}

/**
 * Runs `probe` once against `target`. The exec timeout is enforced by the runtime; network probes
 * time out on the probe's own deadline.
 */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  // The kind only matters for thresholds; the timeout is the same for every kind.
  const { timeoutMs } = probeTiming('readiness', probe);
  try {
    if (probe.exec !== undefined) {
      return await runExecProbe(probe.exec.command ?? [], target, timeoutMs);
    }
    if (probe.httpGet !== undefined) {
      const action = probe.httpGet;
      const port = resolveProbePort(action.port, target.containerPorts);
      const host = action.host !== undefined && action.host !== '' ? action.host : target.podIP;
      const url = httpProbeUrl(action.scheme ?? 'HTTP', host, port, action.path ?? '/');
      return await runHttpProbe({ url, headers: action.httpHeaders ?? [], timeoutMs });
    }
    if (probe.tcpSocket !== undefined) {
      const action = probe.tcpSocket;
      const port = resolveProbePort(action.port, target.containerPorts);
      const host = action.host !== undefined && action.host !== '' ? action.host : target.podIP;
      return await runTcpProbe(host, port, timeoutMs);
    }
    if (probe.grpc !== undefined) {
      return { result: 'failure', message: 'grpc probes are not supported' };
    }
    return { result: 'failure', message: 'missing probe handler' };
  } catch (error) {
    if (error instanceof ProbePortError || error instanceof TypeError) return { result: 'failure', message: error.message };
    throw error;
  }
}
