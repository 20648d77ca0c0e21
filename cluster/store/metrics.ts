import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { MemberObserver, StoreMember } from '../../raft/index.js';

/** What the metrics read of each peer link. */
export interface PeerByteStats {
  readonly peerId: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

/** A Raft log sync at least this slow is reported to onSlowFsync (etcd warns from 1 s). */
export const SLOW_FDATASYNC_MS = 1_000;

/** Buckets of etcd's disk latency histograms (2^n ms from 1 ms to 8 s). */
const DISK_BUCKETS = Array.from({ length: 14 }, (_, i) => 0.001 * 2 ** i);

/**
 * One Prometheus registry per process, with etcd's metric names for the same figures so that
 * etcd dashboards and alerts work unchanged.
 */
export class StoreMetrics implements MemberObserver {
  readonly registry = new Registry();
  private readonly leaderChanges: Counter;
  private readonly committed: Counter;
  private readonly applied: Counter;
  private readonly failed: Counter;
  private readonly walFsync: Histogram;
  private readonly backendCommit: Histogram;
  readonly peerRtt: Histogram<'To'>;
  readonly peerSentBytes: Counter<'To'>;
  readonly peerReceivedBytes: Counter<'From'>;
  readonly grpcHandled: Counter<'grpc_type' | 'grpc_service' | 'grpc_method' | 'grpc_code'>;
  readonly grpcHandling: Histogram<'grpc_type' | 'grpc_service' | 'grpc_method'>;
  /** Called after a Raft log sync of at least SLOW_FDATASYNC_MS, with its length. */
  onSlowFsync: ((seconds: number) => void) | undefined;

  constructor(member: () => StoreMember | undefined, dbSize: () => number, peerStats: () => readonly PeerByteStats[], labels: { name: string }) {
    const r = this.registry;
    r.setDefaultLabels({ member: labels.name });
    collectDefaultMetrics({ register: r });
    new Gauge({
      name: 'etcd_server_has_leader',
      help: 'Whether or not a leader exists. 1 is existence, 0 is not.',
      registers: [r],
      collect() {
        this.set(member()?.leader ? 1 : 0);
      },
    });
    new Gauge({
      name: 'etcd_server_is_leader',
      help: 'Whether or not this member is a leader. 1 if is, 0 otherwise.',
      registers: [r],
      collect() {
        this.set(member()?.raftState === 'leader' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'etcd_server_proposals_pending',
      help: 'The current number of pending proposals to commit.',
      registers: [r],
      collect() {
        const m = member();
        this.set(m ? Math.max(0, m.raftCommitIndex - m.raftAppliedIndex) : 0);
      },
    });
    new Gauge({
      name: 'etcd_mvcc_db_total_size_in_bytes',
      help: 'Total size of the underlying database physically allocated in bytes.',
      registers: [r],
      collect() {
        this.set(dbSize());
      },
    });
    new Gauge({
      name: 'etcd_server_term',
      help: 'The current Raft term of this member.',
      registers: [r],
      collect() {
        this.set(member()?.raftTerm ?? 0);
      },
    });
    this.leaderChanges = new Counter({ name: 'etcd_server_leader_changes_seen_total', help: 'The number of leader changes seen.', registers: [r] });
    this.committed = new Counter({ name: 'etcd_server_proposals_committed_total', help: 'The total number of consensus proposals committed.', registers: [r] });
    this.applied = new Counter({ name: 'etcd_server_proposals_applied_total', help: 'The total number of consensus proposals applied.', registers: [r] });
    this.failed = new Counter({ name: 'etcd_server_proposals_failed_total', help: 'The total number of failed proposals seen.', registers: [r] });
    this.walFsync = new Histogram({ name: 'etcd_disk_wal_fsync_duration_seconds', help: 'The latency distributions of fsync called by the Raft log.', buckets: DISK_BUCKETS, registers: [r] });
    this.backendCommit = new Histogram({ name: 'etcd_disk_backend_commit_duration_seconds', help: 'The latency distributions of commit called by the backend.', buckets: DISK_BUCKETS, registers: [r] });
    this.peerRtt = new Histogram({ name: 'etcd_network_peer_round_trip_time_seconds', help: 'Round-Trip-Time histogram between peers.', labelNames: ['To'], buckets: Array.from({ length: 16 }, (_, i) => 0.0001 * 2 ** i), registers: [r] });
    // The transport keeps the totals; each scrape copies them (a counter's value only grows).
    const peers = (): readonly PeerByteStats[] => peerStats();
    this.peerSentBytes = new Counter({
      name: 'etcd_network_peer_sent_bytes_total',
      help: 'The total number of bytes sent to peers.',
      labelNames: ['To'],
      registers: [r],
      collect() {
        this.reset();
        for (const p of peers()) this.inc({ To: p.peerId.toString(16) }, p.bytesSent);
      },
    });
    this.peerReceivedBytes = new Counter({
      name: 'etcd_network_peer_received_bytes_total',
      help: 'The total number of bytes received from peers.',
      labelNames: ['From'],
      registers: [r],
      collect() {
        this.reset();
        for (const p of peers()) this.inc({ From: p.peerId.toString(16) }, p.bytesReceived);
      },
    });
    this.grpcHandled = new Counter({ name: 'grpc_server_handled_total', help: 'Total number of RPCs completed on the server, regardless of success or failure.', labelNames: ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'], registers: [r] });
    this.grpcHandling = new Histogram({
      name: 'grpc_server_handling_seconds',
      help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.',
      labelNames: ['grpc_type', 'grpc_service', 'grpc_method'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });
  }

  leaderChanged(): void {
    this.leaderChanges.inc();
  }

  proposalsCommitted(n: number): void {
    this.committed.inc(n);
  }

  proposalsApplied(n: number): void {
    this.applied.inc(n);
  }

  proposalFailed(): void {
    this.failed.inc();
  }

  walFsyncSeconds(s: number): void {
    this.walFsync.observe(s);
    if (s * 1000 >= SLOW_FDATASYNC_MS) this.onSlowFsync?.(s);
  }

  backendCommitSeconds(s: number): void {
    this.backendCommit.observe(s);
  }
}
