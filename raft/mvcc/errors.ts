/**
 * The store's typed errors. Each maps to one gRPC status code and etcd's exact message at the
 * wire edge (transport/etcd), so etcdctl and etcd clients react to them as they do to etcd's.
 * Compare by class (or code), never by message.
 */
export type EtcdErrorCode = 'InvalidArgument' | 'NotFound' | 'OutOfRange' | 'FailedPrecondition' | 'ResourceExhausted' | 'Unavailable' | 'DeadlineExceeded' | 'AlreadyExists' | 'PermissionDenied';

export class StoreError extends Error {
  constructor(readonly code: EtcdErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A request has an empty key. */
export class EmptyKeyError extends StoreError {
  constructor() {
    super('InvalidArgument', 'etcdserver: key is not provided');
  }
}
/** A request (or its value) is over the configured request size limit. */
export class RequestTooLargeError extends StoreError {
  constructor() {
    super('InvalidArgument', 'etcdserver: request is too large');
  }
}
/** A txn has more operations than allowed. */
export class TooManyOpsError extends StoreError {
  constructor() {
    super('InvalidArgument', 'etcdserver: too many operations in txn request');
  }
}
/** A txn puts or deletes the same key twice. */
export class DuplicateKeyError extends StoreError {
  constructor() {
    super('InvalidArgument', 'etcdserver: duplicate key given in txn request');
  }
}
/** A read or watch at a revision older than the compacted one. */
export class RevisionCompactedError extends StoreError {
  constructor() {
    super('OutOfRange', 'etcdserver: mvcc: required revision has been compacted');
  }
}
/** A read at a revision newer than the store's. */
export class FutureRevisionError extends StoreError {
  constructor() {
    super('OutOfRange', 'etcdserver: mvcc: required revision is a future revision');
  }
}
/** A put with a lease id that does not exist. */
export class LeaseNotFoundError extends StoreError {
  constructor() {
    super('NotFound', 'etcdserver: requested lease not found');
  }
}
/** A grant with an id that is in use. */
export class LeaseExistsError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: lease already exists');
  }
}
/** A grant with a TTL beyond the maximum. */
export class LeaseTTLTooLargeError extends StoreError {
  constructor() {
    super('OutOfRange', 'etcdserver: too large lease TTL');
  }
}
/** ignore_value / ignore_lease on a key that does not exist. */
export class KeyNotFoundError extends StoreError {
  constructor() {
    super('InvalidArgument', 'etcdserver: key not found');
  }
}
/** The NOSPACE alarm is raised: writes are refused until space is freed and the alarm disarmed. */
export class NoSpaceError extends StoreError {
  constructor() {
    super('ResourceExhausted', 'etcdserver: mvcc: database space exceeded');
  }
}
/** No leader is known (no quorum). */
export class NoLeaderError extends StoreError {
  constructor() {
    super('Unavailable', 'etcdserver: no leader');
  }
}
/** A proposal or linearizable read did not finish within its deadline. */
export class RequestTimeoutError extends StoreError {
  constructor() {
    super('Unavailable', 'etcdserver: request timed out');
  }
}
/** The member is not started yet or is stopping. */
export class StoppedError extends StoreError {
  constructor() {
    super('Unavailable', 'etcdserver: server stopped');
  }
}
/** Member operations. */
export class MemberNotFoundError extends StoreError {
  constructor() {
    super('NotFound', 'etcdserver: member not found');
  }
}
export class MemberExistsError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: member ID already exist');
  }
}
export class PeerURLExistsError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: Peer URLs already exists');
  }
}
export class MemberNotLearnerError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: can only promote a learner member');
  }
}
export class LearnerNotReadyError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: can only promote a learner member which is in sync with leader');
  }
}
export class TooManyLearnersError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: too many learner members in cluster');
  }
}
export class UnhealthyError extends StoreError {
  constructor() {
    super('Unavailable', 'etcdserver: unhealthy cluster');
  }
}
export class NotCapableError extends StoreError {
  constructor() {
    super('Unavailable', 'etcdserver/api/v3rpc: not capable');
  }
}
/** A learner cannot serve this request (etcd: only serializable reads and status). */
export class LearnerNotSupportedError extends StoreError {
  constructor() {
    super('Unavailable', 'etcdserver: rpc not supported for learner');
  }
}

/** Too many requests are waiting; retry later. */
export class TooManyRequestsError extends StoreError {
  constructor() {
    super('ResourceExhausted', 'etcdserver: too many requests');
  }
}
