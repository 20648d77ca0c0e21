import { createServer } from 'node:net';

/**
 * Ports are picked below Linux's ephemeral range (32768–60999 by default), so that no outgoing
 * connection of another process can take one between the pick and the server's bind; a pick
 * is checked free by binding it.
 */
const PORT_RANGE_LOW = 20_000;
const PORT_RANGE_HIGH = 32_767;
const PICK_ATTEMPTS = 100;

function tryBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** A port that is free on host right now, outside the ephemeral range when one is. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < PICK_ATTEMPTS; i++) {
    const port = PORT_RANGE_LOW + Math.floor(Math.random() * (PORT_RANGE_HIGH - PORT_RANGE_LOW + 1));
    if (await tryBind(port, host)) return port;
  }
  // A crowded range: let the OS choose.
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
