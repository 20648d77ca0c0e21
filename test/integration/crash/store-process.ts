/**
 * Real `flotilla store` processes for the crash tests: free ports from the OS, a temp dir per
 * cluster (each member's data dir and log file inside it), start, SIGKILL, graceful stop and
 * restart of single members, and their /status. Whatever a test leaves running is killed at
 * teardown, on process exit, and, should the test process itself be killed, by a reaper
 * process that outlives it (reaper.ts).
 *
 * Self-contained on purpose: test/integration/harness/ is another, shared harness.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { EtcdClient } from '../../../transport/index.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The CLI entry point, compiled (this file runs from dist/test/integration/crash/). */
export const FLOTILLA_MAIN = join(HERE, '..', '..', '..', 'cluster', 'main.js');
const REAPER = join(HERE, 'reaper.js');

/** Poll interval of every wait in this file. */
const POLL_MS = 100;
/** A member's HTTP endpoints must answer within this, or it counts as not answering. */
const HTTP_TIMEOUT_MS = 1_000;
/** A graceful stop that takes longer than this is cut short with SIGKILL (and reported). */
export const STOP_TIMEOUT_MS = 10_000;

// ---- Child process bookkeeping ----

const children = new Set<ChildProcess>();
let reaper: ChildProcess | undefined;

function reaperInput(): NodeJS.WritableStream | undefined {
  if (!reaper) {
    reaper = spawn(process.execPath, [REAPER], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env: { ...process.env, FLOTILLA_CRASH_REAPER: '1' } });
    reaper.on('error', () => undefined);
    reaper.stdin?.on('error', () => undefined);
    reaper.unref();
    (reaper.stdin as Socket | null)?.unref();
  }
  return reaper.stdin ?? undefined;
}

