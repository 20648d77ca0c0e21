import type { Random } from '../../core/index.js';
import type { KvStoreApi, WatchHandle } from '../mvcc/api.js';
import type {
  AlarmMember,
  CompactionRequest,
  CompactionResponse,
  DeleteRangeRequest,
  DeleteRangeResponse,
  HashKVResponse,
  LeaseGrantRequest,
  LeaseGrantResponse,
  LeaseKeepAliveResponse,
  LeaseTimeToLiveResponse,
  Member,
  MemberChangeResponse,
  MemberListResponse,
  PutRequest,
  PutResponse,
  RangeRequest,
  RangeResponse,
  RequestOp,
  ResponseHeader,
  StatusResponse,
  TxnRequest,
  TxnResponse,
  WatchCreateRequest,
  WatchResponse,
} from '../mvcc/index.js';
import {
  EmptyKeyError,
  LearnerNotReadyError,
  LearnerNotSupportedError,
  LeaseTTLTooLargeError,
  MemberNotFoundError,
  MemberNotLearnerError,
  PeerURLExistsError,
  RequestTooLargeError,
  TooManyLearnersError,
} from '../mvcc/index.js';
import type { ApplyResult, StoreMember } from './member.js';
import { memberId } from './members.js';
import type { KvStateMachine } from './state-machine.js';

/** etcd's bound on a lease TTL (seconds). */
const MAX_LEASE_TTL_SECONDS = 9_000_000_000;
/** etcd allows one learner at a time. */
const MAX_LEARNERS = 1;
/** A learner is promotable once it has this share of the leader's committed log (etcd: 90%). */
const LEARNER_READY_PERCENT = 0.9;
const SNAPSHOT_CHUNK_BYTES = 64 * 1024;
/** The etcd API version this store implements and reports. */
export const ETCD_API_VERSION = '3.4.0';

export interface KvServiceOptions {
  readonly maxRequestBytes: number;
  readonly clusterToken: string;
  readonly random: Random;
  readonly now: () => number;
}

function requestSize(req: PutRequest): number {
  return req.key.length + req.value.length;
}

function checkKey(key: Uint8Array): void {
  if (key.length === 0) throw new EmptyKeyError();
}

function checkOps(ops: readonly RequestOp[]): void {
  for (const op of ops) {
    if (op.requestRange) checkKey(op.requestRange.key);
    if (op.requestPut) checkKey(op.requestPut.key);
    if (op.requestDeleteRange) checkKey(op.requestDeleteRange.key);
    if (op.requestTxn) checkTxn(op.requestTxn);
  }
}

function checkTxn(req: TxnRequest): void {
  for (const c of req.compare) checkKey(c.key);
  checkOps(req.success);
  checkOps(req.failure);
}

function txnSize(req: TxnRequest): number {
  let n = 0;
  const ops = (list: readonly RequestOp[]): void => {
    for (const op of list) {
      if (op.requestPut) n += requestSize(op.requestPut);
      if (op.requestRange) n += op.requestRange.key.length;
      if (op.requestDeleteRange) n += op.requestDeleteRange.key.length;
      if (op.requestTxn) n += txnSize(op.requestTxn);
    }
  };
  for (const c of req.compare) n += c.key.length + (c.value?.length ?? 0);
  ops(req.success);
  ops(req.failure);
  return n;
}

/**
 * etcd's v3 API served by one store member: writes go through the Raft log, linearizable reads
 * wait for a ReadIndex barrier, serializable reads are local. Validation here is the cheap kind
 * every member can do before replicating (empty keys, sizes); the state machine validates the
 * rest deterministically when applying.
 */
export class KvService implements KvStoreApi {
  constructor(
    private readonly member: StoreMember,
    private readonly sm: KvStateMachine,
    private readonly o: KvServiceOptions,
  ) {}

  private header(revision?: number): ResponseHeader {
    const h = this.member.header();
    return revision === undefined ? h : { ...h, revision };
  }

  private withHeader<T>(r: ApplyResult): T & { header: ResponseHeader } {
    return { ...(r.value as T), header: this.header(r.revision) };
  }

  private async readBarrier(serializable: boolean | undefined, deadlineMs: number): Promise<void> {
    if (serializable) return;
    this.refuseOnLearner();
    await this.member.readBarrier(deadlineMs);
  }

  /** As etcd: a learner serves only Status and serializable Range; everything else is refused. */
  private refuseOnLearner(): void {
    if (this.member.isLearner) throw new LearnerNotSupportedError();
  }

  async range(req: RangeRequest, deadlineMs: number): Promise<RangeResponse> {
    checkKey(req.key);
    await this.readBarrier(req.serializable, deadlineMs);
    const res = await this.sm.range(req);
    return { ...res, header: this.header() };
  }

