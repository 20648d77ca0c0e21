/**
 * The etcd v3 API's data model, as plain objects: field names are proto field names in
 * camelCase (as @grpc/proto-loader produces them), int64s are numbers (Flotilla keeps every id
 * and revision below 2^53), bytes are Uint8Array. The MVCC state machine, the store member and
 * the gRPC layer all speak these types, so the wire layer converts nothing.
 */

export interface KeyValue {
  readonly key: Uint8Array;
  /** Revision of the last creation of this key (0 for a deleted key in events). */
  readonly createRevision: number;
  /** Revision of the last modification. */
  readonly modRevision: number;
  /** Number of modifications since creation; a delete resets it to 0. */
  readonly version: number;
  readonly value: Uint8Array;
  /** Lease id attached, 0 for none. */
  readonly lease: number;
}

export interface ResponseHeader {
  readonly clusterId: number;
  readonly memberId: number;
  /** The store revision when the request was served. */
  readonly revision: number;
  readonly raftTerm: number;
}

export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';
export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';

export interface RangeRequest {
  readonly key: Uint8Array;
  /** Empty: just `key`. "\0": every key >= key. Otherwise [key, rangeEnd). */
  readonly rangeEnd?: Uint8Array;
  readonly limit?: number;
  /** Read at this revision; 0 or absent = latest. */
  readonly revision?: number;
  readonly sortOrder?: SortOrder;
  readonly sortTarget?: SortTarget;
  /** Serve from the local member without a ReadIndex round. */
  readonly serializable?: boolean;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  readonly minModRevision?: number;
  readonly maxModRevision?: number;
  readonly minCreateRevision?: number;
  readonly maxCreateRevision?: number;
}

export interface RangeResponse {
  readonly header: ResponseHeader;
  readonly kvs: KeyValue[];
  readonly more: boolean;
  readonly count: number;
}

export interface PutRequest {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly lease?: number;
  readonly prevKv?: boolean;
  readonly ignoreValue?: boolean;
  readonly ignoreLease?: boolean;
}

export interface PutResponse {
  readonly header: ResponseHeader;
  readonly prevKv?: KeyValue;
}

export interface DeleteRangeRequest {
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  readonly prevKv?: boolean;
}

export interface DeleteRangeResponse {
  readonly header: ResponseHeader;
  readonly deleted: number;
  readonly prevKvs: KeyValue[];
}

export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';
export type CompareTarget = 'VERSION' | 'CREATE' | 'MOD' | 'VALUE' | 'LEASE';

export interface Compare {
  readonly result: CompareResult;
  readonly target: CompareTarget;
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  /** The operand, by target: version, createRevision, modRevision, value or lease. */
  readonly version?: number;
  readonly createRevision?: number;
  readonly modRevision?: number;
  readonly value?: Uint8Array;
  readonly lease?: number;
}

/** Exactly one field is set. */
export interface RequestOp {
  readonly requestRange?: RangeRequest;
  readonly requestPut?: PutRequest;
  readonly requestDeleteRange?: DeleteRangeRequest;
  readonly requestTxn?: TxnRequest;
}

export interface ResponseOp {
  readonly responseRange?: RangeResponse;
  readonly responsePut?: PutResponse;
  readonly responseDeleteRange?: DeleteRangeResponse;
  readonly responseTxn?: TxnResponse;
}

export interface TxnRequest {
  readonly compare: Compare[];
  readonly success: RequestOp[];
  readonly failure: RequestOp[];
}

export interface TxnResponse {
  readonly header: ResponseHeader;
  readonly succeeded: boolean;
  readonly responses: ResponseOp[];
}

export interface CompactionRequest {
  readonly revision: number;
  readonly physical?: boolean;
}

export interface CompactionResponse {
  readonly header: ResponseHeader;
}

export type EventType = 'PUT' | 'DELETE';

export interface Event {
  readonly type: EventType;
  /** For DELETE: key, modRevision = the delete's revision, other fields zero. */
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

export type WatchFilter = 'NOPUT' | 'NODELETE';

export interface WatchCreateRequest {
  readonly key: Uint8Array;
  readonly rangeEnd?: Uint8Array;
  /** Inclusive; 0 or absent = from the next revision. */
  readonly startRevision?: number;
  readonly progressNotify?: boolean;
  readonly filters?: WatchFilter[];
  readonly prevKv?: boolean;
  readonly watchId?: number;
  readonly fragment?: boolean;
}

export interface WatchResponse {
  readonly header: ResponseHeader;
  readonly watchId: number;
  readonly created?: boolean;
  readonly canceled?: boolean;
  readonly compactRevision?: number;
  readonly cancelReason?: string;
  readonly fragment?: boolean;
  readonly events: Event[];
}

export interface LeaseGrantRequest {
  readonly TTL: number;
  /** 0: the store chooses. */
  readonly ID?: number;
}

export interface LeaseGrantResponse {
  readonly header: ResponseHeader;
  readonly ID: number;
  readonly TTL: number;
  readonly error?: string;
}

export interface LeaseTimeToLiveResponse {
  readonly header: ResponseHeader;
  readonly ID: number;
  /** Remaining seconds; -1 when the lease does not exist or expired. */
  readonly TTL: number;
  readonly grantedTTL: number;
  readonly keys: Uint8Array[];
}

export interface LeaseKeepAliveResponse {
  readonly header: ResponseHeader;
  readonly ID: number;
  /** The new TTL; 0 when the lease was not found. */
  readonly TTL: number;
}

export interface Member {
  readonly ID: number;
  readonly name: string;
  readonly peerURLs: string[];
  readonly clientURLs: string[];
  readonly isLearner: boolean;
}

export interface MemberListResponse {
  readonly header: ResponseHeader;
  readonly members: Member[];
}

export interface MemberChangeResponse {
  readonly header: ResponseHeader;
  /** For MemberAdd: the new member. */
  readonly member?: Member;
  readonly members: Member[];
}

export type AlarmType = 'NONE' | 'NOSPACE' | 'CORRUPT';

export interface AlarmMember {
  readonly memberID: number;
  readonly alarm: AlarmType;
}

export interface StatusResponse {
  readonly header: ResponseHeader;
  readonly version: string;
  readonly dbSize: number;
  readonly leader: number;
  readonly raftIndex: number;
  readonly raftTerm: number;
  readonly raftAppliedIndex: number;
  readonly errors: string[];
  readonly dbSizeInUse: number;
  readonly isLearner: boolean;
}

export interface HashKVResponse {
  readonly header: ResponseHeader;
  readonly hash: number;
  readonly compactRevision: number;
}
