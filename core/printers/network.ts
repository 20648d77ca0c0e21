import { translateTimestampSince } from './duration.js';
import { numberField, objectAt, objectList, stringField, stringList, stringMap, timestampField, type JsonObject } from './fields.js';
import { formatLabelMap } from './selectors-format.js';
import { AGE_COLUMN, column, NAME_COLUMN, type TablePrinter } from './table.js';

/** How many addresses or ports a cell lists before it says "+ N more...". */
const LIST_CELL_ITEMS_MAX = 3;

function age(obj: JsonObject, nowMs: number): string {
  return translateTimestampSince(timestampField(objectAt(obj, 'metadata'), 'creationTimestamp'), nowMs);
}

/** `net.JoinHostPort`: IPv6 literals get brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The LoadBalancer ingress points (IP, else hostname), de-duplicated; sorted for determinism. */
function loadBalancerIngress(status: JsonObject): string[] {
  const points = new Set<string>();
  for (const ingress of objectList(objectAt(status, 'loadBalancer'), 'ingress')) {
    const point = stringField(ingress, 'ip') || stringField(ingress, 'hostname');
    if (point !== '') points.add(point);
  }
  return [...points].sort();
}

/** `getServiceExternalIP` in wide mode (the server always renders it unclipped). */
function serviceExternalIP(spec: JsonObject, status: JsonObject): string {
  const externalIPs = stringList(spec, 'externalIPs');
  // Stored services are defaulted; an absent type is ClusterIP.
  switch (stringField(spec, 'type', 'ClusterIP')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const points = loadBalancerIngress(status);
      if (externalIPs.length > 0) return [...points, ...externalIPs].join(',');
      return points.length > 0 ? points.join(',') : '<pending>';
    }
    case 'ExternalName':
      return stringField(spec, 'externalName');
    default:
      return '<unknown>';
  }
}

/** `makePortString`: "80/TCP", or "80:30080/TCP" with a node port. */
function servicePorts(spec: JsonObject): string {
  const pieces = objectList(spec, 'ports').map((port) => {
    const number = numberField(port, 'port') ?? 0;
    const protocol = stringField(port, 'protocol', 'TCP');
    const nodePort = numberField(port, 'nodePort') ?? 0;
    return nodePort > 0 ? `${number}:${nodePort}/${protocol}` : `${number}/${protocol}`;
  });
  return pieces.length > 0 ? pieces.join(',') : '<none>';
}

/** `kubectl get services`: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, wide: SELECTOR. */
export const SERVICE_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Type', 'string', 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'The IP address of the service (spec.clusterIPs[0]).'),
    column('External-IP', 'string', 'External IPs or load balancer ingress points of the service.'),
    column('Port(s)', 'string', 'The ports exposed by the service.'),
    AGE_COLUMN,
    column('Selector', 'string', 'Label selector of the pods the service routes to.', 1),
  ],
  printRow: (obj, nowMs) => {
    const spec = objectAt(obj, 'spec');
    const clusterIPs = stringList(spec, 'clusterIPs');
    return {
      cells: [
        stringField(objectAt(obj, 'metadata'), 'name'),
        stringField(spec, 'type', 'ClusterIP'),
        clusterIPs[0] ?? '<none>',
        serviceExternalIP(spec, objectAt(obj, 'status')),
        servicePorts(spec),
        age(obj, nowMs),
        formatLabelMap(stringMap(spec, 'selector')),
      ],
    };
  },
};

/** `formatEndpoints` with all ports: up to three "ip:port" entries, then "+ N more...". */
function formatEndpoints(endpoints: JsonObject): string {
  const subsets = objectList(endpoints, 'subsets');
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const subset of subsets) {
    const addresses = objectList(subset, 'addresses').map((a) => stringField(a, 'ip'));
    const ports = objectList(subset, 'ports');
    // A headless service may have addresses without ports.
    const entries = ports.length === 0
      ? addresses
      : ports.flatMap((p) => addresses.map((ip) => joinHostPort(ip, numberField(p, 'port') ?? 0)));
    count += entries.length;
    for (const entry of entries) {
      if (list.length === LIST_CELL_ITEMS_MAX) {
        more = true;
        break;
      }
      list.push(entry);
    }
  }
  const text = list.join(',');
  return more ? `${text} + ${count - LIST_CELL_ITEMS_MAX} more...` : text;
}

/** `kubectl get endpoints`: NAME ENDPOINTS AGE. */
export const ENDPOINTS_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, column('Endpoints', 'string', 'The set of addresses and ports of the endpoints.'), AGE_COLUMN],
  printRow: (obj, nowMs) => ({ cells: [stringField(objectAt(obj, 'metadata'), 'name'), formatEndpoints(obj), age(obj, nowMs)] }),
};

/** `listWithMoreString`: "<unset>" for an empty list. */
function listWithMore(items: readonly string[]): string {
  const shown = items.slice(0, LIST_CELL_ITEMS_MAX).join(',');
  if (items.length > LIST_CELL_ITEMS_MAX) return `${shown} + ${items.length - LIST_CELL_ITEMS_MAX} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** `kubectl get endpointslices`: NAME ADDRESSTYPE PORTS ENDPOINTS AGE. */
export const ENDPOINT_SLICE_TABLE_PRINTER: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('AddressType', 'string', 'The type of address carried by this EndpointSlice.'),
    column('Ports', 'string', 'The network ports exposed by each endpoint.'),
    column('Endpoints', 'string', 'The addresses of the endpoints.'),
    AGE_COLUMN,
  ],
  printRow: (obj, nowMs) => {
    const ports = objectList(obj, 'ports').map((p) => {
      const port = numberField(p, 'port');
      if (port !== undefined) return String(port);
      return typeof p.name === 'string' ? p.name : '*';
    });
    const addresses = objectList(obj, 'endpoints').flatMap((e) => stringList(e, 'addresses'));
    return {
      cells: [stringField(objectAt(obj, 'metadata'), 'name'), stringField(obj, 'addressType'), listWithMore(ports), listWithMore(addresses), age(obj, nowMs)],
    };
  },
};
