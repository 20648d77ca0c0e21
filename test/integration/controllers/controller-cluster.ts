// A whole cluster as real processes for the controller tests: 1 or 3 masters (`flotilla master
// --insecure-serving`: a store member, the API server, and the scheduler and controller manager
// under leader election) and named workers (`flotilla worker --no-isolation`), on ports from the
// OS, under a temp dir, with a kubeconfig for the real kubectl. `stop()` (registered in the
// test's teardown) deletes the workloads and pods, stops every process, SIGKILLs the container
// processes that outlived a killed worker, and removes the temp dir.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { GroupVersionResource, Lease, Node, Pod } from '../../../core/index.js';
import { GrpcResourceClient } from '../../../transport/index.js';
import { removeDir, trackChild, trackDir } from '../harness/cleanup.js';
import { FLOTILLA_MAIN, freePorts, sleep, waitUntil } from '../harness/index.js';

export const KUBECTL_BIN = process.env.FLOTILLA_KUBECTL ?? '/usr/bin/kubectl';
export const NAMESPACE = 'default';

export const PODS: GroupVersionResource = { group: '', version: 'v1', resource: 'pods' };
export const NODES: GroupVersionResource = { group: '', version: 'v1', resource: 'nodes' };
export const LEASES: GroupVersionResource = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' };
export const REPLICASETS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'replicasets' };
export const DEPLOYMENTS: GroupVersionResource = { group: 'apps', version: 'v1', resource: 'deployments' };
const NAMESPACES: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };
/** Deleted in stop() before the pods, so no controller recreates what stop() deletes. */
const WORKLOADS: readonly GroupVersionResource[] = [
  { group: 'batch', version: 'v1', resource: 'cronjobs' },
  { group: 'batch', version: 'v1', resource: 'jobs' },
  DEPLOYMENTS,
  { group: 'apps', version: 'v1', resource: 'statefulsets' },
  { group: 'apps', version: 'v1', resource: 'daemonsets' },
  REPLICASETS,
];

const MASTER_READY_TIMEOUT_MS = 60_000;
/** Generous: on a loaded 2-core machine a first node Lease was once seen to take over 25 s. */
const NODE_READY_TIMEOUT_MS = 60_000;
/** How long stop() lets workers remove the deleted pods' containers before killing leftovers. */
const POD_CLEANUP_TIMEOUT_MS = 20_000;
/** SIGTERM, then SIGKILL after this long. */
const PROCESS_STOP_TIMEOUT_MS = 10_000;
/** One kubectl command's deadline. */
const KUBECTL_TIMEOUT_MS = 60_000;

export interface ControllerClusterOptions {
  /** 1 or 3 store members (each a master). */
  readonly masters?: number;
  /** Workers started (and Ready) before start() returns. */
  readonly workers?: readonly string[];
  /** Extra `flotilla master` flags (leader election, node monitor grace, …). */
  readonly masterArgs?: readonly string[];
  /** Extra `flotilla worker` flags. */
  readonly workerArgs?: readonly string[];
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface MasterProcess {
  readonly name: string;
  readonly resourceAddress: string;
  readonly apiUrl: string;
  readonly metricsUrl: string;
  readonly args: readonly string[];
  child: ChildProcess | undefined;
}

function spawnLogged(args: readonly string[], logFile: string): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [FLOTILLA_MAIN, ...args], { stdio: ['ignore', fd, fd] });
    trackChild(child);
    return child;
  } finally {
    closeSync(fd);
  }
}

async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function readJsonRecords(dir: string, file: string): Record<string, unknown>[] {
  if (!existsSync(dir)) return [];
  const out: Record<string, unknown>[] = [];
  for (const name of readdirSync(dir)) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, name, file), 'utf8')) as Record<string, unknown>);
    } catch {
      // Half-written or removed meanwhile.
    }
  }
  return out;
}

export const isNodeReady = (n: Node): boolean => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
export const isPodRunningReady = (p: Pod): boolean =>
  p.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && p.metadata?.deletionTimestamp === undefined;

export class ControllerCluster {
  readonly client: GrpcResourceClient;
  readonly kubeconfig: string;
  private readonly workers = new Map<string, ChildProcess | undefined>();
  private stopped = false;

