import { mkdirSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { SeededRandom } from '../../core/index.js';
import type { KvStoreApi, Member } from '../../raft/index.js';
import {
  clusterIdOf,
  CorruptStorageError,
  KvService,
  LevelBackend,
  LevelRaftStorage,
  MemberTable,
  memberId,
  MvccCorruptionError,
  MvccStateMachine,
  MvccStore,
  parseInitialCluster,
  StoreMember,
} from '../../raft/index.js';
import { bindPeerServer, createEtcdGrpcServer, createPeerServer, GrpcRaftTransport } from '../../transport/index.js';
import { intFlag, parseArgs, rejectUnknown, UsageError } from '../args.js';
import { systemClock } from '../clock.js';
import { monitorEventLoopDelay } from '../eventloop-delay.js';
import { jsonLogger } from '../log.js';
import { AUTO_COMPACTION_INTERVAL_MS, startAutoCompaction } from './auto-compaction.js';
import { startHttp } from './http.js';
import { measuredApi } from './measured-api.js';
import { watchForRemoval } from './removal-watch.js';
import { SLOW_FDATASYNC_MS, StoreMetrics } from './metrics.js';

export const STORE_USAGE = `usage: flotilla store --name NAME --data-dir DIR --listen-client-urls URL --listen-peer-urls URL
  --initial-cluster NAME=PEER_URL,… [--initial-cluster-state new|existing] [--initial-cluster-token TOKEN]
  [--listen-metrics-urls URL] [--advertise-client-urls URL] [--initial-advertise-peer-urls URL]
  [--heartbeat-interval MS] [--election-timeout MS] [--snapshot-count N] [--max-request-bytes N]
  [--auto-compaction-retention REVISIONS] [--auto-compaction-interval MS]`;

const FLAGS = [
  'name',
  'data-dir',
  'listen-client-urls',
  'advertise-client-urls',
  'listen-peer-urls',
  'initial-advertise-peer-urls',
  'listen-metrics-urls',
  'initial-cluster',
  'initial-cluster-state',
  'initial-cluster-token',
  'heartbeat-interval',
  'election-timeout',
  'snapshot-count',
  'max-request-bytes',
  'auto-compaction-retention',
  'auto-compaction-interval',
];

/** The MVCC keys' prefix in the member's LevelDB (Raft's log lives under `r/`). */
const MVCC_PREFIX = new TextEncoder().encode('m/');

function hostPort(url: string, flag: string): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${flag}: "${url}" is not a URL like http://127.0.0.1:2379`);
  }
  if (u.protocol !== 'http:') throw new UsageError(`${flag}: only http:// URLs are supported, got ${url}`);
  return { host: u.hostname, port: Number(u.port || 80) };
}

/**
 * `flotilla store` (and, for now, `flotilla master`): one member of the replicated store, with
 * etcd's flags. Serves etcd's v3 API on the client URL, Raft on the peer URL, and /metrics,
 * /health and /status on the metrics URL. Refuses to start on a corrupt data directory.
 */
/**
 * What `flotilla master` runs beside its store member: started once the member serves, stopped
 * before it stops. `flags` are the extra flags it takes.
 */
export interface StoreCompanion {
  readonly flags: readonly string[];
  /** Those of `flags` that take no value. */
  readonly booleans?: readonly string[];
  /** `api` is the member's etcd API in process (what its gRPC service serves). */
  start(
    args: ReturnType<typeof parseArgs>,
    ctx: { readonly clientEndpoint: string; readonly dataDir: string; readonly api: KvStoreApi; readonly leadership: StoreLeadership },
  ): Promise<() => Promise<void>>;
}

/** The member's Raft leadership, as a process beside it sees and steers it. */
export interface StoreLeadership {
  /** Whether this member leads the Raft group now. */
  isLeader(): boolean;
  /**
   * Hands leadership to the most caught-up active voter (etcd's MoveLeader to the best target);
   * resolves when it moved, or at once when this member does not lead or no voter can take it.
   */
  handOff(deadlineMs: number, reason: string): Promise<void>;
}

