import { CONFIG_MAP_TABLE_PRINTER, EVENT_TABLE_PRINTER, LEASE_TABLE_PRINTER, NAMESPACE_TABLE_PRINTER, NODE_TABLE_PRINTER, SECRET_TABLE_PRINTER, SERVICE_ACCOUNT_TABLE_PRINTER } from './cluster.js';
import { translateTimestampSince } from './duration.js';
import { isJsonObject, objectAt, stringField, timestampField, type JsonObject } from './fields.js';
import { ENDPOINT_SLICE_TABLE_PRINTER, ENDPOINTS_TABLE_PRINTER, SERVICE_TABLE_PRINTER } from './network.js';
import { POD_TABLE_PRINTER } from './pod.js';
import {
  AGE_COLUMN,
  NAME_COLUMN,
  type Table,
  type TableColumnDefinition,
  type TableIncludeObject,
  type TableListMetadata,
  type TablePrinter,
  type TableRow,
} from './table.js';
import {
  CRON_JOB_TABLE_PRINTER,
  DAEMON_SET_TABLE_PRINTER,
  DEPLOYMENT_TABLE_PRINTER,
  JOB_TABLE_PRINTER,
  REPLICA_SET_TABLE_PRINTER,
  STATEFUL_SET_TABLE_PRINTER,
} from './workloads.js';

/** A resource as the URL names it; the group is "" for the core group. */
export interface TableResource {
  readonly group: string;
  readonly resource: string;
}

/** NAME AGE, for every resource without a dedicated printer. */
export const DEFAULT_TABLE_PRINTER: TablePrinter = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  printRow: (obj, nowMs) => {
    const metadata = objectAt(obj, 'metadata');
    return { cells: [stringField(metadata, 'name'), translateTimestampSince(timestampField(metadata, 'creationTimestamp'), nowMs)] };
  },
};

const PRINTERS: ReadonlyMap<string, TablePrinter> = new Map([
  ['/pods', POD_TABLE_PRINTER],
  ['/nodes', NODE_TABLE_PRINTER],
  ['/namespaces', NAMESPACE_TABLE_PRINTER],
  ['/services', SERVICE_TABLE_PRINTER],
  ['/endpoints', ENDPOINTS_TABLE_PRINTER],
  ['/configmaps', CONFIG_MAP_TABLE_PRINTER],
  ['/secrets', SECRET_TABLE_PRINTER],
  ['/events', EVENT_TABLE_PRINTER],
  ['/serviceaccounts', SERVICE_ACCOUNT_TABLE_PRINTER],
  ['apps/deployments', DEPLOYMENT_TABLE_PRINTER],
  ['apps/replicasets', REPLICA_SET_TABLE_PRINTER],
  ['apps/statefulsets', STATEFUL_SET_TABLE_PRINTER],
  ['apps/daemonsets', DAEMON_SET_TABLE_PRINTER],
  ['batch/jobs', JOB_TABLE_PRINTER],
  ['batch/cronjobs', CRON_JOB_TABLE_PRINTER],
  ['coordination.k8s.io/leases', LEASE_TABLE_PRINTER],
  ['discovery.k8s.io/endpointslices', ENDPOINT_SLICE_TABLE_PRINTER],
]);

/** The printer kube uses for `resource` (by group and plural), or the NAME AGE default. */
export function tablePrinterFor(resource: TableResource): TablePrinter {
  return PRINTERS.get(`${resource.group}/${resource.resource}`) ?? DEFAULT_TABLE_PRINTER;
}

/** The column definitions of `resource`'s table, in cell order. */
export function tableColumnsFor(resource: TableResource): readonly TableColumnDefinition[] {
  return tablePrinterFor(resource).columns;
}

export interface RenderTableOptions {
  /** The clock reading (ms since the epoch) every AGE and duration is measured against. */
  readonly nowMs: number;
  /** What each row's object carries; kube's default is Metadata. */
  readonly includeObject?: TableIncludeObject;
  /**
   * Omit columnDefinitions. kube sets this on every watch event after the first, so only the
   * first Table of a watch stream carries the headers.
   */
  readonly noHeaders?: boolean;
  /** The list's metadata (resourceVersion, continue); for a single GET, the object's resourceVersion. */
  readonly listMetadata?: TableListMetadata;
  /** The Table version negotiated from Accept (see acceptedTableVersion); v1 by default. */
  readonly tableVersion?: 'v1' | 'v1beta1';
}

/** `asPartialObjectMetadata`: the object's whole metadata under meta.k8s.io/v1 PartialObjectMetadata. */
function partialObjectMetadata(obj: JsonObject): JsonObject {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: isJsonObject(obj.metadata) ? obj.metadata : {} };
}

function rowObject(obj: JsonObject, includeObject: TableIncludeObject): JsonObject | null {
  switch (includeObject) {
    case 'None':
      return null;
    case 'Object':
      return obj;
    case 'Metadata':
      return partialObjectMetadata(obj);
  }
}

/**
 * Renders `objects` (already filtered and ordered by the caller) as a `meta.k8s.io/v1` Table
 * with kube's columns for `resource`. Every column is present, priority-1 columns included:
 * the server does not know about `-o wide`; kubectl hides priority > 0 columns itself.
 */
export function renderTable(resource: TableResource, objects: readonly JsonObject[], options: RenderTableOptions): Table {
  const printer = tablePrinterFor(resource);
  const includeObject = options.includeObject ?? 'Metadata';
  const rows: TableRow[] = objects.map((obj) => {
    const printed = printer.printRow(obj, options.nowMs);
    const row: TableRow = { cells: printed.cells, object: rowObject(obj, includeObject) };
    return printed.conditions === undefined ? row : { ...row, conditions: printed.conditions };
  });
  return {
    kind: 'Table',
    apiVersion: options.tableVersion === 'v1beta1' ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1',
    metadata: { ...(options.listMetadata ?? {}) },
    columnDefinitions: options.noHeaders === true ? [] : printer.columns.map((c) => ({ ...c })),
    rows,
  };
}
