// Public surface of actors/leader/: leader election over a coordination.k8s.io/v1 Lease.
export {
  DEFAULT_LEASE_DURATION_MS,
  DEFAULT_RENEW_DEADLINE_MS,
  DEFAULT_RETRY_PERIOD_MS,
  LEADER_ELECTION_JITTER_FACTOR,
  LEADER_LEASE_NAMESPACE,
  LEASES_RESOURCE,
  LeaderElector,
} from './leader-elector.js';
export type { LeaderCallbacks, LeaderElectorOptions } from './leader-elector.js';
