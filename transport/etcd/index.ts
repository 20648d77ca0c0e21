// Public surface of transport/etcd: etcd's v3 gRPC API served over a KvStoreApi.
export type { EtcdGrpcServer, EtcdGrpcServerOptions } from './server.js';
export { DEFAULT_MAX_REQUEST_BYTES, GRPC_OVERHEAD_BYTES, addEtcdServices, createEtcdGrpcServer, etcdServerOptions } from './server.js';
export type { EtcdServiceName } from './protos.js';
export { ETCD_PROTO_LOADER_OPTIONS, ETCD_SERVICE_NAMES, etcdProtoDir, loadEtcdProtos } from './protos.js';
export type { EtcdServerLogger } from './errors.js';
export { UnsupportedError } from './errors.js';
export { AuthNotEnabledError, RoleNotFoundError, RootUserNotExistError, UserNotFoundError } from './auth.js';
export { DUPLICATE_WATCH_ID_REASON, INVALID_WATCH_ID } from './watch.js';
export { EtcdClient, EtcdClientError } from './client.js';
export type { EtcdClientOptions, EtcdWatch } from './client.js';
