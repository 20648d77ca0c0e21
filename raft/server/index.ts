// The store member: drives a RawNode over durable storage, a transport and the MVCC state machine.
export type { Clock, TimerHandle } from './clock.js';
export type { RaftTransport } from './transport.js';
export type { KvStateMachine } from './state-machine.js';
export type { StoreMemberConfig, MemberLogger, MemberObserver, ApplyResult } from './member.js';
export { StoreMember } from './member.js';
export { KvService, ETCD_API_VERSION } from './kv-service.js';
export type { KvServiceOptions } from './kv-service.js';
export { MemberTable, memberId, clusterIdOf, parseInitialCluster, hash53 } from './members.js';
export { WaitRegistry } from './wait.js';
export { MvccStateMachine } from './mvcc-state-machine.js';
export { encodeSnapshotPayload, encodeSnapshotPayloadSliced, decodeSnapshotPayload, PAYLOAD_COPY_SLICE_BYTES } from './snapshot-payload.js';
export type { SnapshotPayload } from './snapshot-payload.js';
