/**
 * KV service: Range, Put, DeleteRange, Txn, Compact. The decoded requests already have the
 * model's shape (types.ts); the wire adds only what etcd checks at its gRPC edge, the request
 * size of writes. Validation (empty key, txn rules) is the store's.
 */
import type * as grpc from '@grpc/grpc-js';
import type { CompactionRequest, DeleteRangeRequest, PutRequest, RangeRequest, TxnRequest } from '../../raft/index.js';
import type { HandlerContext } from './call.js';
import { checkRequestSize, unary } from './call.js';

export function kvService(ctx: HandlerContext): grpc.UntypedServiceImplementation {
  const { api } = ctx;
  return {
    Range: unary(ctx, 'KV.Range', (req: RangeRequest, deadlineMs) => api.range(req, deadlineMs)),
    Put: unary(ctx, 'KV.Put', (req: PutRequest, deadlineMs) => {
      checkRequestSize(ctx, req);
      return api.put(req, deadlineMs);
    }),
    DeleteRange: unary(ctx, 'KV.DeleteRange', (req: DeleteRangeRequest, deadlineMs) => {
      checkRequestSize(ctx, req);
      return api.deleteRange(req, deadlineMs);
    }),
    Txn: unary(ctx, 'KV.Txn', (req: TxnRequest, deadlineMs) => {
      checkRequestSize(ctx, req);
      return api.txn(req, deadlineMs);
    }),
    Compact: unary(ctx, 'KV.Compact', (req: CompactionRequest, deadlineMs) => api.compact(req, deadlineMs)),
  };
}
