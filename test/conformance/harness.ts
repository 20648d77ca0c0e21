/**
 * The conformance harness: one real Flotilla cluster per test file, in one of two flavours, and
 * kubectl pointed at it. The API server reaches its store only through the etcd v3 API, so the
 * same tests run on the built-in store and on a real etcd:
 *
 *   builtin  `flotilla up --masters 3` (three master processes, each a store member beside an
 *            API server), exactly as a user starts it; API URLs and kubeconfig from
 *            `flotilla status --json` and `flotilla kubeconfig`;
 *   etcd     a three-member etcd 3.4 cluster and API-only masters
 *            (`flotilla master --store etcd://…`) with a PKI and admin kubeconfig made by
 *            ensureClusterAccess, as an operator who outgrew the built-in store runs them.
 *
 * The cluster is stopped and its files removed in t.teardown, whatever the outcome (FLOTILLA_IT_KEEP=1
 * keeps the files, logs included, for a post-mortem); if the test process dies first, the exit
 * hooks of process-guard.ts SIGKILL what is left.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { apiServerUrl, ensureClusterAccess, renderAdminKubeconfig } from '../../cluster/index.js';
import { ETCD_BIN, FLOTILLA_MAIN, freePorts, KEEP_TEMP_DIRS, startEtcdCluster, waitUntil } from '../integration/harness/index.js';
import type { TestCluster } from '../integration/harness/index.js';
import type { KubectlEnvironment, KubectlResult, KubectlRunOptions } from './kubectl-runner.js';
import { KubectlWatch, kubectlMissing, runKubectl } from './kubectl-runner.js';
import { forgetDir, forgetPid, guardDir, guardPid } from './process-guard.js';

export type ConformanceFlavour = 'builtin' | 'etcd';

export const CONFORMANCE_FLAVOURS: readonly ConformanceFlavour[] = ['builtin', 'etcd'];

/** How many API-only masters share the external etcd (more than one: they must agree). */
const ETCD_FLAVOUR_MASTERS = 2;
/** How long a cluster may take from its start until every API server serves the default namespace. */
const CLUSTER_READY_TIMEOUT_MS = 90_000;
/** How long `flotilla up`/`down` may take (up waits for a leader and every API server itself). */
const LAUNCHER_TIMEOUT_MS = 120_000;
/** How long a SIGTERMed API-only master may take to stop before it is SIGKILLed. */
const MASTER_STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 40;

/** What a test needs from its cluster: where the API is, and kubectl wired to it. */
export interface ConformanceCluster extends KubectlEnvironment {
  readonly flavour: ConformanceFlavour;
  /** `https://127.0.0.1:port` of every API server; the kubeconfig names the first. */
  readonly apiUrls: readonly string[];
  /** The cluster CA (PEM) and the admin bearer token, as the kubeconfig carries them. */
  readonly caCertPem: string;
  readonly adminToken: string;
  /** A scratch dir for manifests and scripts; removed with the cluster. */
  readonly workDir: string;
  /** Runs kubectl to its end. */
  kubectl(args: readonly string[], opts?: KubectlRunOptions): Promise<KubectlResult>;
  /** Starts a long-running kubectl (`get -w`); the caller stops it. */
  watch(args: readonly string[], opts?: KubectlRunOptions): KubectlWatch;
  /** Writes `content` to `<workDir>/<name>` and returns the path. */
  writeFile(name: string, content: string, mode?: number): string;
  /** A kubeconfig for the admin on API server `index` (another master), or with another token. */
  kubeconfigFor(opts: { index?: number; token?: string }): string;
  /** The last lines of every server process's log, for a failure report. */
  logTails(): string;
}

/** Why `flavour` cannot run here (for tests that drive kubectl, unless told otherwise), or undefined when it can. */
export function flavourSkipReason(flavour: ConformanceFlavour, opts: { readonly needsKubectl?: boolean } = {}): string | undefined {
  const kubectl = opts.needsKubectl === false ? undefined : kubectlMissing();
  if (kubectl !== undefined) return kubectl;
  if (!existsSync(FLOTILLA_MAIN)) return `no Flotilla build at ${FLOTILLA_MAIN}`;
  if (flavour === 'etcd' && !ETCD_BIN) return 'etcd is not installed (it is looked for at /usr/bin/etcd)';
  return undefined;
}

