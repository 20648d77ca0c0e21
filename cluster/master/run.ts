import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { SeededRandom } from '../../core/index.js';
import type { Storage } from '../../core/index.js';
import { ActorSystem, ApiServer, ApiServerResourceClient, NO_AUTHENTICATION, defineActor, namespaceController, storeCompactor } from '../../actors/index.js';
import type { Authenticator } from '../../actors/index.js';
import { addResourceApiService, bearerTokenOf, EtcdStorage, etcdEndpointsFromStoreUrl, KubeHttpServer, KubeletClientPool, LocalEtcdKvClient, RESOURCE_SERVER_OPTIONS } from '../../transport/index.js';
import { parseArgs, rejectUnknown, UsageError } from '../args.js';
import { systemClock } from '../clock.js';
import { jsonLogger } from '../log.js';
import { authenticateToken, bearerTokenFromHeader, loadClusterPki, loadTokenFile } from '../pki/index.js';
import { storeCommand, STORE_USAGE } from '../store/run.js';
import { CONTROL_PLANE_FLAGS, controlPlaneOptions } from './control-plane-flags.js';
import { startControlPlane } from './control-plane.js';
import type { StoreCompanion, StoreLeadership } from '../store/run.js';

export const MASTER_USAGE = `usage: flotilla master [store flags…] --secure-port PORT [--bind-address ADDR]
  [--tls-cert-file FILE --tls-private-key-file FILE] [--token-auth-file FILE] [--insecure-serving]
  [--resource-api-port PORT]   (the internal resource API over gRPC, for workers and controllers)
  [--leader-elect-lease-duration S] [--leader-elect-renew-deadline S] [--leader-elect-retry-period S]   (15, 10, 2)
  [--node-monitor-grace-period S] [--node-startup-grace-period S] [--pod-eviction-timeout S] [--terminated-pod-gc-threshold N]   (40, 60, 300, 12500)
  [--default-not-ready-toleration-seconds S] [--default-unreachable-toleration-seconds S]   (300, 300: the NoExecute tolerations new pods get)
  [--no-controllers]   (the API server alone: no scheduler, no controller manager)
  flotilla master --store etcd://HOST:PORT[,HOST:PORT…] --secure-port PORT …   (API server on an external etcd)
Store flags, as for flotilla store:
${STORE_USAGE.replace(/^usage: flotilla store /, '  ')}`;

const API_FLAGS = [
  'secure-port',
  'bind-address',
  'tls-cert-file',
  'tls-private-key-file',
  'token-auth-file',
  'insecure-serving',
  'store',
  'api-data-dir',
  'resource-api-port',
  'no-controllers',
  'default-not-ready-toleration-seconds',
  'default-unreachable-toleration-seconds',
  ...CONTROL_PLANE_FLAGS,
];

/**
 * `flotilla master`: a store member and, beside it, the API server actor serving the
 * Kubernetes API over HTTPS (or, with --store etcd://…, the API server alone on an external
 * etcd). The API server reaches its store only through the etcd v3 API: in process with its own
 * store member (LocalEtcdKvClient), over gRPC with an external etcd.
 */
export async function masterCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['insecure-serving', 'no-controllers']);
  const store = args.flags.get('store');
  if (typeof store === 'string') {
    rejectUnknown(args, API_FLAGS);
    const storage = EtcdStorage.connect({ endpoints: etcdEndpointsFromStoreUrl(store) });
    const stop = await startApiServer(args, storage, '');
    return await new Promise<number>((resolve) => {
      const shutdown = (): void => void stop().then(() => resolve(0), () => resolve(1));
      process.once('SIGTERM', shutdown);
      process.once('SIGINT', shutdown);
    });
  }
  const companion: StoreCompanion = {
    flags: API_FLAGS,
    booleans: ['insecure-serving', 'no-controllers'],
    // The API server reaches its store member in process, with the same etcd v3 requests as over gRPC.
    start: (a, ctx) => startApiServer(a, new EtcdStorage(new LocalEtcdKvClient(ctx.api), {}, true), ctx.dataDir, ctx.leadership),
  };
  return storeCommand(argv, companion);
}

type Args = ReturnType<typeof parseArgs>;

