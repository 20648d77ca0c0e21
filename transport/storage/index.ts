// Public surface of transport/storage: the API server's Storage over the etcd v3 API.
export type { EtcdKvClient } from './etcd-kv.js';
export { EtcdKv, storageErrorFromEtcd } from './etcd-kv.js';
export { LocalEtcdKvClient } from './local-kv-client.js';
export type { EtcdStorageConnectOptions, EtcdStorageOptions } from './etcd-storage.js';
export { EtcdStorage, etcdEndpointsFromStoreUrl, wallStorageClock } from './etcd-storage.js';
