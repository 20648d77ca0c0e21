import { translateTimestampSince } from './duration.js';
import { booleanField, isJsonObject, mapSize, numberField, objectAt, objectList, stringField, stringMap, timestampField, type JsonObject } from './fields.js';
import { AGE_COLUMN, column, NAME_COLUMN, type TablePrinter } from './table.js';

/** Label prefix whose suffix names a node role (`node-role.kubernetes.io/control-plane`). */
const NODE_ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
/** Legacy label whose value names a node role. */
const NODE_ROLE_LABEL = 'kubernetes.io/role';

function metaName(obj: JsonObject): string {
  return stringField(objectAt(obj, 'metadata'), 'name');
}

function age(obj: JsonObject, nowMs: number): string {
  return translateTimestampSince(timestampField(objectAt(obj, 'metadata'), 'creationTimestamp'), nowMs);
}

/** `findNodeRoles`, sorted (kube leaves set order unspecified). */
function nodeRoles(labels: Readonly<Record<string, string>>): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels)) {
    if (key.startsWith(NODE_ROLE_LABEL_PREFIX)) {
      const role = key.slice(NODE_ROLE_LABEL_PREFIX.length);
      if (role !== '') roles.add(role);
    } else if (key === NODE_ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  return [...roles].sort();
}

function nodeAddress(status: JsonObject, type: string): string {
  const address = objectList(status, 'addresses').find((a) => stringField(a, 'type') === type);
  return address === undefined ? '<none>' : stringField(address, 'address');
}

/** `kubectl get nodes`: NAME STATUS ROLES AGE VERSION, wide: INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME. */
export const NODE_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'string', 'Kubelet version reported by the node.'),
    column('Internal-IP', 'string', 'The first InternalIP address of the node.', 1),
    column('External-IP', 'string', 'The first ExternalIP address of the node.', 1),
    column('OS-Image', 'string', 'OS image reported by the node.', 1),
    column('Kernel-Version', 'string', 'Kernel version reported by the node.', 1),
    column('Container-Runtime', 'string', 'Container runtime version reported by the node.', 1),
  ],
  printRow: (obj, nowMs) => {
    const status = objectAt(obj, 'status');
    const info = objectAt(status, 'nodeInfo');
    // Only the Ready condition contributes; the last one of that type wins, as in kube's map.
    let readiness: string | undefined;
    for (const condition of objectList(status, 'conditions')) {
      if (stringField(condition, 'type') === 'Ready') {
        readiness = stringField(condition, 'status') === 'True' ? 'Ready' : 'NotReady';
      }
    }
    const states = [readiness ?? 'Unknown'];
    if (booleanField(objectAt(obj, 'spec'), 'unschedulable') === true) states.push('SchedulingDisabled');
    const roles = nodeRoles(stringMap(objectAt(obj, 'metadata'), 'labels')).join(',');
    return {
      cells: [
        metaName(obj),
        states.join(','),
        roles === '' ? '<none>' : roles,
        age(obj, nowMs),
        stringField(info, 'kubeletVersion'),
        nodeAddress(status, 'InternalIP'),
        nodeAddress(status, 'ExternalIP'),
        stringField(info, 'osImage') || '<unknown>',
        stringField(info, 'kernelVersion') || '<unknown>',
        stringField(info, 'containerRuntimeVersion') || '<unknown>',
      ],
    };
  },
};

/** `kubectl get namespaces`: NAME STATUS AGE. */
export const NAMESPACE_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, column('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  printRow: (obj, nowMs) => ({ cells: [metaName(obj), stringField(objectAt(obj, 'status'), 'phase'), age(obj, nowMs)] }),
};

/** `kubectl get configmaps`: NAME DATA AGE (DATA counts data and binaryData keys). */
export const CONFIG_MAP_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, column('Data', 'string', 'Number of keys in data and binaryData.'), AGE_COLUMN],
  printRow: (obj, nowMs) => ({ cells: [metaName(obj), mapSize(obj, 'data') + mapSize(obj, 'binaryData'), age(obj, nowMs)] }),
};

/** `kubectl get secrets`: NAME TYPE DATA AGE. */
export const SECRET_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), column('Data', 'string', 'Number of keys in data.'), AGE_COLUMN],
  printRow: (obj, nowMs) => ({ cells: [metaName(obj), stringField(obj, 'type'), mapSize(obj, 'data'), age(obj, nowMs)] }),
};

/** `kubectl get serviceaccounts`: NAME SECRETS AGE. */
export const SERVICE_ACCOUNT_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, column('Secrets', 'string', 'Number of secrets listed in the service account.'), AGE_COLUMN],
  printRow: (obj, nowMs) => ({ cells: [metaName(obj), objectList(obj, 'secrets').length, age(obj, nowMs)] }),
};

/** `kubectl get leases`: NAME HOLDER AGE. */
export const LEASE_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, column('Holder', 'string', 'The identity of the current holder of the lease.'), AGE_COLUMN],
  printRow: (obj, nowMs) => ({ cells: [metaName(obj), stringField(objectAt(obj, 'spec'), 'holderIdentity'), age(obj, nowMs)] }),
};

/** `formatEventSource`: "component, host", falling back to reportingController/Instance. */
function eventSource(event: JsonObject): string {
  const source = objectAt(event, 'source');
  const component = stringField(source, 'component') || stringField(event, 'reportingComponent');
  const instance = stringField(source, 'host') || stringField(event, 'reportingInstance');
  return instance === '' ? component : `${component}, ${instance}`;
}

/** `kubectl get events`: LAST SEEN TYPE REASON OBJECT MESSAGE, wide adds SUBOBJECT SOURCE FIRST SEEN COUNT NAME. */
export const EVENT_TABLE_PRINTER: TablePrinter = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning).'),
    column('Reason', 'string', 'Short, machine understandable reason for the transition.'),
    column('Object', 'string', 'The object this event is about.'),
    column('Subobject', 'string', 'The part of the object this event is about (involvedObject.fieldPath).', 1),
    column('Source', 'string', 'The component reporting this event.', 1),
    column('Message', 'string', 'A human-readable description of the event.'),
    column('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    column('Count', 'string', 'The number of times this event has occurred.', 1),
    column('Name', 'string', 'Name of the Event object.', 1, 'name'),
  ],
  printRow: (obj, nowMs) => {
    const first = timestampField(obj, 'firstTimestamp');
    const firstSeen = translateTimestampSince(first ?? timestampField(obj, 'eventTime'), nowMs);
    const last = timestampField(obj, 'lastTimestamp');
    let lastSeen = last === undefined ? firstSeen : translateTimestampSince(last, nowMs);
    let count = numberField(obj, 'count') ?? 0;
    const series = obj.series;
    if (isJsonObject(series)) {
      lastSeen = translateTimestampSince(timestampField(series, 'lastObservedTime'), nowMs);
      count = numberField(series, 'count') ?? 0;
    } else if (count === 0) {
      // Events created through events.k8s.io are singletons without a count.
      count = 1;
    }
    const involved = objectAt(obj, 'involvedObject');
    const kind = stringField(involved, 'kind').toLowerCase();
    const involvedName = stringField(involved, 'name');
    return {
      cells: [
        lastSeen,
        stringField(obj, 'type'),
        stringField(obj, 'reason'),
        involvedName === '' ? kind : `${kind}/${involvedName}`,
        stringField(involved, 'fieldPath'),
        eventSource(obj),
        stringField(obj, 'message').trim(),
        firstSeen,
        count,
        metaName(obj),
      ],
    };
  },
};