function stringFlag(args: Args, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

async function authenticatorFrom(args: Args): Promise<Authenticator> {
  if (args.flags.get('insecure-serving') === true) return NO_AUTHENTICATION;
  const file = stringFlag(args, 'token-auth-file');
  if (file === undefined) throw new UsageError('--token-auth-file is required (or --insecure-serving for a local, unauthenticated API)');
  const parsed = await loadTokenFile(file);
  if (parsed === undefined) throw new UsageError(`--token-auth-file: ${file} does not exist`);
  return {
    authenticate(headers) {
      const bearer = bearerTokenFromHeader(headers.authorization);
      const user = bearer === undefined ? undefined : authenticateToken(parsed.tokens, bearer);
      return user === undefined ? undefined : { name: user.name, uid: user.uid, groups: [...user.groups, 'system:authenticated'] };
    },
  };
}

/**
 * How masters authenticate to kubelets (pods/log, exec, metrics): with the first token of the
 * tokens file, the one `flotilla up` also gives its workers; none with --insecure-serving.
 */
async function kubeletCredentials(args: Args): Promise<{ token?: string }> {
  const file = stringFlag(args, 'token-auth-file');
  if (file === undefined) return {};
  const first = (await loadTokenFile(file))?.tokens[0];
  return first === undefined ? {} : { token: first.token };
}

/** kube-apiserver's DefaultTolerationSeconds flags: whole seconds ≥ 0, default 300. */
function tolerationSecondsFlag(args: Args, name: string): number {
  const text = stringFlag(args, name);
  if (text === undefined) return 300;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name}: ${text} is not a whole number of seconds`);
  return n;
}

/** The API server actor: owns the HTTP server; a crash restarts it after a backoff. */
async function startApiServer(args: Args, storage: Storage, dataDir: string, storeLeadership?: StoreLeadership): Promise<() => Promise<void>> {
  const portText = stringFlag(args, 'secure-port');
  if (portText === undefined) throw new UsageError('--secure-port is required');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--secure-port: ${portText} is not a port`);
  const host = stringFlag(args, 'bind-address') ?? '127.0.0.1';
  const insecure = args.flags.get('insecure-serving') === true;
  let tls: { key: string; cert: string } | undefined;
  if (!insecure) {
    const certFile = stringFlag(args, 'tls-cert-file');
    const keyFile = stringFlag(args, 'tls-private-key-file');
    if (certFile !== undefined && keyFile !== undefined) tls = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    else {
      const pkiDir = stringFlag(args, 'api-data-dir');
      if (pkiDir === undefined) throw new UsageError('--tls-cert-file and --tls-private-key-file are required (or --insecure-serving)');
      const pki = await loadClusterPki(pkiDir);
      tls = { cert: pki.servingCertPem, key: pki.servingKeyPem };
    }
  }
  const log = jsonLogger({ component: 'apiserver', dataDir: dataDir || undefined });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const authenticator = await authenticatorFrom(args);
  const api = new ApiServer({
    storage,
    clock: systemClock,
    random: new SeededRandom((Date.now() ^ (process.pid << 8)) >>> 0),
    authenticator,
    metrics: () => registry.metrics(),
    serverAddress: () => `${host}:${port}`,
    watchCache: { registry },
    kubelets: new KubeletClientPool(await kubeletCredentials(args)),
    podAdmission: {
      defaultNotReadyTolerationSeconds: tolerationSecondsFlag(args, 'default-not-ready-toleration-seconds'),
      defaultUnreachableTolerationSeconds: tolerationSecondsFlag(args, 'default-unreachable-toleration-seconds'),
    },
  });
  const server = new KubeHttpServer({ handler: api.handler, ...(tls ? { tls } : {}), registry, logger: log });
  const system = new ActorSystem({
    name: 'master',
    clock: systemClock,
    registry,
    onFatal: (err) => {
      log.error('API server actor failed beyond its restart budget', { error: String(err) });
      process.exitCode = 1;
    },
  });
  // The actor's first turn creates the system namespaces; while the store is not answering yet
  // it crashes and its supervisor retries it with backoff.
  let systemNamespacesReady!: () => void;
  const namespacesReady = new Promise<void>((resolve) => (systemNamespacesReady = resolve));
  const apiserverActor = defineActor<{ readonly ready: boolean }, { readonly type: 'ping' }>({
    type: 'apiserver',
    initialState: async (ctx) => {
      await api.ensureSystemNamespaces();
      ctx.log.info('system namespaces ready');
      systemNamespacesReady();
      void api.warmWatchCache().then((cached) => ctx.log.info('watch cache filled', { resources: cached }));
      return { ready: true };
    },
    handle: (state) => state,
  });
  system.spawn(apiserverActor, 'apiserver');
  system.spawn(namespaceController(api, storage), 'namespace-controller');
  system.spawn(storeCompactor(storage), 'store-compactor');
  // Leader election keeps its Leases in kube-system: started before that namespace exists, its
  // first attempts fail and the next comes a retry period (2 s) later.
  // Its flags are checked now, so that a bad one fails the command at once.
  const controlPlaneOpts = args.flags.get('no-controllers') === true ? undefined : controlPlaneOptions(args, { api, system, registry, log, ...(storeLeadership === undefined ? {} : { storeLeadership }) });
  let controlPlane: ReturnType<typeof startControlPlane> | undefined;
  let stopping = false;
  if (controlPlaneOpts !== undefined) {
    void namespacesReady.then(() => {
      if (!stopping) controlPlane = startControlPlane(controlPlaneOpts);
    });
  }
  const addr = await server.listen(port, host);
  log.info('serving the Kubernetes API', { url: `${tls ? 'https' : 'http'}://${addr.address}:${addr.port}` });
  const resourceApi = await startResourceApi(args, api, authenticator, host, log);
  return async () => {
    stopping = true;
    await controlPlane?.stop();
    await resourceApi?.stop();
    api.close();
    await server.close();
    await system.shutdown();
    await storage.close();
  };
}

/**
 * The internal resource API (gRPC, msgpack bodies) on --resource-api-port: the same registry as
 * the HTTP API, authenticated with the same bearer tokens.
 */
async function startResourceApi(args: Args, api: ApiServer, authenticator: Authenticator, host: string, log: ReturnType<typeof jsonLogger>): Promise<{ stop(): Promise<void> } | undefined> {
  const portText = stringFlag(args, 'resource-api-port');
  if (portText === undefined) return undefined;
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--resource-api-port: ${portText} is not a port`);
  const server = new grpc.Server(RESOURCE_SERVER_OPTIONS);
  const service = addResourceApiService(server, new ApiServerResourceClient(api, { name: 'system:anonymous', uid: '', groups: [] }), {
    authenticate: (metadata) => {
      const token = bearerTokenOf(metadata);
      const user = authenticator.authenticate({ authorization: token === undefined ? undefined : `Bearer ${token}` });
      return user ?? new Error('invalid bearer token');
    },
    clientForUser: (user) => new ApiServerResourceClient(api, { name: user?.name ?? 'system:anonymous', uid: user?.uid ?? '', groups: user?.groups ?? [] }),
  });
  const bound = await new Promise<number>((resolve, reject) => server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  log.info('serving the resource API', { address: `${host}:${bound}` });
  return {
    stop: async () => {
      service.closeWatches();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
    },
  };
}
