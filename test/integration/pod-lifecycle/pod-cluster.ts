// One master (`flotilla master --insecure-serving --no-controllers`: a store member and the API
// server) and one worker (`flotilla worker`) as real processes, on ports from the OS, under a
// temp dir. Pods are bound by spec.nodeName. `stop()` deletes every pod (so the worker stops
// their containers), stops both processes, and as a last resort SIGKILLs whatever container and
// sandbox processes the worker's runtime records still name: containers outlive their worker.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { Event, Lease, Node, Pod, PodSpec } from '../../../core/index.js';
import { decodeCriLogFile } from '../../../actors/index.js';
import { GrpcResourceClient } from '../../../transport/index.js';
import { trackChild, trackDir, removeDir } from '../harness/cleanup.js';
import { FLOTILLA_MAIN, freePorts, sleep, waitUntil } from '../harness/index.js';

export const PODS = { group: '', version: 'v1', resource: 'pods' } as const;
export const EVENTS = { group: '', version: 'v1', resource: 'events' } as const;
export const CONFIGMAPS = { group: '', version: 'v1', resource: 'configmaps' } as const;
export const SECRETS = { group: '', version: 'v1', resource: 'secrets' } as const;
const NODES = { group: '', version: 'v1', resource: 'nodes' } as const;
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' } as const;
const LEASES = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases' } as const;

export const NAMESPACE = 'default';
export const NODE_NAME = 'pl-node';
/** What the tests use for the crash-loop back-off's first delay (the worker's flag). */
export const CRASH_LOOP_BACKOFF_INITIAL_MS = 500;
/** The worker's --sync-frequency in these tests: ConfigMap volumes refresh this often. */
export const SYNC_FREQUENCY_SECONDS = 2;

// Generous: the tests share small machines with other work, and a process's start is mostly module loading.
const MASTER_READY_TIMEOUT_MS = 90_000;
const NODE_READY_TIMEOUT_MS = 60_000;
/** How long stop() lets the worker remove the deleted pods' containers before killing leftovers. */
const POD_CLEANUP_TIMEOUT_MS = 30_000;
/** SIGTERM, then SIGKILL after this long. */
const PROCESS_STOP_TIMEOUT_MS = 10_000;

/** Whether this process may use Linux namespaces (volume mounts, cgroups, OOM need them). */
export const IS_ROOT = process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0;