/** The tap object this harness needs: a teardown hook and a comment channel. */
export interface TeardownHost {
  teardown(fn: () => void | Promise<void>): void;
  comment(...message: unknown[]): void;
  passing(): boolean;
}

/** Starts a cluster of `flavour` for the test `t`, stopped and removed in t.teardown. */
export async function startConformanceCluster(t: TeardownHost, flavour: ConformanceFlavour): Promise<ConformanceCluster> {
  const root = mkdtempSync(join(tmpdir(), `flotilla-conformance-${flavour}-`));
  if (!KEEP_TEMP_DIRS) guardDir(root);
  const stops: (() => Promise<void>)[] = [];
  const logFiles: string[] = [];
  const logTails = (): string => logFiles.map((f) => `--- ${f}:\n${tail(f)}`).join('\n');
  t.teardown(async () => {
    if (!t.passing()) t.comment(`server logs of the ${flavour} cluster:\n${logTails()}`);
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => t.comment(`cleanup: ${String(err)}`));
    if (!KEEP_TEMP_DIRS) rmSync(root, { recursive: true, force: true });
    forgetDir(root);
  });
  const servers = flavour === 'builtin' ? await startBuiltin(root, stops, logFiles) : await startOnEtcd(root, stops, logFiles);
  const workDir = join(root, 'work');
  const home = join(root, 'home');
  const kubeCacheDir = join(root, 'kube-cache');
  for (const d of [workDir, home, kubeCacheDir]) mkdirSync(d, { recursive: true });
  const kubeconfig = readFileSync(servers.kubeconfig, 'utf8');
  const { caCertPem, adminToken } = credentialsOf(kubeconfig);
  await waitServing(servers.apiUrls, caCertPem, adminToken, logTails);
  const env: KubectlEnvironment = { kubeconfig: servers.kubeconfig, kubeCacheDir, home };
  let files = 0;
  return {
    flavour,
    apiUrls: servers.apiUrls,
    caCertPem,
    adminToken,
    workDir,
    ...env,
    kubectl: (args, opts) => runKubectl(env, args, opts),
    watch: (args, opts) => new KubectlWatch(env, args, opts),
    writeFile(name, content, mode) {
      const path = join(workDir, name);
      writeFileSync(path, content, mode === undefined ? {} : { mode });
      return path;
    },
    kubeconfigFor({ index = 0, token = adminToken }) {
      const serverUrl = servers.apiUrls[index];
      if (serverUrl === undefined) throw new RangeError(`no API server ${index}; there are ${servers.apiUrls.length}`);
      const path = join(workDir, `kubeconfig-${++files}`);
      writeFileSync(path, renderAdminKubeconfig({ serverUrl, caCertPem, token }), { mode: 0o600 });
      return path;
    },
    logTails,
  };
}

interface StartedServers {
  readonly apiUrls: readonly string[];
  readonly kubeconfig: string;
}

function tail(file: string): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-LOG_TAIL_LINES - 1).join('\n');
}