  async put(req: PutRequest, deadlineMs: number): Promise<PutResponse> {
    this.refuseOnLearner();
    checkKey(req.key);
    if (requestSize(req) > this.o.maxRequestBytes) throw new RequestTooLargeError();
    return this.withHeader<Omit<PutResponse, 'header'>>(await this.member.propose({ op: 'put', req }, deadlineMs));
  }

  async deleteRange(req: DeleteRangeRequest, deadlineMs: number): Promise<DeleteRangeResponse> {
    this.refuseOnLearner();
    checkKey(req.key);
    return this.withHeader<Omit<DeleteRangeResponse, 'header'>>(await this.member.propose({ op: 'deleteRange', req }, deadlineMs));
  }

  async txn(req: TxnRequest, deadlineMs: number): Promise<TxnResponse> {
    this.refuseOnLearner();
    checkTxn(req);
    if (txnSize(req) > this.o.maxRequestBytes) throw new RequestTooLargeError();
    return this.withHeader<Omit<TxnResponse, 'header'>>(await this.member.propose({ op: 'txn', req }, deadlineMs));
  }

  async compact(req: CompactionRequest, deadlineMs: number): Promise<CompactionResponse> {
    this.refuseOnLearner();
    const r = await this.member.propose({ op: 'compact', req }, deadlineMs, { allowWhenAlarmed: true });
    if (req.physical) await this.member.flushed();
    return { header: this.header(r.revision) };
  }

  watch(req: WatchCreateRequest, send: (resp: WatchResponse) => void): WatchHandle {
    this.refuseOnLearner();
    checkKey(req.key);
    return this.sm.watch(req, (resp) => send({ ...resp, header: this.header() }));
  }

  async leaseGrant(req: LeaseGrantRequest, deadlineMs: number): Promise<LeaseGrantResponse> {
    this.refuseOnLearner();
    if (req.TTL > MAX_LEASE_TTL_SECONDS) throw new LeaseTTLTooLargeError();
    // The id is chosen here, before replication, so that applying the grant is deterministic.
    const id = req.ID && req.ID > 0 ? req.ID : 1 + this.o.random.int(2 ** 31) * 2 ** 21 + this.o.random.int(2 ** 21);
    return this.withHeader<Omit<LeaseGrantResponse, 'header'>>(await this.member.propose({ op: 'leaseGrant', id, ttl: req.TTL }, deadlineMs, { allowWhenAlarmed: true }));
  }

  async leaseRevoke(id: number, deadlineMs: number): Promise<{ header: ResponseHeader }> {
    this.refuseOnLearner();
    const r = await this.member.propose({ op: 'leaseRevoke', id }, deadlineMs, { allowWhenAlarmed: true });
    return { header: this.header(r.revision) };
  }

  async leaseKeepAlive(id: number, deadlineMs: number): Promise<LeaseKeepAliveResponse> {
    this.refuseOnLearner();
    const ttl = await this.member.leaseKeepAlive(id, deadlineMs);
    return { header: this.header(), ID: id, TTL: ttl };
  }

  async leaseTimeToLive(id: number, keys: boolean, deadlineMs: number): Promise<LeaseTimeToLiveResponse> {
    this.refuseOnLearner();
    await this.readBarrier(false, deadlineMs);
    const t = this.sm.leaseTimeToLive(id, this.o.now());
    if (!t) return { header: this.header(), ID: id, TTL: -1, grantedTTL: 0, keys: [] };
    return { header: this.header(), ID: id, TTL: t.TTL, grantedTTL: t.grantedTTL, keys: keys ? t.keys : [] };
  }

  async leaseLeases(deadlineMs: number): Promise<{ header: ResponseHeader; leases: { ID: number }[] }> {
    this.refuseOnLearner();
    await this.readBarrier(false, deadlineMs);
    return { header: this.header(), leases: this.sm.leaseList().map((ID) => ({ ID })) };
  }

  async memberList(linearizable: boolean, deadlineMs: number): Promise<MemberListResponse> {
    this.refuseOnLearner();
    await this.readBarrier(!linearizable, deadlineMs);
    return { header: this.header(), members: this.member.members.list() };
  }

  async memberAdd(peerURLs: string[], isLearner: boolean, deadlineMs: number): Promise<MemberChangeResponse> {
    this.refuseOnLearner();
    const members = this.member.members.list();
    const taken = new Set(members.flatMap((m) => m.peerURLs));
    if (peerURLs.some((u) => taken.has(u))) throw new PeerURLExistsError();
    if (isLearner && members.filter((m) => m.isLearner).length >= MAX_LEARNERS) throw new TooManyLearnersError();
    // Derived from the peer URLs and the cluster token alone, so the new member, started with
    // --initial-cluster-state existing, computes the same id for itself.
    const m: Member = { ID: memberId(peerURLs, this.o.clusterToken), name: '', peerURLs, clientURLs: [], isLearner };
    const r = await this.member.proposeConfChange({ type: isLearner ? 'add-learner' : 'add-voter', nodeId: m.ID }, m, deadlineMs);
    return { header: this.header(r.revision), member: m, members: r.value as Member[] };
  }