process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** What a member's /status says (cluster/store/http.ts). */
export interface MemberStatus {
  readonly name: string;
  readonly id: string;
  readonly raft: { readonly state: string; readonly term: number; readonly commitIndex: number; readonly appliedIndex: number; readonly leader: string };
  readonly alarms?: readonly { readonly memberID: number; readonly alarm: string }[];
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `n` distinct ports the OS considers free (all held at once, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (open: boolean): void => {
      sock.destroy();
      resolve(open);
    };
    sock.setTimeout(HTTP_TIMEOUT_MS, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** GETs a member's HTTP endpoint; undefined when it does not answer. */
async function httpGet(port: number, path: string): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

/** The test's environment without what tap adds for its own bookkeeping (process info, coverage). */
function memberEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  return env;
}

// ---- One member ----

export interface MemberPorts {
  readonly client: number;
  readonly peer: number;
  readonly metrics: number;
}

/** One `flotilla store` member: its ports, dirs, and the process currently running it. */
export class StoreProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<ExitInfo> | undefined;
  /** Times start() was called. */
  starts = 0;

  constructor(
    readonly name: string,
    readonly ports: MemberPorts,
    /** The member's own dir: its log file and (by default) its data dir. */
    readonly dir: string,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly clusterArgs: readonly string[],
  ) {}

  get clientEndpoint(): string {
    return `127.0.0.1:${this.ports.client}`;
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Spawns the member (output appended to its log file). Does not wait for it to serve. */
  start(): void {
    if (this.running) throw new Error(`${this.name} is already running`);
    this.starts++;
    appendFileSync(this.logFile, `--- test harness: start #${this.starts} of ${this.name} at ${new Date().toISOString()} ---\n`);
    const out = openSync(this.logFile, 'a');
    const args = [
      FLOTILLA_MAIN,
      'store',
      '--name',
      this.name,
      '--data-dir',
      this.dataDir,
      '--listen-client-urls',
      `http://127.0.0.1:${this.ports.client}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${this.ports.peer}`,
      '--listen-metrics-urls',
      `http://127.0.0.1:${this.ports.metrics}`,
      ...this.clusterArgs,
    ];
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, args, { stdio: ['ignore', out, out], env: memberEnv() });
    } finally {
      closeSync(out);
    }
    this.child = child;
    children.add(child);
    const pid = child.pid;
    if (pid !== undefined) reaperInput()?.write(`+${pid}\n`);
    this.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(child);
        if (pid !== undefined) reaperInput()?.write(`-${pid}\n`);
        resolve({ code, signal });
      });
    });
  }

  /** Resolves when the current process exits, or undefined after timeoutMs. */
  async waitExit(timeoutMs: number): Promise<ExitInfo | undefined> {
    if (!this.exited) throw new Error(`${this.name} was never started`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** `kill -9`: the process gets no chance to flush or close anything. */
  async kill9(): Promise<ExitInfo> {
    if (!this.exited) throw new Error(`${this.name} was never started`);
    this.child?.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM and wait for the exit; SIGKILL after timeoutMs (then `timedOut`). */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<ExitInfo & { ms: number; timedOut: boolean }> {
    if (!this.exited) throw new Error(`${this.name} was never started`);
    const t0 = performance.now();
    this.child?.kill('SIGTERM');
    const exit = await this.waitExit(timeoutMs);
    if (exit) return { ...exit, ms: performance.now() - t0, timedOut: false };
    return { ...(await this.kill9()), ms: performance.now() - t0, timedOut: true };
  }

  async status(): Promise<MemberStatus | undefined> {
    if (!this.running) return undefined;
    const r = await httpGet(this.ports.metrics, '/status');
    if (!r || r.status !== 200) return undefined;
    try {
      const s = JSON.parse(r.body) as MemberStatus;
      return s.raft ? s : undefined;
    } catch {
      return undefined;
    }
  }

  /** /health: etcd's {"health":"true"|"false","reason":…}. */
  async health(): Promise<{ status: number; health: string; reason: string } | undefined> {
    const r = await httpGet(this.ports.metrics, '/health');
    if (!r) return undefined;
    try {
      const b = JSON.parse(r.body) as { health: string; reason?: string };
      return { status: r.status, health: b.health, reason: b.reason ?? '' };
    } catch {
      return undefined;
    }
  }

  /** The member's log file (every start of it), or '' when there is none yet. */
  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }
}

// ---- A cluster ----

export interface ClusterOptions {
  readonly size?: number;
  readonly heartbeatMs?: number;
  readonly electionMs?: number;
  readonly snapshotCount?: number;
  /**
   * Called for each member before anything is started, with its dir and data dir (which does
   * not exist yet): e.g. to mount a small file system there. Cleanups go to t.teardown; they
   * run after the members are killed.
   */
  readonly prepare?: (m: { name: string; dir: string; dataDir: string }) => void;
}

/**
 * A store cluster of real processes, started with `--initial-cluster-state new`, all of it
 * killed and removed at the test's teardown (log tails go to stderr when the test failed).
 */
export class StoreCluster {
  readonly members: StoreProcess[];
  private readonly clients: EtcdClient[] = [];

  private constructor(
    readonly root: string,
    members: StoreProcess[],
  ) {
    this.members = members;
  }

  /** Creates the cluster's dirs and ports, starts every member, and waits for a leader. */
  static async start(t: Test, label: string, o: ClusterOptions = {}): Promise<StoreCluster> {
    const size = o.size ?? 3;
    const root = mkdtempSync(join(tmpdir(), `flotilla-crash-${label}-`));
    const ports = await freePorts(3 * size);
    const names = Array.from({ length: size }, (_, i) => `s${i + 1}`);
    const peerUrl = (i: number): string => `http://127.0.0.1:${ports[3 * i + 1]!}`;
    const clusterArgs = [
      '--initial-cluster',
      names.map((n, i) => `${n}=${peerUrl(i)}`).join(','),
      '--initial-cluster-state',
      'new',
      '--initial-cluster-token',
      `crash-${label}-${ports[0]!}`,
      '--heartbeat-interval',
      String(o.heartbeatMs ?? 100),
      '--election-timeout',
      String(o.electionMs ?? 1000),
      ...(o.snapshotCount !== undefined ? ['--snapshot-count', String(o.snapshotCount)] : []),
    ];
    const members = names.map((name, i) => {
      const dir = join(root, name);
      mkdirSync(dir);
      const m = new StoreProcess(name, { client: ports[3 * i]!, peer: ports[3 * i + 1]!, metrics: ports[3 * i + 2]! }, dir, join(dir, 'data'), join(dir, 'member.log'), clusterArgs);
      return m;
    });
    const cluster = new StoreCluster(root, members);
    // Teardowns run last-in first-out: the members die first, then prepare()'s cleanups (an
    // unmount, say), then the dirs go.
    t.teardown(() => rmSync(root, { recursive: true, force: true }));
    for (const m of members) o.prepare?.({ name: m.name, dir: m.dir, dataDir: m.dataDir });
    t.teardown(() => cluster.destroy(t));
    for (const m of members) m.start();
    await cluster.waitForLeader(20_000);
    return cluster;
  }

  get endpoints(): string[] {
    return this.members.map((m) => m.clientEndpoint);
  }

  /** An etcd client over every member (closed at teardown). */
  client(timeoutMs = 2_000, endpoints: readonly string[] = this.endpoints): EtcdClient {
    const c = new EtcdClient({ endpoints, timeoutMs });
    this.clients.push(c);
    return c;
  }

  statuses(): Promise<(MemberStatus | undefined)[]> {
    return Promise.all(this.members.map((m) => m.status()));
  }

  /**
   * The index of the member that leads with a quorum's agreement: it says it is the leader,
   * and a majority of the cluster (itself included) reports it as leader in its term.
   */
  async leader(): Promise<number | undefined> {
    const st = await this.statuses();
    const quorum = Math.floor(this.members.length / 2) + 1;
    for (let i = 0; i < st.length; i++) {
      const s = st[i];
      if (!s || s.raft.state !== 'leader') continue;
      const agree = st.filter((o) => o && o.raft.leader === s.id && o.raft.term === s.raft.term).length;
      if (agree >= quorum) return i;
    }
    return undefined;
  }

  async waitForLeader(timeoutMs = 15_000): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const l = await this.leader();
      if (l !== undefined) return l;
      if (performance.now() > deadline) throw new Error(`no leader within ${timeoutMs} ms: ${JSON.stringify(await this.statuses())}`);
      await sleep(POLL_MS);
    }
  }

  /** Waits until every running member has applied at least what the leader had committed at the call. */
  async waitCaughtUp(timeoutMs = 15_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const l = await this.waitForLeader(timeoutMs);
    const target = (await this.members[l]!.status())?.raft.commitIndex ?? 0;
    for (;;) {
      const st = await this.statuses();
      const behind = this.members.filter((m, i) => m.running && (st[i]?.raft.appliedIndex ?? -1) < target);
      if (behind.length === 0) return;
      if (performance.now() > deadline) throw new Error(`${behind.map((m) => m.name).join(', ')} did not apply index ${target} within ${timeoutMs} ms: ${JSON.stringify(st)}`);
      await sleep(POLL_MS);
    }
  }

  /** Kills every member, closes the clients, and prints log tails if the test failed. */
  private async destroy(t: Test): Promise<void> {
    for (const c of this.clients) c.close();
    await Promise.all(this.members.filter((m) => m.running).map((m) => m.kill9()));
    if (!t.passing()) {
      for (const m of this.members) {
        const tail = m.log().split('\n').slice(-40).join('\n');
        process.stderr.write(`\n==== ${m.name} (${m.logFile}), last lines ====\n${tail}\n`);
      }
    }
  }
}