  private constructor(
    readonly dir: string,
    private readonly masters: MasterProcess[],
    private readonly options: ControllerClusterOptions,
  ) {
    this.client = new GrpcResourceClient({ masters: masters.map((m) => m.resourceAddress) });
    this.kubeconfig = join(dir, 'kubeconfig');
    this.writeKubeconfig(0);
  }

  /** Starts the masters and workers; the cluster is stopped in `t`'s teardown, even on failure. */
  static async start(t: Test, options: ControllerClusterOptions = {}): Promise<ControllerCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'flotilla-ctrl-'));
    trackDir(dir);
    const count = options.masters ?? 1;
    const ports = await freePorts(count * 5);
    const at = (i: number, k: number): number => ports[i * 5 + k]!;
    const names = Array.from({ length: count }, (_, i) => `m${i + 1}`);
    const initialCluster = names.map((n, i) => `${n}=http://127.0.0.1:${at(i, 1)}`).join(',');
    const masters: MasterProcess[] = names.map((name, i) => {
      const args = [
          'master',
          `--name=${name}`,
          `--data-dir=${join(dir, name)}`,
          `--listen-client-urls=http://127.0.0.1:${at(i, 0)}`,
          `--advertise-client-urls=http://127.0.0.1:${at(i, 0)}`,
          `--listen-peer-urls=http://127.0.0.1:${at(i, 1)}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${at(i, 1)}`,
          `--listen-metrics-urls=http://127.0.0.1:${at(i, 2)}`,
          `--initial-cluster=${initialCluster}`,
          `--secure-port=${at(i, 3)}`,
          `--resource-api-port=${at(i, 4)}`,
          '--insecure-serving',
          ...(options.masterArgs ?? []),
        ];
      return { name, resourceAddress: `127.0.0.1:${at(i, 4)}`, apiUrl: `http://127.0.0.1:${at(i, 3)}`, metricsUrl: `http://127.0.0.1:${at(i, 2)}/metrics`, args, child: spawnLogged(args, join(dir, `${name}.log`)) };
    });
    const cluster = new ControllerCluster(dir, masters, options);
    t.teardown(() => cluster.stop());
    await waitUntil(async () => (await cluster.client.get({ ...NAMESPACES, name: NAMESPACE })) !== undefined, {
      timeoutMs: MASTER_READY_TIMEOUT_MS,
      what: () => `the masters' API (log: ${cluster.logTail('m1.log')})`,
    });
    await Promise.all((options.workers ?? []).map((w) => cluster.startWorker(w)));
    return cluster;
  }

  /** Points the kubeconfig at master `index` (kubectl does not fail over by itself). */
  writeKubeconfig(index: number): void {
    const server = this.masters[index]?.apiUrl ?? '';
    writeFileSync(
      this.kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: flotilla, cluster: {server: "${server}"}}]`,
        'users: [{name: admin, user: {}}]',
        'contexts: [{name: flotilla, context: {cluster: flotilla, user: admin, namespace: default}}]',
        'current-context: flotilla',
        '',
      ].join('\n'),
    );
  }

  /** Runs the real kubectl against the cluster; never rejects (the exit code says how it went). */
  kubectl(args: readonly string[], stdin?: string): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = execFile(
        KUBECTL_BIN,
        [...args],
        { timeout: KUBECTL_TIMEOUT_MS, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, KUBECONFIG: this.kubeconfig, KUBECACHEDIR: join(this.dir, 'kube-cache') } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  }

  /** kubectl that must succeed: its stdout, or a throw with what it said. */
  async kubectlOk(args: readonly string[], stdin?: string): Promise<string> {
    const r = await this.kubectl(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
    return r.stdout;
  }

  workerDataDir(name: string): string {
    return join(this.dir, `worker-${name}`);
  }

  /** Starts `flotilla worker --name NAME` (again, after killWorker) and waits for its Node to be Ready. */
  async startWorker(name: string): Promise<void> {
    const startedAtMs = Date.now();
    this.workers.set(
      name,
      spawnLogged(
        [
          'worker',
          '--name', name,
          '--masters', this.masters.map((m) => m.resourceAddress).join(','),
          '--data-dir', this.workerDataDir(name),
          '--no-isolation',
          '--node-status-update-frequency', '2',
          ...(this.options.workerArgs ?? []),
        ],
        join(this.dir, `worker-${name}.log`),
      ),
    );
    await waitUntil(
      async () => {
        const node = await this.client.get<Node>({ ...NODES, name });
        const lease = await this.client.get<Lease>({ ...LEASES, namespace: 'kube-node-lease', name });
        return isNodeReady(node) && Date.parse(lease.spec?.renewTime ?? '') >= Math.floor(startedAtMs / 1000) * 1000;
      },
      { timeoutMs: NODE_READY_TIMEOUT_MS, what: () => `node ${name} Ready (log: ${this.logTail(`worker-${name}.log`)})` },
    );
  }

  /** Kills worker `name` with `signal` and waits for it to exit. Its containers keep running. */
  async killWorker(name: string, signal: NodeJS.Signals): Promise<void> {
    await stopProcess(this.workers.get(name), signal);
    this.workers.set(name, undefined);
  }

  /** Kills master `name` with `signal` and waits for it to exit. */
  async killMaster(name: string, signal: NodeJS.Signals): Promise<void> {
    const m = this.masters.find((x) => x.name === name);
    if (m === undefined) throw new Error(`no master ${name}`);
    await stopProcess(m.child, signal);
    m.child = undefined;
  }

  /** Starts a killed master again on its data dir and ports. */
  restartMaster(name: string): void {
    const m = this.masters.find((x) => x.name === name);
    if (m === undefined) throw new Error(`no master ${name}`);
    if (m.child !== undefined) throw new Error(`master ${name} is running`);
    m.child = spawnLogged(m.args, join(this.dir, `${name}.log`));
  }

  /**
   * The master whose process holds Lease kube-system/`leaseName` now: identities are
   * `<host>_<random>`, so the holder is found by the "started leading" line in its log.
   */
  async leaseHolder(leaseName: string): Promise<{ identity: string; master: string | undefined }> {
    const lease = await this.client.get<Lease>({ ...LEASES, namespace: 'kube-system', name: leaseName });
    const identity = lease.spec?.holderIdentity ?? '';
    if (identity === '') return { identity, master: undefined };
    const master = this.masters.find((m) => this.log(`${m.name}.log`).split('\n').some((line) => line.includes('started leading') && line.includes(`"${identity}"`) && line.includes(`"${leaseName}"`)));
    return { identity, master: master?.name };
  }

  /** The master whose store member says it leads the Raft group (etcd_server_is_leader), if one answers so. */
  async storeLeader(): Promise<string | undefined> {
    for (const m of this.masters) {
      if (m.child === undefined) continue;
      const text = await fetch(m.metricsUrl, { signal: AbortSignal.timeout(2_000) }).then((r) => r.text(), () => '');
      if (/^etcd_server_is_leader({[^}]*})? 1$/m.test(text)) return m.name;
    }
    return undefined;
  }

  masterNames(): string[] {
    return this.masters.map((m) => m.name);
  }

  masterIndex(name: string): number {
    return this.masters.findIndex((m) => m.name === name);
  }

  async pods(labelSelector?: string): Promise<Pod[]> {
    return (await this.client.list<Pod>(PODS, { namespace: NAMESPACE, ...(labelSelector === undefined ? {} : { labelSelector }) })).items;
  }

  /** Polls `probe` until it returns a value; rejects after timeoutMs with `what` and the last value seen. */
  async waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    let found: T | undefined;
    try {
      await waitUntil(
        async () => {
          found = await probe();
          return found !== undefined;
        },
        { timeoutMs, pollMs: 250, what: typeof what === 'string' ? () => what : what },
      );
    } catch (err) {
      // A timeout on CI is only useful with the cluster's state at that moment.
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${await this.snapshot()}`);
    }
    return found!;
  }

  /** Nodes, workloads and pods (phase, node, conditions, container states) and the masters' and workers' log tails. */
  async snapshot(): Promise<string> {
    const lines: string[] = ['cluster snapshot:'];
    const describe = (o: { metadata?: { name?: string; deletionTimestamp?: string | null } }, extra: unknown): string =>
      `  ${o.metadata?.name ?? '?'}${o.metadata?.deletionTimestamp == null ? '' : ' (deleting)'} ${JSON.stringify(extra)}`;
    try {
      for (const n of (await this.client.list<Node>(NODES)).items) lines.push(describe(n, { ready: isNodeReady(n), unschedulable: n.spec?.unschedulable, taints: n.spec?.taints?.map((x) => x.key) }));
      for (const gvr of WORKLOADS) {
        for (const o of (await this.client.list<{ metadata?: { name?: string }; status?: unknown }>(gvr, { namespace: NAMESPACE })).items) lines.push(describe(o, { kind: gvr.resource, status: o.status }));
      }
      for (const p of await this.pods()) {
        lines.push(describe(p, {
          node: p.spec?.nodeName,
          phase: p.status?.phase,
          conditions: p.status?.conditions?.map((c) => `${c.type}=${c.status}${c.reason === undefined ? '' : `(${c.reason})`}`),
          containers: p.status?.containerStatuses?.map((c) => ({ name: c.name, state: c.state, restarts: c.restartCount })),
        }));
      }
    } catch (err) {
      lines.push(`  (listing failed: ${err instanceof Error ? err.message : String(err)})`);
    }
    for (const m of this.masters) lines.push(`--- ${m.name}.log (tail)`, this.logTail(`${m.name}.log`, 20));
    for (const w of this.workers.keys()) lines.push(`--- worker-${w}.log (tail)`, this.logTail(`worker-${w}.log`, 20));
    return lines.join('\n');
  }

  /** The last lines of one of the cluster's process logs, for failure messages. */
  logTail(file: string, lines = 15): string {
    try {
      return readFileSync(join(this.dir, file), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Whole log of a process (`m1.log`, `worker-w1.log`). */
  log(file: string): string {
    try {
      return readFileSync(join(this.dir, file), 'utf8');
    } catch {
      return '';
    }
  }

  /** What the runtimes of the workers (only the running ones, with `liveOnly`) record. */
  private runtimeRecords(liveOnly = false): { containers: Record<string, unknown>[]; sandboxes: Record<string, unknown>[] } {
    const containers: Record<string, unknown>[] = [];
    const sandboxes: Record<string, unknown>[] = [];
    for (const [name, child] of this.workers) {
      if (liveOnly && child === undefined) continue;
      const runtimeDir = join(this.workerDataDir(name), 'runtime');
      containers.push(...readJsonRecords(join(runtimeDir, 'containers'), 'container.json'));
      sandboxes.push(...readJsonRecords(join(runtimeDir, 'sandboxes'), 'sandbox.json'));
    }
    return { containers, sandboxes };
  }

  private async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    try {
      for (const resource of WORKLOADS) {
        const list = await this.client.list(resource, { namespace: NAMESPACE }).catch(() => ({ items: [] }));
        for (const o of list.items) {
          await this.client.delete({ ...resource, namespace: NAMESPACE, name: o.metadata?.name ?? '' }, { propagationPolicy: 'Orphan' }).catch(() => undefined);
        }
      }
      const runningWorkers = [...this.workers.values()].some((w) => w !== undefined);
      if (runningWorkers) {
        await waitUntil(
          async () => {
            for (const pod of await this.pods()) {
              await this.client.delete({ ...PODS, namespace: NAMESPACE, name: pod.metadata?.name ?? '' }, { gracePeriodSeconds: 0 }).catch(() => undefined);
            }
            return this.runtimeRecords(true).sandboxes.length === 0;
          },
          { timeoutMs: POD_CLEANUP_TIMEOUT_MS, pollMs: 500, what: () => 'the workers to remove every sandbox' },
        ).catch(() => undefined);
      }
    } finally {
      await Promise.all([...this.workers.values()].map((w) => stopProcess(w, 'SIGTERM')));
      this.killLeftovers();
      await Promise.all(this.masters.map((m) => stopProcess(m.child, 'SIGTERM')));
      this.client.close();
      await sleep(200);
      removeDir(this.dir);
    }
  }

  /** SIGKILLs the process groups of containers and the sandbox holders the runtimes still record. */
  private killLeftovers(): void {
    const { containers, sandboxes } = this.runtimeRecords();
    for (const c of containers) if (c['state'] === 'running' && typeof c['pid'] === 'number') killQuietly(-c['pid']);
    for (const s of sandboxes) {
      const holderPid = (s['isolation'] as Record<string, unknown> | undefined)?.['holderPid'];
      if (typeof holderPid === 'number') killQuietly(holderPid);
    }
  }
}