  async memberRemove(id: number, deadlineMs: number): Promise<MemberChangeResponse> {
    this.refuseOnLearner();
    if (!this.member.members.get(id)) throw new MemberNotFoundError();
    const r = await this.member.proposeConfChange({ type: 'remove', nodeId: id }, undefined, deadlineMs);
    return { header: this.header(r.revision), members: r.value as Member[] };
  }

  async memberUpdate(id: number, peerURLs: string[], deadlineMs: number): Promise<MemberChangeResponse> {
    this.refuseOnLearner();
    if (!this.member.members.get(id)) throw new MemberNotFoundError();
    const r = await this.member.propose({ op: 'memberUpdate', memberId: id, peerURLs }, deadlineMs, { allowWhenAlarmed: true });
    return { header: this.header(r.revision), members: r.value as Member[] };
  }

  async memberPromote(id: number, deadlineMs: number): Promise<MemberChangeResponse> {
    this.refuseOnLearner();
    const m = this.member.members.get(id);
    if (!m) throw new MemberNotFoundError();
    if (!m.isLearner) throw new MemberNotLearnerError();
    // Only the leader knows how far the learner got; a follower cannot check and lets it through.
    const pr = this.member.progressOf(id);
    if (pr && pr.match < pr.leaderCommit * LEARNER_READY_PERCENT) throw new LearnerNotReadyError();
    const r = await this.member.proposeConfChange({ type: 'add-voter', nodeId: id }, { ...m, isLearner: false }, deadlineMs);
    return { header: this.header(r.revision), members: r.value as Member[] };
  }

  async status(): Promise<StatusResponse> {
    const errors = [...this.member.alarms.values()].map((a) => `memberID:${a.memberID} alarm:${a.alarm}`);
    const failure = this.member.failure;
    if (failure) errors.push(failure.message);
    const size = this.sm.dbSize();
    return {
      header: this.header(),
      version: ETCD_API_VERSION,
      dbSize: size,
      leader: this.member.leader,
      raftIndex: this.member.raftCommitIndex,
      raftTerm: this.member.raftTerm,
      raftAppliedIndex: this.member.raftAppliedIndex,
      errors,
      dbSizeInUse: size,
      isLearner: this.member.isLearner,
    };
  }

  async alarmList(): Promise<{ header: ResponseHeader; alarms: AlarmMember[] }> {
    this.refuseOnLearner();
    return { header: this.header(), alarms: [...this.member.alarms.values()].map((a) => ({ memberID: a.memberID, alarm: a.alarm })) };
  }

  async alarmDisarm(a: AlarmMember, deadlineMs: number): Promise<{ header: ResponseHeader; alarms: AlarmMember[] }> {
    this.refuseOnLearner();
    const targets = [...this.member.alarms.values()].filter((x) => (a.memberID === 0 || x.memberID === a.memberID) && (a.alarm === 'NONE' || x.alarm === a.alarm));
    for (const t of targets) await this.member.propose({ op: 'alarm', action: 'deactivate', memberId: t.memberID, alarm: t.alarm }, deadlineMs, { allowWhenAlarmed: true });
    return { header: this.header(), alarms: targets.map((t) => ({ memberID: t.memberID, alarm: t.alarm })) };
  }

  async defragment(): Promise<{ header: ResponseHeader }> {
    this.refuseOnLearner();
    // LevelDB compacts its files in the background; there is nothing to defragment.
    await this.member.flushed();
    return { header: this.header() };
  }

  async hashKV(revision: number): Promise<HashKVResponse> {
    this.refuseOnLearner();
    await this.member.flushed();
    return { ...(await this.sm.hashKV(revision)), header: this.header() };
  }

  async moveLeader(targetId: number, deadlineMs: number): Promise<{ header: ResponseHeader }> {
    this.refuseOnLearner();
    await this.member.transferLeadership(targetId, deadlineMs);
    return { header: this.header() };
  }

  /** A consistent image of the state machine, in chunks (the gRPC layer adds etcd's trailer). */
  async *snapshot(): AsyncIterable<{ header: ResponseHeader; remainingBytes: number; blob: Uint8Array }> {
    await this.member.flushed();
    const data = await this.sm.snapshot();
    const header = this.header();
    for (let off = 0; off < data.length || off === 0; off += SNAPSHOT_CHUNK_BYTES) {
      const blob = data.subarray(off, Math.min(data.length, off + SNAPSHOT_CHUNK_BYTES));
      yield { header, remainingBytes: data.length - off - blob.length, blob };
      if (data.length === 0) break;
    }
  }
}
