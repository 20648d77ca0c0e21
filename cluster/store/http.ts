import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { StoreMember } from '../../raft/index.js';

/**
 * The member's HTTP endpoints on its metrics URL: `/metrics` (Prometheus text), `/health`
 * (etcd's JSON: 200 {"health":"true"} when it has a leader and no alarm, else 503), and
 * `/status` (role, term, indexes; what `flotilla status` shows).
 */
export function startHttp(host: string, port: number, name: string, member: () => StoreMember | undefined, registry: Registry): Promise<Server> {
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const send = (code: number, body: string, type = 'application/json'): void => {
      res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, JSON.stringify({ error: 'method not allowed' }));
    const m = member();
    if (url === '/metrics') {
      registry.metrics().then(
        (text) => send(200, text, registry.contentType),
        (err: unknown) => send(500, String(err), 'text/plain'),
      );
      return;
    }
    if (url === '/health' || url === '/livez' || url === '/readyz') {
      const alarms = m ? [...m.alarms.values()] : [];
      const healthy = m !== undefined && m.healthy() && alarms.length === 0;
      const reason = !m ? 'starting' : m.failure ? m.failure.message : !m.healthy() ? 'no leader' : alarms.length ? `alarms: ${alarms.map((a) => a.alarm).join(',')}` : '';
      return send(healthy ? 200 : 503, JSON.stringify({ health: String(healthy), reason }));
    }
    if (url === '/status') {
      if (!m) return send(503, JSON.stringify({ name, starting: true }));
      return send(
        200,
        JSON.stringify({
          name,
          id: m.id.toString(16),
          raft: { state: m.raftState, term: m.raftTerm, commitIndex: m.raftCommitIndex, appliedIndex: m.raftAppliedIndex, leader: m.leader.toString(16) },
          isLearner: m.isLearner,
          alarms: [...m.alarms.values()],
        }),
      );
    }
    send(404, JSON.stringify({ error: 'not found', paths: ['/metrics', '/health', '/status'] }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
