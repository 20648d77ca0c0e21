import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { intFlag, parseArgs, rejectUnknown, UsageError } from '../args.js';
import { apiServerUrl, clusterPkiDir, ensureClusterAccess, kubeconfigPath, tokenFilePath } from '../pki/index.js';
import type { MemberStatus } from './member-status.js';
import { fetchStatus } from './member-status.js';
import { freePort } from './ports.js';
import type { ClusterState, ProcessRecord } from './state.js';
import { clusterDir, isAlive, readState, writeState } from './state.js';
import { waitForWorkerNodes, workerRecords } from './workers.js';
import { removeWorkerPods } from '../worker/cleanup.js';

/**
 * V8 flags for workers: a small young generation, size-optimised code, and JavaScript left to the
 * interpreter (no Sparkplug, Maglev or TurboFan). A worker's CPU goes to system calls and child
 * processes, not to hot JavaScript. Measured with `bench startup` (300 pods on 3 workers): RSS
 * went from 87–93 MB to 75–79 MB at its peak with 100 pods each (72 MB with 50 pods held); each
 * worker's CPU per 100 pods was 4.3–4.9 s against 3.5–4.6 s with the compilers, runs on a machine
 * whose figures vary that much from run to run. (`--lite-mode` saves about as much but also turns
 * WebAssembly off, and with it `fetch`, whose HTTP parser is WebAssembly.) Hollow-node workers (`--hollow`, started
 * by `bench deployment-scale`) run hot JavaScript for a thousand nodes and get none of these flags.
 */
const WORKER_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size', '--no-sparkplug', '--no-maglev', '--no-opt'];
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;
/** Most workers `flotilla up` starts. */
const MAX_LOCAL_WORKERS = 64;

const mastersOf = (state: ClusterState): ProcessRecord[] => state.processes.filter((p) => p.kind !== 'worker');

