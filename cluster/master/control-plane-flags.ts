// The master's flags for its scheduler and controller manager, as kube-controller-manager names them.

import type { Registry } from 'prom-client';
import { SeededRandom } from '../../core/index.js';
import { ALL_CONTROLLERS } from '../../actors/index.js';
import type { ActorLogger, ActorSystem, ApiServer } from '../../actors/index.js';
import { parseArgs, UsageError } from '../args.js';
import { systemClock } from '../clock.js';
import type { ControlPlaneOptions } from './control-plane.js';
import { DEFAULT_LEADER_ELECTION } from './control-plane.js';
import type { StoreLeadership } from '../store/run.js';

export const CONTROL_PLANE_FLAGS = [
  'leader-elect-lease-duration',
  'leader-elect-renew-deadline',
  'leader-elect-retry-period',
  'node-monitor-grace-period',
  'node-startup-grace-period',
  'pod-eviction-timeout',
  'terminated-pod-gc-threshold',
];

/** Flag → controller setting name (each controller documents the settings it reads). */
const SETTING_FLAGS: Readonly<Record<string, string>> = {
  'node-monitor-grace-period': 'nodeMonitorGracePeriodSeconds',
  'node-startup-grace-period': 'nodeStartupGracePeriodSeconds',
  'pod-eviction-timeout': 'podEvictionTimeoutSeconds',
  'terminated-pod-gc-threshold': 'terminatedPodGCThreshold',
};

function secondsFlag(args: ReturnType<typeof parseArgs>, name: string, fallbackMs: number): number {
  const v = args.flags.get(name);
  if (typeof v !== 'string') return fallbackMs;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name}: ${v} is not a positive number of seconds`);
  return Math.round(n * 1000);
}

export function controlPlaneOptions(
  args: ReturnType<typeof parseArgs>,
  o: { readonly api: ApiServer; readonly system: ActorSystem; readonly registry: Registry; readonly log: ActorLogger; readonly storeLeadership?: StoreLeadership },
): ControlPlaneOptions {
  const settings: Record<string, number> = {};
  for (const [flag, setting] of Object.entries(SETTING_FLAGS)) {
    const v = args.flags.get(flag);
    if (typeof v !== 'string') continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${flag}: ${v} is not a non-negative number`);
    settings[setting] = n;
  }
  const leaderElection = {
    leaseDurationMs: secondsFlag(args, 'leader-elect-lease-duration', DEFAULT_LEADER_ELECTION.leaseDurationMs),
    renewDeadlineMs: secondsFlag(args, 'leader-elect-renew-deadline', DEFAULT_LEADER_ELECTION.renewDeadlineMs),
    retryPeriodMs: secondsFlag(args, 'leader-elect-retry-period', DEFAULT_LEADER_ELECTION.retryPeriodMs),
  };
  return {
    ...o,
    clock: systemClock,
    random: new SeededRandom((Date.now() ^ (process.pid << 4)) >>> 0),
    controllers: ALL_CONTROLLERS,
    settings,
    leaderElection,
  };
}
