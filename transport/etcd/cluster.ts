/** Cluster service: membership as the store's Raft configuration sees it. */
import type * as grpc from '@grpc/grpc-js';
import type { HandlerContext } from './call.js';
import { unary } from './call.js';

interface MemberAddRequest {
  readonly peerURLs: string[];
  readonly isLearner: boolean;
}

interface MemberIdRequest {
  readonly ID: number;
}

interface MemberUpdateRequest {
  readonly ID: number;
  readonly peerURLs: string[];
}

interface MemberListRequest {
  readonly linearizable: boolean;
}

export function clusterService(ctx: HandlerContext): grpc.UntypedServiceImplementation {
  const { api } = ctx;
  return {
    MemberAdd: unary(ctx, 'Cluster.MemberAdd', (req: MemberAddRequest, deadlineMs) => api.memberAdd(req.peerURLs, req.isLearner, deadlineMs)),
    MemberRemove: unary(ctx, 'Cluster.MemberRemove', (req: MemberIdRequest, deadlineMs) => api.memberRemove(req.ID, deadlineMs)),
    MemberUpdate: unary(ctx, 'Cluster.MemberUpdate', (req: MemberUpdateRequest, deadlineMs) => api.memberUpdate(req.ID, req.peerURLs, deadlineMs)),
    MemberList: unary(ctx, 'Cluster.MemberList', (req: MemberListRequest, deadlineMs) => api.memberList(req.linearizable, deadlineMs)),
    MemberPromote: unary(ctx, 'Cluster.MemberPromote', (req: MemberIdRequest, deadlineMs) => api.memberPromote(req.ID, deadlineMs)),
  };
}