function spawnProcess(p: ProcessRecord): number {
  mkdirSync(p.dataDir, { recursive: true });
  const log = openSync(p.logFile, 'a');
  try {
    const child = spawn(process.execPath, [...(p.kind === 'worker' ? WORKER_NODE_FLAGS : []), MAIN, p.kind, ...p.args], { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${p.name}`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Waits until every master answers and one of them leads; returns their statuses. */
async function waitForLeader(state: ClusterState, timeoutMs: number): Promise<Map<string, MemberStatus>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = new Map<string, MemberStatus>();
    for (const p of mastersOf(state)) {
      const s = await fetchStatus(p.urls.metrics);
      if (s) statuses.set(p.name, s);
    }
    const leader = [...statuses.values()].some((s) => s.raft.state === 'leader');
    if (leader && statuses.size === mastersOf(state).length) return statuses;
    if (Date.now() > deadline) {
      const dead = mastersOf(state).filter((p) => !isAlive(p.pid)).map((p) => `${p.name} (see ${p.logFile})`);
      throw new Error(`no leader elected within ${timeoutMs / 1000} s${dead.length ? `; exited: ${dead.join(', ')}` : ''}`);
    }
    await sleep(100);
  }
}

/** Waits until every master's API server answers /readyz (the CA is the cluster's own). */
async function waitForApi(state: ClusterState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const p of mastersOf(state)) {
    if (p.urls.api === undefined) continue;
    for (;;) {
      const code = await new Promise<number>((resolve) => {
        const req = httpsGet(`${p.urls.api}/readyz`, { rejectUnauthorized: false, timeout: 2_000 }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', () => resolve(0));
        req.on('timeout', () => req.destroy());
      });
      if (code === 200) break;
      if (Date.now() > deadline) throw new Error(`the API server of ${p.name} did not become ready within ${timeoutMs / 1000} s (see ${p.logFile})`);
      await sleep(100);
    }
  }
}

/**
 * `flotilla up --external-etcd etcd://…`: masters that run only the API server (and its
 * controllers) on a user's etcd cluster; there is no built-in store to start.
 */
async function upOnExternalEtcd(dir: string, masters: number, workers: number, storeUrl: string, extraMasterArgs: readonly string[]): Promise<number> {
  const names = Array.from({ length: masters }, (_, i) => `m${i + 1}`);
  const ports = new Map<string, { api: number; resource: number }>();
  for (const n of names) ports.set(n, { api: await freePort(), resource: await freePort() });
  const access = await ensureClusterAccess(dir, { serverUrl: apiServerUrl('127.0.0.1', ports.get(names[0]!)!.api) });
  const pkiDir = clusterPkiDir(dir);
  const processes: ProcessRecord[] = names.map((name) => {
    const pt = ports.get(name)!;
    return {
      name,
      kind: 'master',
      pid: 0,
      dataDir: join(dir, name),
      logFile: join(dir, `${name}.log`),
      urls: { client: '', peer: '', metrics: '', api: apiServerUrl('127.0.0.1', pt.api), resource: `127.0.0.1:${pt.resource}` },
      args: ['--store', storeUrl, '--secure-port', String(pt.api), '--api-data-dir', pkiDir, '--token-auth-file', tokenFilePath(pkiDir), '--resource-api-port', String(pt.resource), ...extraMasterArgs],
    };
  });
  const state: ClusterState = { clusterToken: '', externalEtcd: storeUrl, kubeconfig: access.kubeconfigPath, createdAt: new Date().toISOString(), processes };
  for (const p of processes) p.pid = spawnProcess(p);
  writeState(dir, state);
  await waitForApi(state, READY_TIMEOUT_MS);
  await startWorkers(dir, state, workers);
  console.log(`cluster up in ${dir}, on the etcd cluster at ${storeUrl}`);
  await printStatus(state, false);
  printHints(state, dir);
  return 0;
}

/** `flotilla kubeconfig`: the path of the admin kubeconfig `flotilla up` wrote. */
export function kubeconfigCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  rejectUnknown(args, ['data-dir']);
  const dir = clusterDir(args.flags.get('data-dir') as string | undefined);
  const path = readState(dir)?.kubeconfig ?? kubeconfigPath(dir);
  if (!existsSync(path)) {
    console.error(`no kubeconfig at ${path}: start a cluster with flotilla up`);
    return Promise.resolve(1);
  }
  console.log(path);
  return Promise.resolve(0);
}

export async function upCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['no-controllers']);
  rejectUnknown(args, ['masters', 'workers', 'data-dir', 'external-etcd', 'no-controllers']);
  // --no-controllers: masters serve the API only (no scheduler, no controller manager).
  const extraMasterArgs = args.flags.get('no-controllers') === true ? ['--no-controllers'] : [];
  const masters = intFlag(args, 'masters', 3, 1, 7);
  const externalEtcd = args.flags.get('external-etcd');
  if (externalEtcd === true) throw new UsageError('--external-etcd needs etcd://HOST:PORT[,HOST:PORT…]');
  const workers = intFlag(args, 'workers', 0, 0, MAX_LOCAL_WORKERS);
  const dir = clusterDir(args.flags.get('data-dir') as string | undefined);
  const existing = readState(dir);
  if (existing && existing.processes.some((p) => isAlive(p.pid))) {
    console.log(`a cluster is already running from ${dir}:`);
    await printStatus(existing, false);
    printHints(existing, dir);
    return 0;
  }
  if (existing) {
    // Stopped cluster: start the same processes again on the same ports and data, workers last.
    for (const p of mastersOf(existing)) p.pid = spawnProcess(p);
    writeState(dir, existing);
    if (existing.externalEtcd === undefined) await waitForLeader(existing, READY_TIMEOUT_MS);
    await waitForApi(existing, READY_TIMEOUT_MS);
    for (const p of existing.processes) if (p.kind === 'worker') p.pid = spawnProcess(p);
    writeState(dir, existing);
    await waitForWorkerNodes(dir, existing, READY_TIMEOUT_MS);
    console.log(`restarted the cluster in ${dir}`);
    await printStatus(existing, false);
    printHints(existing, dir);
    return 0;
  }
  if (typeof externalEtcd === 'string') return upOnExternalEtcd(dir, masters, workers, externalEtcd, extraMasterArgs);
  const token = `flotilla-${process.pid}-${Date.now().toString(36)}`;
  const names = Array.from({ length: masters }, (_, i) => `m${i + 1}`);
  const ports = new Map<string, { client: number; peer: number; metrics: number; api: number; resource: number }>();
  for (const n of names) ports.set(n, { client: await freePort(), peer: await freePort(), metrics: await freePort(), api: await freePort(), resource: await freePort() });
  // One CA for the cluster; every master serves the same certificate (valid for 127.0.0.1 and localhost).
  const access = await ensureClusterAccess(dir, { serverUrl: apiServerUrl('127.0.0.1', ports.get(names[0]!)!.api) });
  const pkiDir = clusterPkiDir(dir);
  const initialCluster = names.map((n) => `${n}=http://127.0.0.1:${ports.get(n)!.peer}`).join(',');
  const processes: ProcessRecord[] = names.map((name) => {
    const pt = ports.get(name)!;
    const urls = { client: `http://127.0.0.1:${pt.client}`, peer: `http://127.0.0.1:${pt.peer}`, metrics: `http://127.0.0.1:${pt.metrics}`, api: apiServerUrl('127.0.0.1', pt.api), resource: `127.0.0.1:${pt.resource}` };
    const dataDir = join(dir, name);
    return {
      name,
      kind: 'master',
      pid: 0,
      dataDir,
      logFile: join(dir, `${name}.log`),
      urls,
      args: [
        '--name', name,
        '--data-dir', dataDir,
        '--listen-client-urls', urls.client,
        '--listen-peer-urls', urls.peer,
        '--listen-metrics-urls', urls.metrics,
        '--initial-cluster', initialCluster,
        '--initial-cluster-state', 'new',
        '--initial-cluster-token', token,
        '--secure-port', String(pt.api),
        '--api-data-dir', pkiDir,
        '--token-auth-file', tokenFilePath(pkiDir),
        '--resource-api-port', String(pt.resource),
        ...extraMasterArgs,
      ],
    };
  });
  const state: ClusterState = { clusterToken: token, kubeconfig: access.kubeconfigPath, createdAt: new Date().toISOString(), processes };
  for (const p of processes) p.pid = spawnProcess(p);
  writeState(dir, state);
  await waitForLeader(state, READY_TIMEOUT_MS);
  await waitForApi(state, READY_TIMEOUT_MS);
  await startWorkers(dir, state, workers);
  console.log(`cluster up in ${dir}`);
  await printStatus(state, false);
  printHints(state, dir);
  return 0;
}

