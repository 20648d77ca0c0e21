import type { KvStoreApi } from '../../raft/index.js';
import type { StoreMetrics } from './metrics.js';

/** The gRPC service and method each unary KvStoreApi call serves (etcd's names, for metric labels). */
const RPC: Partial<Record<keyof KvStoreApi, [string, string]>> = {
  range: ['etcdserverpb.KV', 'Range'],
  put: ['etcdserverpb.KV', 'Put'],
  deleteRange: ['etcdserverpb.KV', 'DeleteRange'],
  txn: ['etcdserverpb.KV', 'Txn'],
  compact: ['etcdserverpb.KV', 'Compact'],
  leaseGrant: ['etcdserverpb.Lease', 'LeaseGrant'],
  leaseRevoke: ['etcdserverpb.Lease', 'LeaseRevoke'],
  leaseKeepAlive: ['etcdserverpb.Lease', 'LeaseKeepAlive'],
  leaseTimeToLive: ['etcdserverpb.Lease', 'LeaseTimeToLive'],
  leaseLeases: ['etcdserverpb.Lease', 'LeaseLeases'],
  memberList: ['etcdserverpb.Cluster', 'MemberList'],
  memberAdd: ['etcdserverpb.Cluster', 'MemberAdd'],
  memberRemove: ['etcdserverpb.Cluster', 'MemberRemove'],
  memberUpdate: ['etcdserverpb.Cluster', 'MemberUpdate'],
  memberPromote: ['etcdserverpb.Cluster', 'MemberPromote'],
  status: ['etcdserverpb.Maintenance', 'Status'],
  alarmList: ['etcdserverpb.Maintenance', 'Alarm'],
  alarmDisarm: ['etcdserverpb.Maintenance', 'Alarm'],
  defragment: ['etcdserverpb.Maintenance', 'Defragment'],
  hashKV: ['etcdserverpb.Maintenance', 'HashKV'],
  moveLeader: ['etcdserverpb.Maintenance', 'MoveLeader'],
};

/**
 * Wraps the member's API so every unary call is counted and timed as go-grpc-prometheus does
 * (grpc_server_handled_total by code, grpc_server_handling_seconds), the figures etcd exports.
 */
export function measuredApi(api: KvStoreApi, metrics: StoreMetrics): KvStoreApi {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      const rpc = RPC[prop as keyof KvStoreApi];
      if (typeof value !== 'function' || !rpc) return typeof value === 'function' ? value.bind(target) : value;
      const [service, method] = rpc;
      const fn = value as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]): Promise<unknown> => {
        const end = metrics.grpcHandling.startTimer({ grpc_type: 'unary', grpc_service: service, grpc_method: method });
        let code = 'OK';
        try {
          return await fn.apply(target, args);
        } catch (err) {
          code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : 'Unknown';
          throw err;
        } finally {
          end();
          metrics.grpcHandled.inc({ grpc_type: 'unary', grpc_service: service, grpc_method: method, grpc_code: code });
        }
      };
    },
  });
}
