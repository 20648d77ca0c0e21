/**
 * A cluster of real store processes on loopback (Flotilla's `store` or etcd), started with the
 * same etcd flags whichever the backend: free ports from the OS, one temp dir per member holding
 * its data dir and its log, readiness by polling with a deadline, and a close() that stops
 * everything it started and removes the dirs. The backend only says how to spell the command and
 * how to tell that a member serves.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeDir, trackChild, trackDir } from './cleanup.js';
import type { EtcdctlResult } from './etcdctl.js';
import { etcdctl } from './etcdctl.js';
import { freePorts } from './ports.js';
import { sleep } from './wait.js';

export type BackendKind = 'flotilla' | 'etcd';

export interface ClusterOptions {
  /** Founding members. Default 3. */
  readonly members?: number;
  /** --snapshot-count of every member; default: the backend's own. */
  readonly snapshotCount?: number;
  /** --max-request-bytes of every member; default: the backend's own. */
  readonly maxRequestBytes?: number;
  /** --heartbeat-interval (ms). Default 100, etcd's. */
  readonly heartbeatMs?: number;
  /** --election-timeout (ms). Default 1000, etcd's. */
  readonly electionMs?: number;
  /** --initial-cluster-token. */
  readonly token?: string;
  /** How long a member may take to serve after its start. Default 30 s. */
  readonly readyTimeoutMs?: number;
}

/** Everything a backend needs to spell one member's command line. */
export interface MemberSpec {
  readonly name: string;
  readonly dataDir: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly metricsUrl: string;
  readonly initialCluster: string;
  readonly initialClusterState: 'new' | 'existing';
  readonly token: string;
  readonly heartbeatMs: number;
  readonly electionMs: number;
  readonly snapshotCount: number | undefined;
  readonly maxRequestBytes: number | undefined;
}

export interface Backend {
  readonly kind: BackendKind;
  /** The executable and arguments of one member. */
  command(spec: MemberSpec): { file: string; args: string[] };
  /** Whether the member serves (it sees a leader); may throw, which counts as not yet. */
  isReady(member: ClusterMember): Promise<boolean>;
  /** The log line of a member that installed a snapshot sent by the leader; group 1 is its Raft index. */
  readonly snapshotInstalledLog: RegExp;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One member: where it listens and keeps its files, and its current process, if any. */
export interface ClusterMember {
  readonly name: string;
  /** http://127.0.0.1:port */
  readonly clientUrl: string;
  /** 127.0.0.1:port, as etcdctl's --endpoints takes it. */
  readonly endpoint: string;
  readonly peerUrl: string;
  readonly metricsUrl: string;
  /** The member's temp dir: its data dir and its log live under it. */
  readonly dir: string;
  readonly dataDir: string;
  /** stdout and stderr of every process this member ran, appended. */
  readonly logFile: string;
  readonly spec: MemberSpec;
  /** The pid of the running process; undefined when stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
}

class MemberState implements ClusterMember {
  child: ChildProcess | undefined;
  exit: Promise<ExitStatus> | undefined;
  /** Set when the process could not be spawned at all (no 'exit' will come). */
  spawnFailed = false;
  starts = 0;
  constructor(readonly spec: MemberSpec, readonly dir: string) {}
  get name(): string {
    return this.spec.name;
  }
  get clientUrl(): string {
    return this.spec.clientUrl;
  }
  get endpoint(): string {
    return new URL(this.spec.clientUrl).host;
  }
  get peerUrl(): string {
    return this.spec.peerUrl;
  }
  get metricsUrl(): string {
    return this.spec.metricsUrl;
  }
  get dataDir(): string {
    return this.spec.dataDir;
  }
  get logFile(): string {
    return join(this.dir, 'member.log');
  }
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }
  get running(): boolean {
    return this.child !== undefined && !this.spawnFailed && this.child.exitCode === null && this.child.signalCode === null;
  }
}

const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** How long a SIGTERMed member may take to stop before it is SIGKILLed. */
const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 30;

