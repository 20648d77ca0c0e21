/**
 * Test harness of the etcd API: a server over a FakeKvStore on a free loopback port, the real
 * etcdctl (one-shot and long-running), and a gRPC client built from the same protos. Everything
 * started here is stopped at the test's teardown, pass or fail.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import type { Test } from 'tap';
import type { EtcdGrpcServer, EtcdGrpcServerOptions, EtcdServerLogger } from '../../../transport/index.js';
import { createEtcdGrpcServer, loadEtcdProtos } from '../../../transport/index.js';
import type { FakeStoreOptions } from './fake-store.js';
import { FakeKvStore } from './fake-store.js';

export interface Harness {
  readonly fake: FakeKvStore;
  readonly server: EtcdGrpcServer;
  readonly port: number;
  /** host:port, as etcdctl's --endpoints takes it. */
  readonly endpoint: string;
  /** What the server logged as errors. */
  readonly logged: { message: string; fields: Readonly<Record<string, unknown>> }[];
}

export async function startServer(t: Test, opts: { store?: FakeStoreOptions; server?: EtcdGrpcServerOptions } = {}): Promise<Harness> {
  const fake = new FakeKvStore(opts.store);
  const logged: Harness['logged'] = [];
  const logger: EtcdServerLogger = { error: (message, fields) => logged.push({ message, fields }) };
  const server = createEtcdGrpcServer(fake, { shutdownGraceMs: 200, logger, ...opts.server });
  t.teardown(async () => {
    await server.close();
    fake.close();
  });
  const port = await server.listen('127.0.0.1', 0);
  const endpoint = `127.0.0.1:${port}`;
  fake.members = fake.members.map((m) => ({ ...m, clientURLs: [`http://${endpoint}`] }));
  return { fake, server, port, endpoint, logged };
}

/** The etcdctl binary, or undefined when it is not installed (the etcdctl tests then skip). */
export const ETCDCTL: string | undefined = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v etcdctl'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

export const ETCDCTL_SKIP = ETCDCTL ? false : 'etcdctl is not installed (apt-get install etcd-client); CI installs it';

export interface EtcdctlResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A long-running etcdctl (watch, lease keep-alive) whose output is collected as it comes. */
export interface EtcdctlProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** Resolves once stdout matches; rejects after timeoutMs with what was printed. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** Kills it (SIGTERM) and resolves when it has exited. */
  stop(): Promise<void>;
}

function etcdctlArgs(h: Harness, args: readonly string[]): string[] {
  return ['--endpoints', h.endpoint, '--dial-timeout', '3s', ...args];
}

