import { translateTimestampSince } from './duration.js';
import {
  booleanField,
  numberField,
  objectAt,
  objectList,
  stringField,
  timestampField,
  type JsonObject,
} from './fields.js';
import { AGE_COLUMN, column, NAME_COLUMN, type TablePrintedRow, type TablePrinter, type TableRowCondition } from './table.js';

/** The pod reason the node lifecycle controller sets when a node stops reporting. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

const POD_SUCCEEDED_CONDITIONS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const POD_FAILED_CONDITIONS: TableRowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
];

/** A sidecar: an init container with restartPolicy Always keeps running beside the app. */
function isRestartableInitContainer(container: JsonObject | undefined): boolean {
  return container !== undefined && stringField(container, 'restartPolicy') === 'Always';
}

function conditionIsTrue(conditions: readonly JsonObject[], type: string): boolean {
  return conditions.some((c) => stringField(c, 'type') === type && stringField(c, 'status') === 'True');
}

function isPodInitializedConditionTrue(conditions: readonly JsonObject[]): boolean {
  const initialized = conditions.find((c) => stringField(c, 'type') === 'Initialized');
  return initialized !== undefined && stringField(initialized, 'status') === 'True';
}

/** `finishedAt` of the container's last termination, if it has one. */
function lastTerminationFinishedMs(status: JsonObject): number | undefined {
  const terminated = objectAt(status, 'lastState', 'terminated');
  return Object.keys(terminated).length === 0 ? undefined : timestampField(terminated, 'finishedAt');
}

function laterOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function terminatedReason(terminated: JsonObject, prefix: string): string {
  const reason = stringField(terminated, 'reason');
  if (reason !== '') return prefix + reason;
  const signal = numberField(terminated, 'signal') ?? 0;
  if (signal !== 0) return `${prefix}Signal:${signal}`;
  return `${prefix}ExitCode:${numberField(terminated, 'exitCode') ?? 0}`;
}

/** What the init containers say: the STATUS override while initializing, and restart counts. */
interface InitProgress {
  reason: string | undefined;
  initializing: boolean;
  restarts: number;
  lastRestartMs: number | undefined;
  sidecarRestarts: number;
  sidecarLastRestartMs: number | undefined;
  readySidecars: number;
}

function initProgress(spec: JsonObject, status: JsonObject): InitProgress {
  const initSpecs = objectList(spec, 'initContainers');
  const byName = new Map(initSpecs.map((c) => [stringField(c, 'name'), c]));
  const progress: InitProgress = {
    reason: undefined, initializing: false, restarts: 0, lastRestartMs: undefined,
    sidecarRestarts: 0, sidecarLastRestartMs: undefined, readySidecars: 0,
  };
  const statuses = objectList(status, 'initContainerStatuses');
  for (let i = 0; i < statuses.length; i++) {
    const cs = statuses[i] ?? {};
    const sidecar = isRestartableInitContainer(byName.get(stringField(cs, 'name')));
    const restartCount = numberField(cs, 'restartCount') ?? 0;
    const finishedMs = lastTerminationFinishedMs(cs);
    progress.restarts += restartCount;
    progress.lastRestartMs = laterOf(progress.lastRestartMs, finishedMs);
    if (sidecar) {
      progress.sidecarRestarts += restartCount;
      progress.sidecarLastRestartMs = laterOf(progress.sidecarLastRestartMs, finishedMs);
    }
    const terminated = objectAt(cs, 'state', 'terminated');
    const hasTerminated = Object.keys(objectAt(cs, 'state')).includes('terminated');
    const waitingReason = stringField(objectAt(cs, 'state', 'waiting'), 'reason');
    if (hasTerminated && (numberField(terminated, 'exitCode') ?? 0) === 0) continue;
    if (sidecar && booleanField(cs, 'started') === true) {
      if (booleanField(cs, 'ready') === true) progress.readySidecars++;
      continue;
    }
    if (hasTerminated) {
      progress.reason = terminatedReason(terminated, 'Init:');
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      progress.reason = `Init:${waitingReason}`;
    } else {
      progress.reason = `Init:${i}/${initSpecs.length}`;
    }
    progress.initializing = true;
    break;
  }
  return progress;
}

