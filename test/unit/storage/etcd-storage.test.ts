// The etcd side of the storage without a store: `--store` URLs and how etcd errors map to
// storage errors. The contract over real stores is in test/integration/storage/.
import * as grpc from '@grpc/grpc-js';
import t from 'tap';
import { StorageInternalError, StorageKvCompactedError, StorageKvFutureRevisionError, StorageUnavailableError } from '../../../core/index.js';
import { FutureRevisionError, NoLeaderError, RevisionCompactedError } from '../../../raft/index.js';
import { EtcdClientError, etcdEndpointsFromStoreUrl, storageErrorFromEtcd } from '../../../transport/index.js';

void t.test('etcd:// store URLs name the endpoints', (t) => {
  t.same(etcdEndpointsFromStoreUrl('etcd://127.0.0.1:2379'), ['127.0.0.1:2379']);
  t.same(etcdEndpointsFromStoreUrl('etcd://a.example:2379,b.example:2379/'), ['a.example:2379', 'b.example:2379']);
  t.same(etcdEndpointsFromStoreUrl('etcd://[::1]:2379'), ['[::1]:2379']);
  for (const bad of ['http://127.0.0.1:2379', 'etcd://', 'etcd://host', 'etcd://a:1,,b:2']) t.throws(() => etcdEndpointsFromStoreUrl(bad), RangeError, bad);
  t.end();
});

void t.test("etcd errors map by etcd's message on the wire and by class in process", (t) => {
  const wire = (code: grpc.status, details: string): EtcdClientError => new EtcdClientError(code, details, '127.0.0.1:2379');
  t.type(storageErrorFromEtcd(wire(grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision has been compacted')), StorageKvCompactedError);
  t.type(storageErrorFromEtcd(wire(grpc.status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision')), StorageKvFutureRevisionError);
  t.type(storageErrorFromEtcd(wire(grpc.status.UNAVAILABLE, 'connect ECONNREFUSED')), StorageUnavailableError);
  t.type(storageErrorFromEtcd(wire(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded')), StorageUnavailableError);
  t.type(storageErrorFromEtcd(wire(grpc.status.INVALID_ARGUMENT, 'etcdserver: key is not provided')), StorageInternalError);
  t.type(storageErrorFromEtcd(new RevisionCompactedError()), StorageKvCompactedError);
  t.type(storageErrorFromEtcd(new FutureRevisionError()), StorageKvFutureRevisionError);
  t.type(storageErrorFromEtcd(new NoLeaderError()), StorageUnavailableError);
  t.type(storageErrorFromEtcd(new Error('bug')), StorageInternalError);
  t.end();
});