/** Starts `count` worker processes, records them, and waits until their Nodes are Ready. */
async function startWorkers(dir: string, state: ClusterState, count: number): Promise<void> {
  if (count === 0) return;
  const records = await workerRecords(dir, state, count);
  for (const p of records) {
    p.pid = spawnProcess(p);
    state.processes.push(p);
  }
  writeState(dir, state);
  await waitForWorkerNodes(dir, state, READY_TIMEOUT_MS);
}

function printHints(state: ClusterState, dir: string): void {
  const endpoints = state.externalEtcd?.replace(/^etcd:\/\//, '') ?? mastersOf(state).map((p) => p.urls.client.replace('http://', '')).join(',');
  const first = state.processes[0]!;
  const kubeconfig = state.kubeconfig;
  const kube = kubeconfig
    ? `
Kubernetes API: ${state.processes.map((p) => p.urls.api ?? '').filter((u) => u !== '').join(' ')}
Use it with kubectl:
  export KUBECONFIG=${kubeconfig}        # or: export KUBECONFIG=$(npx flotilla kubeconfig --data-dir ${dir})
  kubectl get nodes -o wide
  kubectl create deployment web --image=flotilla/echo --replicas=3 && kubectl get pods -o wide -w
  curl http://$(kubectl get pod -l app=web -o jsonpath='{.items[0].status.podIP}'):8080
  kubectl set image deploy/web echo=flotilla/echo:v2 && kubectl rollout status deploy/web
  kubectl logs -l app=web; kubectl exec deploy/web -- sh -c 'hostname; ls /'; kubectl top pod
`
    : '';
  console.log(`${kube}
endpoints: ${endpoints}

Try it with etcdctl (Debian: apt-get install etcd-client):
  export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=${endpoints}
  etcdctl put greeting hello && etcdctl get greeting -w json
  etcdctl watch --prefix greet            # in another terminal, then put again
  etcdctl endpoint status -w table        # who leads, terms, indexes
  etcdctl lease grant 10                  # keys attached with --lease vanish when it expires
Kill a member and watch the others carry on:
  npx flotilla stop ${first.name} --signal KILL --data-dir ${dir}; npx flotilla status --data-dir ${dir}
  npx flotilla restart ${first.name} --data-dir ${dir}
Metrics: ${state.processes.map((p) => `${p.urls.metrics}/metrics`).join(' ')}
Stop it: npx flotilla down --data-dir ${dir}   (--purge also deletes the data)`);
}

async function printStatus(state: ClusterState, json: boolean): Promise<void> {
  const rows = [];
  for (const p of state.processes) {
    const up = isAlive(p.pid);
    const s = up && p.kind !== 'worker' ? await fetchStatus(p.urls.metrics) : undefined;
    rows.push({
      name: p.name,
      kind: p.kind,
      pid: p.pid,
      up,
      ...(s ? { id: s.id, raft: { state: s.raft.state, term: s.raft.term, commitIndex: s.raft.commitIndex, appliedIndex: s.raft.appliedIndex, leader: s.raft.leader } } : {}),
      urls: p.urls,
      dataDir: p.dataDir,
      logFile: p.logFile,
    });
  }
  if (json) {
    console.log(JSON.stringify({ processes: rows }));
    return;
  }
  console.log('NAME  KIND    PID      UP     ROLE        TERM  COMMIT  APPLIED  CLIENT URL');
  for (const r of rows) {
    const role = r.raft?.state ?? (r.up ? 'unknown' : '-');
    console.log(
      `${r.name.padEnd(5)} ${r.kind.padEnd(7)} ${String(r.pid).padEnd(8)} ${String(r.up).padEnd(6)} ${role.padEnd(11)} ${String(r.raft?.term ?? '-').padEnd(5)} ${String(r.raft?.commitIndex ?? '-').padEnd(7)} ${String(r.raft?.appliedIndex ?? '-').padEnd(8)} ${r.urls.client}`,
    );
  }
}

function loadOrFail(dirFlag: string | true | undefined): { dir: string; state: ClusterState } {
  const dir = clusterDir(dirFlag as string | undefined);
  const state = readState(dir);
  if (!state) throw new UsageError(`no local cluster in ${dir} (start one with: flotilla up)`);
  return { dir, state };
}

export async function statusCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['json']);
  rejectUnknown(args, ['json', 'data-dir']);
  const { state } = loadOrFail(args.flags.get('data-dir'));
  await printStatus(state, args.flags.get('json') === true);
  return 0;
}