export interface PodClusterOptions {
  /** Extra `flotilla worker` flags. */
  readonly workerArgs?: readonly string[];
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

/** Whether any process of the process group `pgid` is alive (zombies, dead but not yet reaped, do not count). */
export function processGroupAlive(pgid: number): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // Exited meanwhile.
    }
    // Fields after the command's closing parenthesis: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export class PodCluster {
  readonly client: GrpcResourceClient;
  readonly workerDataDir: string;
  private worker: ChildProcess | undefined;
  private workerStarts = 0;

  private constructor(
    readonly dir: string,
    private readonly master: ChildProcess,
    private readonly resourceAddress: string,
    private readonly options: PodClusterOptions,
  ) {
    this.client = new GrpcResourceClient({ masters: [resourceAddress] });
    this.workerDataDir = join(dir, 'worker');
  }

  /** Starts the master and the worker; the cluster is stopped in `t`'s teardown, even on failure. */
  static async start(t: Test, options: PodClusterOptions = {}): Promise<PodCluster> {
    // Outside /tmp when possible: containers never see the host's /tmp, so only there does a
    // hidden worker state directory show that the worker hides it.
    const dir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'flotilla-pods-'));
    trackDir(dir);
    const [client, peer, metrics, api, resource] = await freePorts(5);
    const master = spawnLogged(
      [
        'master',
        '--name=m1',
        `--data-dir=${join(dir, 'm1')}`,
        `--listen-client-urls=http://127.0.0.1:${client}`,
        `--advertise-client-urls=http://127.0.0.1:${client}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--listen-metrics-urls=http://127.0.0.1:${metrics}`,
        `--initial-cluster=m1=http://127.0.0.1:${peer}`,
        `--secure-port=${api}`,
        `--resource-api-port=${resource}`,
        '--insecure-serving',
        '--no-controllers',
      ],
      join(dir, 'master.log'),
    );
    const cluster = new PodCluster(dir, master, `127.0.0.1:${resource}`, options);
    t.teardown(() => cluster.stop());
    await waitUntil(async () => (await cluster.client.get({ ...NAMESPACES, name: NAMESPACE })) !== undefined, {
      timeoutMs: MASTER_READY_TIMEOUT_MS,
      what: () => `the master's API (log: ${cluster.logTail('master.log')})`,
    });
    await cluster.startWorker();
    return cluster;
  }

  /** Starts `flotilla worker` (again, after killWorker) and waits for its Node to be Ready. */
  async startWorker(): Promise<void> {
    this.workerStarts++;
    const startedAtMs = Date.now();
    this.worker = spawnLogged(
      [
        'worker',
        '--name', NODE_NAME,
        '--masters', this.resourceAddress,
        '--data-dir', this.workerDataDir,
        '--crash-loop-backoff-initial-ms', String(CRASH_LOOP_BACKOFF_INITIAL_MS),
        '--sync-frequency', String(SYNC_FREQUENCY_SECONDS),
        '--node-status-update-frequency', '2',
        ...(this.options.workerArgs ?? []),
      ],
      join(this.dir, 'worker.log'),
    );
    // Ready, and (after a restart) heartbeating from this process: the kubelet renews its Lease right after registering.
    await waitUntil(
      async () => {
        const node = await this.client.get<Node>({ ...NODES, name: NODE_NAME });
        const lease = await this.client.get<Lease>({ ...LEASES, namespace: 'kube-node-lease', name: NODE_NAME });
        const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
        return ready && Date.parse(lease.spec?.renewTime ?? '') >= Math.floor(startedAtMs / 1000) * 1000;
      },
      { timeoutMs: NODE_READY_TIMEOUT_MS, what: () => `node ${NODE_NAME} Ready (worker log: ${this.logTail('worker.log')})` },
    );
  }

  /** The worker process's pid (for kill -9 tests). */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  /** Kills the worker with `signal` and waits for it to exit. Its containers keep running. */
  async killWorker(signal: NodeJS.Signals): Promise<void> {
    await stopProcess(this.worker, signal);
    this.worker = undefined;
  }

  async node(): Promise<Node> {
    return this.client.get<Node>({ ...NODES, name: NODE_NAME });
  }

  /** Creates a pod bound to the node. */
  async createPod(name: string, spec: Omit<PodSpec, 'nodeName'>): Promise<Pod> {
    return this.client.create<Pod>(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE }, spec: { ...spec, nodeName: NODE_NAME } });
  }

  async pod(name: string): Promise<Pod> {
    return this.client.get<Pod>({ ...PODS, namespace: NAMESPACE, name });
  }

  /** Polls the pod until `check` returns a value; rejects after timeoutMs naming `what` and the last status seen. */
  async waitForPod<T>(name: string, what: string, check: (pod: Pod) => T | undefined, timeoutMs = 60_000): Promise<T> {
    let found: T | undefined;
    let last: Pod | undefined;
    await waitUntil(
      async () => {
        last = await this.pod(name);
        found = check(last);
        return found !== undefined;
      },
      { timeoutMs, pollMs: 200, what: () => `${name}: ${what} (last status: ${JSON.stringify(last?.status)})` },
    );
    return found!;
  }

  /** Events about pod `name`, oldest first. */
  async podEvents(name: string): Promise<Event[]> {
    const list = await this.client.list<Event>(EVENTS, { namespace: NAMESPACE });
    return list.items.filter((e) => e.involvedObject?.name === name);
  }

  /** Waits for an Event about pod `name` with `reason` (and a message matching `message`). */
  async waitForEvent(name: string, reason: string, message?: RegExp, timeoutMs = 60_000): Promise<Event> {
    let found: Event | undefined;
    await waitUntil(
      async () => {
        found = (await this.podEvents(name)).find((e) => e.reason === reason && (message === undefined || message.test(e.message ?? '')));
        return found !== undefined;
      },
      { timeoutMs, pollMs: 250, what: () => `a ${reason} Event about ${name}` },
    );
    return found!;
  }

  private containerDir(containerID: string): string {
    return join(this.workerDataDir, 'runtime', 'containers', containerID.replace(/^[a-z]+:\/\//, ''));
  }

  /** The lines a container wrote (stdout and stderr), from the runtime's CRI log file. */
  containerLog(containerID: string): string[] {
    const file = join(this.containerDir(containerID), 'container.log');
    if (!existsSync(file)) return [];
    return decodeCriLogFile(readFileSync(file)).map((e) => e.content.toString('utf8'));
  }

  /**
   * Opens the container's log file and keeps it open, so what the container wrote can still be
   * read after the runtime removed the container (a deleted pod). Closed in the test's teardown.
   */
  holdContainerLog(t: Test, containerID: string): { lines(): string[] } {
    const fd = openSync(join(this.containerDir(containerID), 'container.log'), 'r');
    t.teardown(() => closeSync(fd));
    return {
      lines: () => {
        const buf = Buffer.alloc(fstatSync(fd).size);
        const n = readSync(fd, buf, 0, buf.length, 0);
        return decodeCriLogFile(buf.subarray(0, n)).map((e) => e.content.toString('utf8'));
      },
    };
  }

  /** The runtime's record of a container (`pid` is its process group), while the runtime keeps it. */
  containerRecord(containerID: string): { readonly pid?: number; readonly state?: string } | undefined {
    try {
      return JSON.parse(readFileSync(join(this.containerDir(containerID), 'container.json'), 'utf8')) as { pid?: number; state?: string };
    } catch {
      return undefined;
    }
  }

  /** The last lines of one of the cluster's process logs, for failure messages. */
  logTail(file: string, lines = 15): string {
    try {
      return readFileSync(join(this.dir, file), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  private runtimeRecords(): { containers: Record<string, unknown>[]; sandboxes: Record<string, unknown>[] } {
    const runtimeDir = join(this.workerDataDir, 'runtime');
    return { containers: readJsonRecords(join(runtimeDir, 'containers'), 'container.json'), sandboxes: readJsonRecords(join(runtimeDir, 'sandboxes'), 'sandbox.json') };
  }

  private async stop(): Promise<void> {
    try {
      if (this.worker === undefined && this.workerStarts > 0) await this.startWorker().catch(() => undefined);
      const pods = await this.client.list<Pod>(PODS, { namespace: NAMESPACE }).catch(() => ({ items: [] as Pod[] }));
      for (const pod of pods.items) {
        await this.client.delete({ ...PODS, namespace: NAMESPACE, name: pod.metadata?.name ?? '' }, { gracePeriodSeconds: 0 }).catch(() => undefined);
      }
      await waitUntil(() => this.runtimeRecords().sandboxes.length === 0, { timeoutMs: POD_CLEANUP_TIMEOUT_MS, what: () => 'the worker to remove every sandbox' }).catch(() => undefined);
    } finally {
      await stopProcess(this.worker, 'SIGTERM');
      const killed = this.killLeftovers();
      await stopProcess(this.master, 'SIGTERM');
      this.client.close();
      // Give the kernel a moment to reap what was killed before the cgroups are removed.
      await sleep(200);
      removeCgroups(killed);
      removeDir(this.dir);
    }
  }

  /** SIGKILLs the process groups of containers and the sandbox holders the runtime still records; returns the container ids. */
  private killLeftovers(): string[] {
    const { containers, sandboxes } = this.runtimeRecords();
    for (const c of containers) if (c['state'] === 'running' && typeof c['pid'] === 'number') killQuietly(-c['pid']);
    for (const s of sandboxes) {
      const holderPid = (s['isolation'] as Record<string, unknown> | undefined)?.['holderPid'];
      if (typeof holderPid === 'number') killQuietly(holderPid);
    }
    return containers.map((c) => String(c['id']));
  }
}

/** Removes the cgroups (LinuxIsolation's `flotilla/<id>`) of containers killed behind the runtime's back (best effort). */
function removeCgroups(containerIds: readonly string[]): void {
  if (!IS_ROOT || containerIds.length === 0) return;
  const roots = existsSync('/sys/fs/cgroup') ? readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c)) : [];
  for (const id of containerIds) {
    for (const root of [...roots, '/sys/fs/cgroup']) {
      try {
        rmdirSync(join(root, 'flotilla', id));
      } catch {
        // Not there (or not empty yet): nothing more to do in a teardown.
      }
    }
  }
}
