/**
 * Finds and loads the etcd API's .proto files (transport/etcd/proto/). tsc copies no .proto into
 * dist/, so from dist/transport/etcd/ they are found in the source tree, three levels up; a copy
 * next to this module (running from source, or a packaging step that copies them) wins.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as protoLoader from '@grpc/proto-loader';

/** Names of etcd's v3 services in package etcdserverpb. */
export const ETCD_SERVICE_NAMES = ['KV', 'Watch', 'Lease', 'Cluster', 'Maintenance', 'Auth'] as const;
export type EtcdServiceName = (typeof ETCD_SERVICE_NAMES)[number];

/**
 * How the protos are loaded, by server and test clients alike: proto field names in camelCase,
 * int64 as numbers (Flotilla keeps ids and revisions below 2^53), enums as their names, unset
 * fields at their defaults, and each set oneof named by a virtual field (`requestUnion`).
 */
export const ETCD_PROTO_LOADER_OPTIONS: Readonly<protoLoader.Options> = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

const CANDIDATE_DIRS: readonly URL[] = [new URL('./proto/', import.meta.url), new URL('../../../transport/etcd/proto/', import.meta.url)];

/** The directory holding rpc.proto, kv.proto and auth.proto. */
export function etcdProtoDir(): string {
  for (const url of CANDIDATE_DIRS) {
    const dir = fileURLToPath(url);
    if (existsSync(`${dir}rpc.proto`)) return dir;
  }
  throw new Error(`etcd protos not found; looked in ${CANDIDATE_DIRS.map((u) => fileURLToPath(u)).join(', ')}`);
}

let loaded: protoLoader.PackageDefinition | undefined;

/** etcdserverpb with the mvccpb and authpb it imports; loaded once per process. */
export function loadEtcdProtos(): protoLoader.PackageDefinition {
  loaded ??= protoLoader.loadSync('rpc.proto', { ...ETCD_PROTO_LOADER_OPTIONS, includeDirs: [etcdProtoDir()] });
  return loaded;
}
