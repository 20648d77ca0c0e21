// The worker processes of a local cluster: their records (names w1…wN, data dirs under the
// cluster dir, metrics ports picked like the masters'), and waiting until their Nodes are Ready.

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Node } from '../../core/index.js';
import { GrpcResourceClient } from '../../transport/index.js';
import { clusterPkiDir, tokenFilePath } from '../pki/index.js';
import { tokenFromFile } from '../worker/options.js';
import { freePort } from './ports.js';
import type { ClusterState, ProcessRecord } from './state.js';
import { isAlive } from './state.js';

/** The masters' resource API addresses, for the workers' --masters. */
export function resourceApiAddresses(state: ClusterState): string[] {
  return state.processes.filter((p) => p.kind === 'master' && p.urls.resource !== undefined).map((p) => p.urls.resource!);
}

/** Records of `count` new workers named w<first>…, not started yet. */
export async function workerRecords(dir: string, state: ClusterState, count: number, first = 1): Promise<ProcessRecord[]> {
  const masters = resourceApiAddresses(state).join(',');
  const tokenFile = tokenFilePath(clusterPkiDir(dir));
  const records: ProcessRecord[] = [];
  for (let i = first; i < first + count; i++) {
    const name = `w${i}`;
    const metricsPort = await freePort();
    const dataDir = join(dir, name);
    records.push({
      name,
      kind: 'worker',
      pid: 0,
      dataDir,
      logFile: join(dir, `${name}.log`),
      urls: { client: '', peer: '', metrics: `http://127.0.0.1:${metricsPort}` },
      // Distinct pod CIDRs per worker of one cluster: 127.64.<i>.0/24 (pods share the host network until pod networking exists).
      args: ['--name', name, '--masters', masters, '--token-file', tokenFile, '--data-dir', dataDir, '--metrics-port', String(metricsPort), '--pod-cidr', `127.64.${i % 256}.0/24`],
    });
  }
  return records;
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Waits until every worker's Node is Ready; throws naming the ones that are not (and dead processes). */
export async function waitForWorkerNodes(dir: string, state: ClusterState, timeoutMs: number): Promise<void> {
  const workers = state.processes.filter((p) => p.kind === 'worker');
  if (workers.length === 0) return;
  const client = new GrpcResourceClient({ masters: resourceApiAddresses(state), token: tokenFromFile(tokenFilePath(clusterPkiDir(dir))) });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let ready = new Set<string>();
      try {
        const nodes = await client.list<Node>({ group: '', version: 'v1', resource: 'nodes' });
        ready = new Set(nodes.items.filter(isReady).map((n) => n.metadata?.name ?? ''));
      } catch {
        // Masters still settling: ask again.
      }
      const missing = workers.filter((w) => !ready.has(w.name));
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        const text = missing.map((w) => `${w.name}${isAlive(w.pid) ? '' : ' (exited)'} (see ${w.logFile})`).join(', ');
        throw new Error(`worker nodes not Ready within ${timeoutMs / 1000} s: ${text}`);
      }
      await sleep(200);
    }
  } finally {
    client.close();
  }
}
