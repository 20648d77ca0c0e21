// The `flotilla/echo` image: an HTTP server on $PORT (default 8080) that answers with the pod it
// runs in (`pod=… namespace=… ip=…`, from the downward-API env the kubelet sets, else the host's
// name) and `ok` on /healthz. Exits 0 on SIGTERM, as a well-behaved server does. Runs as its own
// process: imports nothing but node builtins, to stay small.

import http from 'node:http';
import os from 'node:os';

const port = Number(process.env['PORT'] ?? '8080');
const podName = process.env['POD_NAME'] ?? os.hostname();
const namespace = process.env['POD_NAMESPACE'] ?? '';
const ip = process.env['POD_IP'] ?? os.hostname();

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

server.listen(port, () => {
  process.stdout.write(`echo: listening on port ${port} as pod ${podName}\n`);
});

const stop = (): void => {
  process.stdout.write('echo: shutting down\n');
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
