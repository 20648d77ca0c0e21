/**
 * Maintenance service: status, alarms, defragment, hashes, snapshot, leadership transfer.
 * Hash (of the whole backend in etcd) is answered with the hash of the key space at the newest
 * revision, the only hash the store offers; both serve the same consistency checks.
 */
import { createHash } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { AlarmMember, AlarmType, ResponseHeader } from '../../raft/index.js';
import type { HandlerContext } from './call.js';
import { failStream, unary, writable } from './call.js';
import { UnsupportedError } from './errors.js';

interface AlarmRequest {
  readonly action: 'GET' | 'ACTIVATE' | 'DEACTIVATE';
  readonly memberID: number;
  readonly alarm: AlarmType;
}

interface HashKVRequest {
  readonly revision: number;
}

interface MoveLeaderRequest {
  readonly targetID: number;
}

interface SnapshotChunk {
  readonly header: ResponseHeader;
  readonly remainingBytes: number;
  readonly blob: Uint8Array;
}

type SnapshotCall = grpc.ServerWritableStream<object, SnapshotChunk>;

export function maintenanceService(ctx: HandlerContext): grpc.UntypedServiceImplementation {
  const { api } = ctx;
  return {
    Status: unary(ctx, 'Maintenance.Status', () => api.status()),
    Alarm: unary(ctx, 'Maintenance.Alarm', async (req: AlarmRequest, deadlineMs) => {
      switch (req.action) {
        case 'GET': {
          const { header, alarms } = await api.alarmList();
          return { header, alarms: req.alarm === 'NONE' ? alarms : alarms.filter((a) => a.alarm === req.alarm) };
        }
        case 'DEACTIVATE': {
          const member: AlarmMember = { memberID: req.memberID, alarm: req.alarm };
          return api.alarmDisarm(member, deadlineMs);
        }
        default:
          throw new UnsupportedError('etcdserver: raising alarms through the API is not supported');
      }
    }),
    Defragment: unary(ctx, 'Maintenance.Defragment', () => api.defragment()),
    Hash: unary(ctx, 'Maintenance.Hash', async () => {
      const { header, hash } = await api.hashKV(0);
      return { header, hash };
    }),
    HashKV: unary(ctx, 'Maintenance.HashKV', (req: HashKVRequest) => api.hashKV(req.revision)),
    MoveLeader: unary(ctx, 'Maintenance.MoveLeader', (req: MoveLeaderRequest, deadlineMs) => api.moveLeader(req.targetID, deadlineMs)),
    Snapshot: (call: SnapshotCall) => void streamSnapshot(ctx, call),
  };
}

/**
 * etcd clients check a snapshot's length: a database file (whole 512-byte pages) followed by its
 * SHA-256, which etcd's gRPC layer appends as one last message (`etcdctl snapshot save` refuses
 * anything else with "sha256 checksum not found"). The store's snapshot is padded with zero bytes
 * to whole pages before the digest, so its format must ignore trailing zeros.
 */
export const SNAPSHOT_PAGE_BYTES = 512;

/** Streams the store's snapshot chunks, waiting for the client to take each; stops when it leaves. */
async function streamSnapshot(ctx: HandlerContext, call: SnapshotCall): Promise<void> {
  let gone = false;
  const leave = (): void => {
    gone = true;
  };
  call.on('cancelled', leave);
  call.on('error', leave);
  call.on('close', leave);
  const send = async (chunk: SnapshotChunk): Promise<void> => {
    if (!gone && !call.write(chunk)) await writable(call);
  };
  try {
    const digest = createHash('sha256');
    let bytes = 0;
    let header: ResponseHeader | undefined;
    // Leaving the loop early (break or throw) closes the store's iterator.
    for await (const chunk of ctx.api.snapshot()) {
      if (gone) break;
      header ??= chunk.header;
      digest.update(chunk.blob);
      bytes += chunk.blob.length;
      await send(chunk);
      if (gone) break;
    }
    if (gone) return;
    header ??= (await ctx.api.status()).header;
    const padding = new Uint8Array((SNAPSHOT_PAGE_BYTES - (bytes % SNAPSHOT_PAGE_BYTES)) % SNAPSHOT_PAGE_BYTES);
    if (padding.length > 0) {
      digest.update(padding);
      await send({ header, remainingBytes: 0, blob: padding });
    }
    await send({ header, remainingBytes: 0, blob: digest.digest() });
    if (!gone) call.end();
  } catch (err) {
    if (!gone) failStream(call, ctx, 'Maintenance.Snapshot', err);
  }
}