export async function storeCommand(argv: string[], companion?: StoreCompanion): Promise<number> {
  const args = parseArgs(argv, companion?.booleans ?? []);
  rejectUnknown(args, [...FLAGS, ...(companion?.flags ?? [])]);
  const flag = (n: string, def?: string): string => {
    const v = args.flags.get(n);
    if (typeof v === 'string') return v;
    if (def !== undefined) return def;
    throw new UsageError(`--${n} is required`);
  };
  const name = flag('name');
  const dataDir = flag('data-dir');
  const clientUrl = flag('listen-client-urls').split(',')[0]!;
  const peerUrl = flag('listen-peer-urls').split(',')[0]!;
  const advertiseClient = flag('advertise-client-urls', clientUrl);
  const advertisePeer = flag('initial-advertise-peer-urls', peerUrl);
  const metricsUrl = flag('listen-metrics-urls', '');
  const token = flag('initial-cluster-token', 'etcd-cluster');
  const state = flag('initial-cluster-state', 'new');
  if (state !== 'new' && state !== 'existing') throw new UsageError('--initial-cluster-state must be new or existing');
  const heartbeatMs = intFlag(args, 'heartbeat-interval', 100, 10, 10_000);
  const electionMs = intFlag(args, 'election-timeout', 1000, 50, 100_000);
  if (electionMs < 5 * heartbeatMs) throw new UsageError('--election-timeout must be at least 5 times --heartbeat-interval');
  // etcd 3.4's default: a snapshot re-encodes the whole state machine, so taking one every
  // 10,000 entries cost a quarter of a member's CPU under a steady write load.
  const snapshotCount = intFlag(args, 'snapshot-count', 100_000, 100, 10_000_000);
  const maxRequestBytes = intFlag(args, 'max-request-bytes', 1.5 * 1024 * 1024, 1024, 64 * 1024 * 1024);
  const autoCompactionRetention = intFlag(args, 'auto-compaction-retention', 0, 0, 1_000_000_000);
  const autoCompactionIntervalMs = intFlag(args, 'auto-compaction-interval', AUTO_COMPACTION_INTERVAL_MS, 100, 24 * 3600 * 1000);
  let initial: Map<string, string[]>;
  try {
    initial = parseInitialCluster(flag('initial-cluster'));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!initial.has(name)) throw new UsageError(`--initial-cluster has no entry for this member (${name})`);
  const client = hostPort(clientUrl, '--listen-client-urls');
  const peer = hostPort(peerUrl, '--listen-peer-urls');

  const clusterId = clusterIdOf(token);
  const members: Member[] = [...initial].map(([n, urls]) => ({
    ID: memberId(urls, token),
    name: n,
    peerURLs: urls,
    // Client URLs are learned through the log, when each member publishes its own.
    clientURLs: [],
    isLearner: false,
  }));
  const selfId = memberId(initial.get(name)!, token);
  const log = jsonLogger({ component: 'store', member: name });
  void advertisePeer;

  mkdirSync(dataDir, { recursive: true });
  let opened: Awaited<ReturnType<typeof LevelRaftStorage.open>>;
  try {
    opened = await LevelRaftStorage.open(dataDir);
  } catch (err) {
    if (err instanceof CorruptStorageError) {
      log.error('refusing to start: the data directory is corrupt', { dataDir, error: err.message });
      console.error(`flotilla store: refusing to start: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const { storage, db } = opened;
  // etcd's minimum lease TTL: 1.5 election timeouts, so a new leader never expires a lease at once.
  const minLeaseTtlSeconds = Math.ceil((1.5 * electionMs) / 1000);
  let mvcc: MvccStore;
  try {
    mvcc = await MvccStore.open(new LevelBackend(db, MVCC_PREFIX, { location: dataDir }), { now: () => systemClock.now(), minLeaseTtlSeconds });
  } catch (err) {
    if (err instanceof MvccCorruptionError) {
      log.error('refusing to start: the data directory is corrupt', { dataDir, error: err.message });
      console.error(`flotilla store: refusing to start: ${err.message}`);
      await storage.close();
      return 1;
    }
    throw err;
  }
  const sm = new MvccStateMachine(mvcc);
  const table = new MemberTable();
  const fresh = storage.lastIndex() === 0 && storage.snapshot().metadata.index === 0;
  if (fresh && state === 'new') {
    // A founding member: the initial configuration and an empty state machine, as a snapshot at
    // index 1, so members that join later receive it whole.
    await storage.save({
      hardState: { term: 1, vote: 0, commit: 1 },
      entries: [],
      snapshot: { metadata: { index: 1, term: 1, confState: { voters: members.map((m) => m.ID), learners: [] } }, data: await MvccStateMachine.bootstrapPayload(sm, members) },
    });
    table.replaceAll(members);
    log.info('bootstrapped a new cluster', { members: members.map((m) => `${m.name}=${m.ID.toString(16)}`) });
  } else if (fresh) {
    // Joining: the leader sends the membership and data in a snapshot; meanwhile, know the peers.
    table.replaceAll(members);
    log.info('joining an existing cluster', { id: selfId.toString(16) });
  }

  const transport = new GrpcRaftTransport({ selfId, clusterId: clusterId.toString(16), logger: log.child({ component: 'peer' }) });
  const peerServer = createPeerServer();
  transport.register(peerServer);
  await bindPeerServer(peerServer, peerUrl);
  void peer;

  let memberRef: StoreMember | undefined = undefined;
  const metrics = new StoreMetrics(() => memberRef, () => sm.dbSize(), () => transport.stats().peers, { name });
  transport.onRoundTrip((id, s) => metrics.peerRtt.observe({ To: id.toString(16) }, s));
  // etcd's "slow fdatasync" warning: a Raft log sync this slow holds up every write and read.
  metrics.onSlowFsync = (seconds) => log.warn('slow fdatasync', { tookMs: Math.round(seconds * 1000), expectedMs: SLOW_FDATASYNC_MS });
  const stopEventLoopProbe = monitorEventLoopDelay(metrics.registry, { onStall: (delayMs) => log.warn('event loop stalled', { delayMs: Math.round(delayMs) }) });
  const member = new StoreMember({
    id: selfId,
    name,
    clusterId,
    storage,
    sm,
    transport,
    clock: systemClock,
    random: new SeededRandom((selfId ^ Date.now()) >>> 0),
    members: table,
    clientURLs: [advertiseClient],
    tickMs: heartbeatMs,
    electionTicks: Math.round(electionMs / heartbeatMs),
    heartbeatTicks: 1,
    snapshotCount,
    snapshotCatchUpEntries: Math.min(5000, Math.floor(snapshotCount / 2)),
    maxPendingRequests: 100_000,
    logger: log.child({ component: 'member' }),
    observer: metrics,
  });
  memberRef = member;
  const service = new KvService(member, sm, { maxRequestBytes, clusterToken: token, random: new SeededRandom((selfId * 31 + Date.now()) >>> 0), now: () => systemClock.now() });
  const etcd = createEtcdGrpcServer(measuredApi(service, metrics), { maxRequestBytes, logger: log.child({ component: 'etcd-api' }) });
  // etcd's --auto-compaction-mode=revision: the leader keeps the last N revisions, checking every 5 min.
  const stopAutoCompaction = autoCompactionRetention > 0 ? startAutoCompaction(member, sm, service, autoCompactionRetention, autoCompactionIntervalMs, log) : () => undefined;
  await etcd.listen(client.host, client.port);
  let http: HttpServer | undefined;
  if (metricsUrl) {
    const m = hostPort(metricsUrl, '--listen-metrics-urls');
    http = await startHttp(m.host, m.port, name, () => memberRef, metrics.registry);
  }
  await member.start();
  log.info('serving', { id: selfId.toString(16), client: clientUrl, peer: peerUrl, metrics: metricsUrl || undefined });
  const leadership: StoreLeadership = { isLeader: () => member.raftState === 'leader', handOff: (deadlineMs, reason) => member.handOffLeadership(deadlineMs, reason) };
  const stopCompanion = companion ? await companion.start(args, { clientEndpoint: `${client.host}:${client.port}`, dataDir, api: service, leadership }) : async () => undefined;

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (reason: string): void => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { reason });
      const done = async (): Promise<void> => {
        stopWatch();
        stopEventLoopProbe();
        stopAutoCompaction();
        await stopCompanion();
        if (reason === 'SIGTERM' || reason === 'SIGINT') await member.handOffLeadership(1_000);
        await etcd.close();
        await member.stop();
        await new Promise<void>((r) => peerServer.tryShutdown(() => r()));
        http?.close();
        await mvcc.close();
        await storage.close();
      };
      done().then(
        () => resolve(reason === 'fatal error' ? 1 : 0),
        (err: unknown) => {
          log.error('error while shutting down', { error: String(err) });
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    member.onRemoved(() => shutdown('removed from the cluster'));
    const stopWatch = watchForRemoval(member, log, () => shutdown('removed from the cluster'));
    process.once('beforeExit', stopWatch);
    member.onFatal(() => {
      // A member that cannot go on must not look alive; a full disk is the exception: it stays
      // up, refusing writes, so that the NOSPACE alarm can be seen and cleared.
      if (member.failure?.code !== 'ResourceExhausted') shutdown('fatal error');
    });
  });
}