function flotilla(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FLOTILLA_MAIN, ...args], { timeout: LAUNCHER_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

interface LauncherStatus {
  readonly processes: readonly { readonly name: string; readonly pid: number; readonly up: boolean; readonly logFile: string; readonly urls: { readonly api?: string } }[];
}

/** `flotilla up --masters 3`; teardown is `flotilla down --purge`. */
async function startBuiltin(root: string, stops: (() => Promise<void>)[], logFiles: string[]): Promise<StartedServers> {
  const dataDir = join(root, 'cluster');
  let pids: number[] = [];
  // Registered before `up`: an `up` that fails half-way has still started processes.
  stops.push(async () => {
    if (existsSync(dataDir)) {
      const down = await flotilla(['down', ...(KEEP_TEMP_DIRS ? [] : ['--purge']), '--data-dir', dataDir]);
      if (down.code !== 0) throw new Error(`flotilla down failed (${down.code}): ${down.stderr}`);
    }
    for (const pid of pids) forgetPid(pid);
  });
  // The API's semantics alone: no controllers acting on what the cases create.
  const up = await flotilla(['up', '--masters', '3', '--no-controllers', '--data-dir', dataDir]);
  const status = await flotilla(['status', '--json', '--data-dir', dataDir]);
  const parsed = status.code === 0 ? (JSON.parse(outputLastLine(status.stdout)) as LauncherStatus) : undefined;
  pids = parsed?.processes.map((p) => p.pid).filter((pid) => pid > 0) ?? [];
  for (const pid of pids) guardPid(pid);
  for (const p of parsed?.processes ?? []) logFiles.push(p.logFile);
  if (up.code !== 0) throw new Error(`flotilla up failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  if (parsed === undefined) throw new Error(`flotilla status --json failed (${status.code}): ${status.stderr}`);
  const apiUrls = parsed.processes.map((p) => p.urls.api).filter((u): u is string => u !== undefined);
  if (apiUrls.length !== 3) throw new Error(`flotilla status names ${apiUrls.length} API servers, not 3:\n${status.stdout}`);
  const kubeconfig = await flotilla(['kubeconfig', '--data-dir', dataDir]);
  if (kubeconfig.code !== 0) throw new Error(`flotilla kubeconfig failed (${kubeconfig.code}): ${kubeconfig.stderr}`);
  return { apiUrls, kubeconfig: outputLastLine(kubeconfig.stdout) };
}

function outputLastLine(stdout: string): string {
  const lines = stdout.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** A real etcd cluster and API-only masters on it, HTTPS with the admin token. */
async function startOnEtcd(root: string, stops: (() => Promise<void>)[], logFiles: string[]): Promise<StartedServers> {
  const etcd: TestCluster = await startEtcdCluster({ members: 3 });
  stops.push(() => etcd.close());
  for (const m of etcd.members) logFiles.push(m.logFile);
  const dataDir = join(root, 'api');
  const ports = await freePorts(ETCD_FLAVOUR_MASTERS);
  const apiUrls = ports.map((p) => apiServerUrl('127.0.0.1', p));
  const access = await ensureClusterAccess(dataDir, { serverUrl: apiUrls[0]! });
  const store = `etcd://${etcd.endpoints.join(',')}`;
  ports.forEach((port, i) => {
    const logFile = join(root, `apiserver-${i + 1}.log`);
    logFiles.push(logFile);
    const child = spawnLogged(
      [FLOTILLA_MAIN, 'master', '--store', store, '--secure-port', String(port), '--api-data-dir', access.pki.dir, '--token-auth-file', access.tokenFilePath, '--no-controllers'],
      logFile,
    );
    stops.push(() => stopChild(child));
  });
  return { apiUrls, kubeconfig: access.kubeconfigPath };
}

function spawnLogged(args: readonly string[], logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [...args], { stdio: ['ignore', log, log] });
    if (child.pid !== undefined) guardPid(child.pid);
    child.once('error', (err) => writeFileSync(logFile, `--- conformance harness: could not start: ${err.message}\n`, { flag: 'a' }));
    return child;
  } finally {
    closeSync(log);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), MASTER_STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
  if (child.pid !== undefined) forgetPid(child.pid);
}

function credentialsOf(kubeconfigYaml: string): { caCertPem: string; adminToken: string } {
  const config = parseYaml(kubeconfigYaml) as {
    clusters?: { cluster?: { 'certificate-authority-data'?: string } }[];
    users?: { user?: { token?: string } }[];
  };
  const caData = config.clusters?.[0]?.cluster?.['certificate-authority-data'];
  const token = config.users?.[0]?.user?.token;
  if (caData === undefined || token === undefined) throw new Error(`the kubeconfig carries no CA or no token:\n${kubeconfigYaml}`);
  return { caCertPem: Buffer.from(caData, 'base64').toString('utf8'), adminToken: token };
}

/** GET over HTTPS trusting only the cluster CA; resolves to the status code (0: no answer). */
function httpsStatus(url: string, ca: string, token: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', ca, headers: { authorization: `Bearer ${token}` }, timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Waits until every API server answers /readyz and serves the `default` namespace, which the
 * API server actor creates on its first turn: before that, kubectl in namespace default fails.
 */
async function waitServing(apiUrls: readonly string[], ca: string, token: string, logTails: () => string): Promise<void> {
  for (const url of apiUrls) {
    await waitUntil(async () => (await httpsStatus(`${url}/readyz`, ca, token)) === 200 && (await httpsStatus(`${url}/api/v1/namespaces/default`, ca, token)) === 200, {
      timeoutMs: CLUSTER_READY_TIMEOUT_MS,
      pollMs: 200,
      what: () => `${url} to serve the default namespace\n${logTails()}`,
    });
  }
}