function spawnEtcdctl(t: Test, h: Harness, args: readonly string[]): ChildProcess {
  if (!ETCDCTL) throw new Error('etcdctl is not installed');
  const child = spawn(ETCDCTL, etcdctlArgs(h, args), { env: { ...process.env, ETCDCTL_API: '3' }, stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Runs etcdctl to completion (stdin from `input`), killing it after timeoutMs. */
export function etcdctl(t: Test, h: Harness, args: readonly string[], opts: { input?: string | Uint8Array; timeoutMs?: number } = {}): Promise<EtcdctlResult> {
  const child = spawnEtcdctl(t, h, args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin?.on('error', () => undefined); // etcdctl may exit before reading all of stdin
  child.stdin?.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running etcdctl; it is killed at teardown if the test has not stopped it. */
export function startEtcdctl(t: Test, h: Harness, args: readonly string[]): EtcdctlProcess {
  const child = spawnEtcdctl(t, h, args);
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.resume();
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    child,
    output: () => stdout,
    waitFor: (pattern, timeoutMs = 10_000) =>
      waitUntil(() => (typeof pattern === 'string' ? stdout.includes(pattern) : pattern.test(stdout)), timeoutMs, () => `etcdctl ${args.join(' ')} printed:\n${stdout}`).then(() => stdout),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `condition` every 20 ms; rejects after timeoutMs with `describe()`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 10_000, describe: () => string = () => 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- gRPC client from the same protos ----

type Callback = (err: grpc.ServiceError | null, value?: unknown) => void;
type UnaryMethod = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback) => grpc.ClientUnaryCall;

export interface EtcdClients {
  readonly kv: grpc.Client;
  readonly watch: grpc.Client;
  readonly lease: grpc.Client;
  readonly cluster: grpc.Client;
  readonly maintenance: grpc.Client;
  readonly auth: grpc.Client;
}

/** One client per service on the harness's endpoint, closed at teardown. */
export function etcdClients(t: Test, h: Harness, options: grpc.ChannelOptions = {}): EtcdClients {
  const pkg = grpc.loadPackageDefinition(loadEtcdProtos()) as unknown as { etcdserverpb: Record<string, grpc.ServiceClientConstructor> };
  const make = (name: string): grpc.Client => {
    const ctor = pkg.etcdserverpb[name];
    if (!ctor) throw new Error(`no service ${name}`);
    const client = new ctor(h.endpoint, grpc.credentials.createInsecure(), options);
    t.teardown(() => client.close());
    return client;
  };
  return { kv: make('KV'), watch: make('Watch'), lease: make('Lease'), cluster: make('Cluster'), maintenance: make('Maintenance'), auth: make('Auth') };
}

/** Calls a unary method by name; resolves to the decoded response (loose: tests check fields). */
export function call<T = Record<string, unknown>>(client: grpc.Client, method: string, request: object, options: grpc.CallOptions = {}): Promise<T> {
  const fn = (client as unknown as Record<string, UnaryMethod | undefined>)[method];
  if (!fn) throw new Error(`no method ${method}`);
  return new Promise((resolve, reject) => {
    fn.call(client, request, new grpc.Metadata(), options, (err, value) => (err ? reject(err) : resolve(value as T)));
  });
}

/** Calls a unary method and resolves to the error it fails with. */
export async function callError(client: grpc.Client, method: string, request: object, options: grpc.CallOptions = {}): Promise<grpc.ServiceError> {
  try {
    await call(client, method, request, options);
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error(`${method} succeeded; an error was expected`);
}

/** Calls a unary method and resolves to the raw bytes of its response, as they came off the wire. */
export function callRaw(h: Harness, path: string, request: object): Promise<Buffer> {
  const def = loadEtcdProtos();
  const [service, method] = path.split('/').filter(Boolean) as [string, string];
  const methodDef = (def[service] as Record<string, { requestSerialize: (v: object) => Buffer }>)[method];
  if (!methodDef) throw new Error(`no method ${path}`);
  const client = new grpc.Client(h.endpoint, grpc.credentials.createInsecure());
  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(path, methodDef.requestSerialize, (b: Buffer) => b, request, (err, value) => {
      client.close();
      if (err || !value) reject(err ?? new Error('no response'));
      else resolve(value);
    });
  });
}

export const bytes = (s: string): Buffer => Buffer.from(s);
export const text = (b: unknown): string => Buffer.from(b as Uint8Array).toString();

/** A decoded WatchResponse, loosely typed. */
export interface WireWatchResponse {
  readonly header: { clusterId: number; memberId: number; revision: number; raftTerm: number };
  readonly watchId: number;
  readonly created: boolean;
  readonly canceled: boolean;
  readonly compactRevision: number;
  readonly cancelReason: string;
  readonly fragment: boolean;
  readonly events: { type: string; kv: { key: Buffer; value: Buffer; modRevision: number }; prevKv: { key: Buffer; value: Buffer } | null }[];
}

export interface WatchSession {
  readonly stream: grpc.ClientDuplexStream<object, WireWatchResponse>;
  /** Every response so far, in order. */
  readonly responses: WireWatchResponse[];
  send(request: object): void;
  /** Resolves to the first response after the `from`-th that matches. */
  waitFor(match: (r: WireWatchResponse) => boolean, from?: number, timeoutMs?: number): Promise<WireWatchResponse>;
  /** Resolves to the status the call ended with. */
  readonly status: Promise<grpc.StatusObject>;
}

/** Opens a Watch stream; canceled at teardown. */
export function openWatch(t: Test, clients: EtcdClients): WatchSession {
  const method = (clients.watch as unknown as Record<string, (() => grpc.ClientDuplexStream<object, WireWatchResponse>) | undefined>).Watch;
  if (!method) throw new Error('no Watch method');
  const stream = method.call(clients.watch);
  const responses: WireWatchResponse[] = [];
  stream.on('data', (r: WireWatchResponse) => responses.push(r));
  stream.on('error', () => undefined); // the status promise reports it
  const status = new Promise<grpc.StatusObject>((resolve) => stream.on('status', resolve));
  t.teardown(() => stream.cancel());
  return {
    stream,
    responses,
    send: (request) => stream.write(request),
    waitFor: async (match, from = 0, timeoutMs = 5000) => {
      let found: WireWatchResponse | undefined;
      await waitUntil(
        () => (found = responses.slice(from).find(match)) !== undefined,
        timeoutMs,
        () => `a watch response; got ${JSON.stringify(responses.map((r) => ({ id: r.watchId, c: r.created, x: r.canceled, n: r.events.length, f: r.fragment })))}`,
      );
      return found as WireWatchResponse;
    },
    status,
  };
}