/**
 * The pod row exactly as kube 1.32's printPod computes it: READY counts ready app containers
 * plus started-and-ready sidecars; STATUS is the phase (or status.reason) overridden by init
 * progress, then by the last non-running app container's waiting or terminated reason, then by
 * Terminating/Unknown when deletionTimestamp is set; RESTARTS gains "(5m ago)" after a restart.
 */
export function printPodRow(pod: JsonObject, nowMs: number): TablePrintedRow {
  const metadata = objectAt(pod, 'metadata');
  const spec = objectAt(pod, 'spec');
  const status = objectAt(pod, 'status');
  const conditions = objectList(status, 'conditions');
  const phase = stringField(status, 'phase');

  let reason = stringField(status, 'reason') || phase;
  if (conditions.some((c) => stringField(c, 'type') === 'PodScheduled' && stringField(c, 'reason') === 'SchedulingGated')) {
    reason = 'SchedulingGated';
  }

  const sidecarCount = objectList(spec, 'initContainers').filter(isRestartableInitContainer).length;
  const totalContainers = objectList(spec, 'containers').length + sidecarCount;

  const init = initProgress(spec, status);
  if (init.reason !== undefined) reason = init.reason;
  let readyContainers = init.readySidecars;
  let restarts = init.restarts;
  let lastRestartMs = init.lastRestartMs;

  if (!init.initializing || isPodInitializedConditionTrue(conditions)) {
    restarts = init.sidecarRestarts;
    lastRestartMs = init.sidecarLastRestartMs;
    let hasRunning = false;
    const statuses = objectList(status, 'containerStatuses');
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += numberField(cs, 'restartCount') ?? 0;
      lastRestartMs = laterOf(lastRestartMs, lastTerminationFinishedMs(cs));
      const state = objectAt(cs, 'state');
      const waitingReason = stringField(objectAt(state, 'waiting'), 'reason');
      const hasTerminated = Object.keys(state).includes('terminated');
      const terminated = objectAt(state, 'terminated');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (hasTerminated) {
        reason = terminatedReason(terminated, '');
      } else if (booleanField(cs, 'ready') === true && Object.keys(state).includes('running')) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed while another still runs is not "Completed".
    if (reason === 'Completed' && hasRunning) {
      reason = conditionIsTrue(conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = timestampField(metadata, 'deletionTimestamp') !== undefined;
  if (deleting && stringField(status, 'reason') === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestartMs !== undefined) {
    restartsCell = `${restarts} (${translateTimestampSince(lastRestartMs, nowMs)} ago)`;
  }

  const podIPs = objectList(status, 'podIPs');
  const podIP = (podIPs.length > 0 ? stringField(podIPs[0] ?? {}, 'ip') : '') || '<none>';
  const readinessGates = objectList(spec, 'readinessGates');
  let readinessGatesCell = '<none>';
  if (readinessGates.length > 0) {
    let trueConditions = 0;
    for (const gate of readinessGates) {
      const match = conditions.find((c) => stringField(c, 'type') === stringField(gate, 'conditionType'));
      if (match !== undefined && stringField(match, 'status') === 'True') trueConditions++;
    }
    readinessGatesCell = `${trueConditions}/${readinessGates.length}`;
  }

  const row: TablePrintedRow = {
    cells: [
      stringField(metadata, 'name'),
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsCell,
      translateTimestampSince(timestampField(metadata, 'creationTimestamp'), nowMs),
      podIP,
      stringField(spec, 'nodeName') || '<none>',
      stringField(status, 'nominatedNodeName') || '<none>',
      readinessGatesCell,
    ],
  };
  if (phase === 'Succeeded') return { ...row, conditions: POD_SUCCEEDED_CONDITIONS };
  if (phase === 'Failed') return { ...row, conditions: POD_FAILED_CONDITIONS };
  return row;
}

/** `kubectl get pods`: NAME READY STATUS RESTARTS AGE, wide: IP NODE NOMINATED NODE READINESS GATES. */
export const POD_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'string', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    column('IP', 'string', 'The first IP address allocated to the pod (status.podIPs[0]).', 1),
    column('Node', 'string', 'The node the pod is bound to (spec.nodeName).', 1),
    column('Nominated Node', 'string', 'The node the scheduler nominated for preemption (status.nominatedNodeName).', 1),
    column('Readiness Gates', 'string', 'How many of the pod readiness gates are true.', 1),
  ],
  printRow: printPodRow,
};