export interface TestCluster {
  readonly kind: BackendKind;
  /** The founding members' client endpoints (host:port). */
  readonly endpoints: readonly string[];
  /** Every member this cluster started, founding and added. */
  readonly members: readonly ClusterMember[];
  member(name: string): ClusterMember;
  /** Starts a stopped member again on its data dir; waits until it serves unless told not to. */
  start(name: string, opts?: { waitReady?: boolean }): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; resolves to how it exited. */
  stop(name: string): Promise<ExitStatus>;
  /** Sends a signal and returns at once. */
  kill(name: string, signal: NodeJS.Signals): void;
  /** Resolves when the member's process exits by itself; rejects after timeoutMs. */
  waitExit(name: string, timeoutMs: number): Promise<ExitStatus>;
  /** Resolves when the members (default: all running) serve; rejects with their log tails. */
  waitReady(names?: readonly string[], timeoutMs?: number): Promise<void>;
  /**
   * `etcdctl member add NAME --peer-urls URL [--learner]` on the founding endpoints, then starts
   * the member with `--initial-cluster-state existing` and the ETCD_INITIAL_CLUSTER that
   * `member add` printed; waits until it serves unless told not to.
   */
  addMember(name: string, opts?: { learner?: boolean; waitReady?: boolean }): Promise<{ member: ClusterMember; added: EtcdctlResult }>;
  /** The last lines of a member's log. */
  logTail(name: string, lines?: number): string;
  /** The Raft indexes of the snapshots a member installed from its leader, as its log tells. */
  installedSnapshots(name: string): number[];
  /** Stops every process and removes every dir this cluster made. Idempotent. */
  close(): Promise<void>;
}

