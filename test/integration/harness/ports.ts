import { createServer } from 'node:net';

/**
 * A loopback port the OS says is free right now (bind to 0, read it, release it). Another process
 * may take it before ours binds; the window is small and a member that fails to bind fails its
 * readiness check with its log tail, so the cause is visible.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('the OS gave no port'))));
    });
  });
}

/** `count` distinct free ports (distinct even if the OS hands one out twice in a row). */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  // Bound: the OS repeating a just-released port this often means something else is wrong.
  const maxAttempts = count * 10;
  for (let i = 0; ports.size < count; i++) {
    if (i >= maxAttempts) throw new Error(`could not find ${count} distinct free ports on ${host}`);
    ports.add(await freePort(host));
  }
  return [...ports];
}