async function stopProcess(p: ProcessRecord, signal: NodeJS.Signals): Promise<void> {
  if (!isAlive(p.pid)) return;
  try {
    process.kill(p.pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(p.pid)) {
    if (Date.now() > deadline) {
      process.kill(p.pid, 'SIGKILL');
      break;
    }
    await sleep(50);
  }
  while (isAlive(p.pid)) await sleep(20);
}

export async function downCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['purge']);
  rejectUnknown(args, ['purge', 'data-dir']);
  const { dir, state } = loadOrFail(args.flags.get('data-dir'));
  await Promise.all(state.processes.map((p) => stopProcess(p, 'SIGTERM')));
  // Containers outlive their worker by design (re-adoption); the cluster going down takes them.
  for (const w of state.processes.filter((p) => p.kind === 'worker')) {
    const removed = await removeWorkerPods(w.dataDir).catch((err: unknown) => {
      console.error(`${w.name}: could not remove its pods: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    });
    if (removed > 0) console.log(`${w.name}: stopped ${removed} pod(s)`);
  }
  if (args.flags.get('purge') === true) {
    rmSync(dir, { recursive: true, force: true });
    console.log(`cluster stopped and ${dir} removed`);
  } else {
    console.log(`cluster stopped; data kept in ${dir} (flotilla up starts it again, --purge removes it)`);
  }
  return 0;
}

function findProcess(state: ClusterState, name: string | undefined): ProcessRecord {
  if (!name) throw new UsageError('name a process (see flotilla status)');
  const p = state.processes.find((x) => x.name === name);
  if (!p) throw new UsageError(`no process named ${name}; processes: ${state.processes.map((x) => x.name).join(', ')}`);
  return p;
}

export async function stopCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  rejectUnknown(args, ['signal', 'data-dir']);
  const { state } = loadOrFail(args.flags.get('data-dir'));
  const p = findProcess(state, args.positional[0]);
  const sig = String(args.flags.get('signal') ?? 'TERM').toUpperCase().replace(/^SIG/, '');
  if (!['TERM', 'KILL', 'INT', 'STOP', 'CONT'].includes(sig)) throw new UsageError(`unsupported signal ${sig}`);
  if (sig === 'STOP' || sig === 'CONT') process.kill(p.pid, `SIG${sig}` as NodeJS.Signals);
  else await stopProcess(p, `SIG${sig}` as NodeJS.Signals);
  console.log(`${p.name} (pid ${p.pid}) sent SIG${sig}`);
  return 0;
}

export async function restartCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  rejectUnknown(args, ['data-dir']);
  const { dir, state } = loadOrFail(args.flags.get('data-dir'));
  const p = findProcess(state, args.positional[0]);
  await stopProcess(p, 'SIGTERM');
  p.pid = spawnProcess(p);
  writeState(dir, state);
  console.log(`${p.name} restarted (pid ${p.pid})`);
  return 0;
}
