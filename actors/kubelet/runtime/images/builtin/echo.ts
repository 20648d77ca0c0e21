// The `flotilla/echo` image: an HTTP server on $PORT (default 8080) that answers with the pod it
// runs in (`pod=… namespace=… ip=…`, from downward-API env POD_NAME/POD_NAMESPACE/POD_IP if the
// pod sets them, else its hostname and FLOTILLA_POD_IP) and `ok` on /healthz. Exits 0 on SIGTERM,
// as a well-behaved server does. Runs as its own process: imports nothing but node builtins.

import http from 'node:http';
import os from 'node:os';

const port = Number(process.env['PORT'] ?? '8080');
const podName = process.env['POD_NAME'] ?? process.env['FLOTILLA_POD_NAME'] ?? os.hostname();
const namespace = process.env['POD_NAMESPACE'] ?? process.env['FLOTILLA_POD_NAMESPACE'] ?? '';
const ip = process.env['POD_IP'] ?? process.env['FLOTILLA_POD_IP'] ?? os.hostname();
// While pods share the host's network, each has its own loopback address: bind that one.
const bindAddress = process.env['FLOTILLA_POD_IP'] ?? '0.0.0.0';

const server = http.createServer((req, res) => {
  if (req.url === '/healthz' || req.url === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`pod=${podName} namespace=${namespace} ip=${ip}\n`);
});

server.on('error', (err) => {
  process.stderr.write(`echo: ${err.message}\n`);
  process.exit(1);
});

server.listen(port, bindAddress, () => {
  process.stdout.write(`echo: listening on ${bindAddress}:${port} as pod ${podName}\n`);
});

const stop = (): void => {
  process.stdout.write('echo: shutting down\n');
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
