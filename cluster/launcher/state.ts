import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export type ProcessKind = 'master' | 'worker' | 'store';

export interface ProcessUrls {
  readonly client: string;
  readonly peer: string;
  readonly metrics: string;
  /** A master's Kubernetes API (https). */
  readonly api?: string;
  /** A master's internal resource API (gRPC host:port). */
  readonly resource?: string;
}

/** One process of a local cluster as the launcher recorded it. */
export interface ProcessRecord {
  readonly name: string;
  readonly kind: ProcessKind;
  pid: number;
  readonly args: string[];
  readonly dataDir: string;
  readonly logFile: string;
  readonly urls: ProcessUrls;
}

export interface ClusterState {
  readonly clusterToken: string;
  /** Set when the masters run on a user's etcd (`flotilla up --external-etcd`). */
  readonly externalEtcd?: string;
  /** The admin kubeconfig `flotilla up` wrote. */
  readonly kubeconfig?: string;
  readonly createdAt: string;
  readonly processes: ProcessRecord[];
}

/** The data dir of the local cluster: --data-dir, $FLOTILLA_DATA_DIR, or ~/.flotilla. */
export function clusterDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.FLOTILLA_DATA_DIR ?? join(homedir(), '.flotilla'));
}

export function statePath(dir: string): string {
  return join(dir, 'cluster.json');
}

export function readState(dir: string): ClusterState | undefined {
  const p = statePath(dir);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as ClusterState;
  } catch (err) {
    throw new Error(`cluster state file ${p} is unreadable or corrupt: ${(err as Error).message}`);
  }
}

/** Writes atomically (temp file + rename) so a crash never leaves half a state file. */
export function writeState(dir: string, state: ClusterState): void {
  mkdirSync(dir, { recursive: true });
  const p = statePath(dir);
  writeFileSync(`${p}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${p}.tmp`, p);
}

export function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
