// tcpSocket probes: success when a TCP connection opens within the timeout (pkg/probe/tcp).

import { connect } from 'node:net';
import { goSocketErrorText } from './network-error-text.js';
import { joinHostPort } from './probe-port.js';
import type { ProbeOutcome } from './probe-types.js';

/** Connects to host:port and closes at once; a refused or timed-out connect is a failure. */
export function runTcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const address = joinHostPort(host, port);
  return new Promise((resolve) => {
    let settled = false;
    const socket = connect({ host, port });
    const finish = (outcome: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    // The socket's idle timeout doubles as the connect timeout: nothing is sent before connecting.
    socket.setTimeout(timeoutMs, () => finish({ result: 'failure', message: `dial tcp ${address}: i/o timeout` }));
    socket.once('connect', () => finish({ result: 'success' }));
    socket.on('error', (error) => finish({ result: 'failure', message: `dial tcp ${address}: ${goSocketErrorText(error)}` }));
  });
}