/** Starts a cluster of `backend` members and waits until each serves. */
export async function startCluster(backend: Backend, opts: ClusterOptions = {}): Promise<TestCluster> {
  const cluster = new Cluster(backend, opts);
  try {
    await cluster.bootstrap(opts.members ?? 3);
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return cluster;
}

class Cluster implements TestCluster {
  private readonly states: MemberState[] = [];
  private closed = false;
  readonly kind: BackendKind;
  private readonly token: string;
  private readonly readyTimeoutMs: number;

  constructor(
    private readonly backend: Backend,
    private readonly opts: ClusterOptions,
  ) {
    this.kind = backend.kind;
    this.token = opts.token ?? `flotilla-it-${backend.kind}`;
    this.readyTimeoutMs = opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  }

  get members(): readonly ClusterMember[] {
    return this.states;
  }

  get endpoints(): readonly string[] {
    return this.states.filter((s) => s.spec.initialClusterState === 'new').map((s) => s.endpoint);
  }

  async bootstrap(count: number): Promise<void> {
    const names = Array.from({ length: count }, (_, i) => `s${i + 1}`);
    const ports = await freePorts(3 * count);
    const peerUrls = names.map((_, i) => `http://127.0.0.1:${ports[3 * i + 1]}`);
    const initialCluster = names.map((n, i) => `${n}=${peerUrls[i]}`).join(',');
    names.forEach((name, i) => {
      this.states.push(this.newMember(name, [ports[3 * i]!, ports[3 * i + 1]!, ports[3 * i + 2]!], initialCluster, 'new'));
    });
    for (const s of this.states) this.spawn(s);
    await this.waitReady(names);
  }

  private newMember(name: string, [client, peer, metrics]: readonly number[], initialCluster: string, state: 'new' | 'existing'): MemberState {
    const dir = mkdtempSync(join(tmpdir(), `flotilla-it-${this.kind}-${name}-`));
    trackDir(dir);
    return new MemberState(
      {
        name,
        dataDir: join(dir, 'data'),
        clientUrl: `http://127.0.0.1:${client}`,
        peerUrl: `http://127.0.0.1:${peer}`,
        metricsUrl: `http://127.0.0.1:${metrics}`,
        initialCluster,
        initialClusterState: state,
        token: this.token,
        heartbeatMs: this.opts.heartbeatMs ?? 100,
        electionMs: this.opts.electionMs ?? 1000,
        snapshotCount: this.opts.snapshotCount,
        maxRequestBytes: this.opts.maxRequestBytes,
      },
      dir,
    );
  }

  private spawn(s: MemberState): void {
    if (this.closed) throw new Error('the cluster is closed');
    if (s.running) throw new Error(`${s.name} is already running (pid ${s.pid})`);
    const { file, args } = this.backend.command(s.spec);
    const log = openSync(s.logFile, 'a');
    let child: ChildProcess;
    try {
      // A marker per start, so that a log tail after a restart shows where this run began.
      writeSync(log, `--- harness: start #${++s.starts} of ${s.name} at ${new Date().toISOString()}: ${file} ${args.join(' ')}\n`);
      child = spawn(file, args, { stdio: ['ignore', log, log] });
    } finally {
      closeSync(log);
    }
    trackChild(child);
    s.child = child;
    s.spawnFailed = false;
    s.exit = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (err) => {
        s.spawnFailed = true;
        appendFileSync(s.logFile, `--- harness: could not start ${file}: ${err.message}\n`);
        resolve({ code: null, signal: null });
      });
    });
  }

  private state(name: string): MemberState {
    const s = this.states.find((m) => m.name === name);
    if (!s) throw new Error(`no member ${name}; members: ${this.states.map((m) => m.name).join(', ')}`);
    return s;
  }

  member(name: string): ClusterMember {
    return this.state(name);
  }

  async start(name: string, opts: { waitReady?: boolean } = {}): Promise<void> {
    this.spawn(this.state(name));
    if (opts.waitReady ?? true) await this.waitReady([name]);
  }

  async stop(name: string): Promise<ExitStatus> {
    const s = this.state(name);
    if (!s.running || !s.exit) return (await s.exit) ?? { code: null, signal: null };
    s.child?.kill('SIGTERM');
    const timer = setTimeout(() => s.child?.kill('SIGKILL'), STOP_GRACE_MS);
    try {
      return await s.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  kill(name: string, signal: NodeJS.Signals): void {
    const s = this.state(name);
    if (!s.running) throw new Error(`${name} is not running`);
    s.child?.kill(signal);
  }

  async waitExit(name: string, timeoutMs: number): Promise<ExitStatus> {
    const s = this.state(name);
    if (!s.exit) throw new Error(`${name} was never started`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.kind} ${name} (pid ${s.pid}) still running after ${timeoutMs} ms; log tail:\n${this.logTail(name)}`)), timeoutMs);
    });
    try {
      return await Promise.race([s.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async waitReady(names?: readonly string[], timeoutMs = this.readyTimeoutMs): Promise<void> {
    const targets = names ? names.map((n) => this.state(n)) : this.states.filter((s) => s.running);
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(targets);
    const lastProbeError = new Map<MemberState, string>();
    while (pending.size > 0) {
      for (const s of pending) {
        if (!s.running) throw new Error(`${this.kind} ${s.name} exited before it served (${JSON.stringify(await s.exit)}); log tail:\n${this.logTail(s.name)}`);
        const ready = await this.backend.isReady(s).catch((err: unknown) => {
          lastProbeError.set(s, err instanceof Error ? err.message : String(err));
          return false;
        });
        if (ready) pending.delete(s);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        const tails = [...pending].map((s) => `--- ${s.name} (${s.logFile}; last probe error: ${lastProbeError.get(s) ?? 'none'}):\n${this.logTail(s.name)}`).join('\n');
        throw new Error(`${this.kind}: ${[...pending].map((s) => s.name).join(', ')} not serving after ${timeoutMs} ms\n${tails}`);
      }
      await sleep(100);
    }
  }

  async addMember(name: string, opts: { learner?: boolean; waitReady?: boolean } = {}): Promise<{ member: ClusterMember; added: EtcdctlResult }> {
    if (this.states.some((s) => s.name === name)) throw new Error(`member ${name} exists`);
    const ports = await freePorts(3);
    const peerUrl = `http://127.0.0.1:${ports[1]}`;
    const args = ['member', 'add', name, `--peer-urls=${peerUrl}`, ...(opts.learner ? ['--learner'] : [])];
    const added = await etcdctl(args, { endpoints: this.endpoints, timeoutMs: 15_000 });
    if (added.code !== 0) throw new Error(`etcdctl ${args.join(' ')} failed (${added.code}): ${added.stderr}`);
    const initialCluster = /^ETCD_INITIAL_CLUSTER="([^"]*)"$/m.exec(added.stdout)?.[1];
    if (initialCluster === undefined) throw new Error(`etcdctl member add printed no ETCD_INITIAL_CLUSTER:\n${added.stdout}`);
    const s = this.newMember(name, ports, initialCluster, 'existing');
    this.states.push(s);
    this.spawn(s);
    if (opts.waitReady ?? true) await this.waitReady([name]);
    return { member: s, added };
  }

  logTail(name: string, lines = LOG_TAIL_LINES): string {
    const file = this.state(name).logFile;
    if (!existsSync(file)) return '(no log)';
    return readFileSync(file, 'utf8').split('\n').slice(-lines - 1).join('\n');
  }

  installedSnapshots(name: string): number[] {
    const file = this.state(name).logFile;
    if (!existsSync(file)) return [];
    const pattern = new RegExp(this.backend.snapshotInstalledLog.source, 'g');
    return [...readFileSync(file, 'utf8').matchAll(pattern)].map((m) => Number(m[1]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.states.map((s) => this.stop(s.name)));
    for (const s of this.states) removeDir(s.dir);
  }
}
