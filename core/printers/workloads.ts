import { humanDuration, translateTimestampSince } from './duration.js';
import {
  booleanField,
  numberField,
  objectAt,
  objectList,
  stringField,
  stringMap,
  timestampField,
  type JsonObject,
} from './fields.js';
import { formatLabelMap, formatLabelSelector, labelSelectorString } from './selectors-format.js';
import { AGE_COLUMN, column, NAME_COLUMN, type TablePrinter } from './table.js';

const CONTAINERS_COLUMN = column('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES_COLUMN = column('Images', 'string', 'Images referenced by each container in the template.', 1);

/** `layoutContainerCells`: container names and images of a pod template, comma-separated. */
function containerCells(podTemplate: JsonObject): [string, string] {
  const containers = objectList(objectAt(podTemplate, 'spec'), 'containers');
  return [
    containers.map((c) => stringField(c, 'name')).join(','),
    containers.map((c) => stringField(c, 'image')).join(','),
  ];
}

function age(obj: JsonObject, nowMs: number): string {
  return translateTimestampSince(timestampField(objectAt(obj, 'metadata'), 'creationTimestamp'), nowMs);
}

function name(obj: JsonObject): string {
  return stringField(objectAt(obj, 'metadata'), 'name');
}

/** `ptr.Deref(spec.replicas, 0)`: objects are defaulted before they are stored, so 0 means unset. */
function desiredReplicas(spec: JsonObject): number {
  return numberField(spec, 'replicas') ?? 0;
}

/** `kubectl get deployments`: NAME READY UP-TO-DATE AVAILABLE AGE, wide: CONTAINERS IMAGES SELECTOR. */
export const DEPLOYMENT_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column('Up-to-date', 'string', 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.'),
    column('Available', 'string', 'Total number of available non-terminating pods targeted by this deployment.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'Label selector for pods.', 1),
  ],
  printRow: (obj, nowMs) => {
    const spec = objectAt(obj, 'spec');
    const status = objectAt(obj, 'status');
    // Unlike FormatLabelSelector, the deployment printer shows an empty selector as "".
    const selector = labelSelectorString(spec.selector) ?? '<invalid>';
    return {
      cells: [
        name(obj),
        `${numberField(status, 'readyReplicas') ?? 0}/${desiredReplicas(spec)}`,
        numberField(status, 'updatedReplicas') ?? 0,
        numberField(status, 'availableReplicas') ?? 0,
        age(obj, nowMs),
        ...containerCells(objectAt(spec, 'template')),
        selector,
      ],
    };
  },
};

/** `kubectl get replicasets`: NAME DESIRED CURRENT READY AGE, wide: CONTAINERS IMAGES SELECTOR. */
export const REPLICA_SET_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', 'Number of desired pods (spec.replicas).'),
    column('Current', 'integer', 'Number of pods currently owned (status.replicas).'),
    column('Ready', 'integer', 'Number of pods with a Ready condition (status.readyReplicas).'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'Label selector for pods.', 1),
  ],
  printRow: (obj, nowMs) => {
    const spec = objectAt(obj, 'spec');
    const status = objectAt(obj, 'status');
    return {
      cells: [
        name(obj),
        desiredReplicas(spec),
        numberField(status, 'replicas') ?? 0,
        numberField(status, 'readyReplicas') ?? 0,
        age(obj, nowMs),
        ...containerCells(objectAt(spec, 'template')),
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

/** `kubectl get statefulsets`: NAME READY AGE, wide: CONTAINERS IMAGES. */
export const STATEFUL_SET_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, column('Ready', 'string', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  printRow: (obj, nowMs) => {
    const spec = objectAt(obj, 'spec');
    const status = objectAt(obj, 'status');
    return {
      cells: [
        name(obj),
        `${numberField(status, 'readyReplicas') ?? 0}/${desiredReplicas(spec)}`,
        age(obj, nowMs),
        ...containerCells(objectAt(spec, 'template')),
      ],
    };
  },
};

/** `kubectl get daemonsets`: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE. */
export const DAEMON_SET_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Desired', 'integer', 'Number of nodes that should run the daemon pod (status.desiredNumberScheduled).'),
    column('Current', 'integer', 'Number of nodes running at least one daemon pod (status.currentNumberScheduled).'),
    column('Ready', 'integer', 'Number of nodes whose daemon pod is ready (status.numberReady).'),
    column('Up-to-date', 'integer', 'Number of nodes running the updated daemon pod (status.updatedNumberScheduled).'),
    column('Available', 'integer', 'Number of nodes whose daemon pod is available (status.numberAvailable).'),
    column('Node Selector', 'string', 'The pod template node selector.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'Label selector for pods.', 1),
  ],
  printRow: (obj, nowMs) => {
    const spec = objectAt(obj, 'spec');
    const status = objectAt(obj, 'status');
    const template = objectAt(spec, 'template');
    return {
      cells: [
        name(obj),
        numberField(status, 'desiredNumberScheduled') ?? 0,
        numberField(status, 'currentNumberScheduled') ?? 0,
        numberField(status, 'numberReady') ?? 0,
        numberField(status, 'updatedNumberScheduled') ?? 0,
        numberField(status, 'numberAvailable') ?? 0,
        formatLabelMap(stringMap(objectAt(template, 'spec'), 'nodeSelector')),
        age(obj, nowMs),
        ...containerCells(template),
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

/** Whether the job carries condition `type` with status True (kube checks the first match only). */
function hasJobCondition(status: JsonObject, type: string): boolean {
  const condition = objectList(status, 'conditions').find((c) => stringField(c, 'type') === type);
  return condition !== undefined && stringField(condition, 'status') === 'True';
}

function jobStatusCell(obj: JsonObject, status: JsonObject): string {
  if (hasJobCondition(status, 'Complete')) return 'Complete';
  if (hasJobCondition(status, 'Failed')) return 'Failed';
  if (timestampField(objectAt(obj, 'metadata'), 'deletionTimestamp') !== undefined) return 'Terminating';
  if (hasJobCondition(status, 'Suspended')) return 'Suspended';
  if (hasJobCondition(status, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletionsCell(spec: JsonObject, status: JsonObject): string {
  const succeeded = numberField(status, 'succeeded') ?? 0;
  const completions = numberField(spec, 'completions');
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = numberField(spec, 'parallelism') ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDurationCell(status: JsonObject, nowMs: number): string {
  const startMs = timestampField(status, 'startTime');
  if (startMs === undefined) return '';
  const endMs = timestampField(status, 'completionTime') ?? nowMs;
  return humanDuration(endMs - startMs);
}

/** `kubectl get jobs` (1.32): NAME STATUS COMPLETIONS DURATION AGE, wide: CONTAINERS IMAGES SELECTOR. */
export const JOB_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'Status of the job.'),
    column('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'Label selector for pods.', 1),
  ],
  printRow: (obj, nowMs) => {
    const spec = objectAt(obj, 'spec');
    const status = objectAt(obj, 'status');
    return {
      cells: [
        name(obj),
        jobStatusCell(obj, status),
        jobCompletionsCell(spec, status),
        jobDurationCell(status, nowMs),
        age(obj, nowMs),
        ...containerCells(objectAt(spec, 'template')),
        formatLabelSelector(spec.selector),
      ],
    };
  },
};

/** `printBoolPtr`: "True"/"False", "<unset>" when absent. */
function boolPtrCell(value: boolean | undefined): string {
  if (value === undefined) return '<unset>';
  return value ? 'True' : 'False';
}

/** `kubectl get cronjobs`: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE. */
export const CRON_JOB_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Schedule', 'string', 'The schedule in Cron format.'),
    column('Timezone', 'string', 'The time zone name for the schedule.'),
    column('Suspend', 'boolean', 'Whether subsequent executions are suspended.'),
    column('Active', 'integer', 'Number of currently running jobs.'),
    column('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column('Selector', 'string', 'Label selector for pods.', 1),
  ],
  printRow: (obj, nowMs) => {
    const spec = objectAt(obj, 'spec');
    const status = objectAt(obj, 'status');
    const jobSpec = objectAt(spec, 'jobTemplate', 'spec');
    const lastScheduleMs = timestampField(status, 'lastScheduleTime');
    return {
      cells: [
        name(obj),
        stringField(spec, 'schedule'),
        typeof spec.timeZone === 'string' ? spec.timeZone : '<none>',
        boolPtrCell(booleanField(spec, 'suspend')),
        objectList(status, 'active').length,
        lastScheduleMs === undefined ? '<none>' : translateTimestampSince(lastScheduleMs, nowMs),
        age(obj, nowMs),
        ...containerCells(objectAt(jobSpec, 'template')),
        formatLabelSelector(jobSpec.selector),
      ],
    };
  },
};
