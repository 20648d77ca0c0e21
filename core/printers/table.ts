import type { JsonObject } from './fields.js';

/** One column of a server-side Table (`meta.k8s.io/v1` TableColumnDefinition). */
export interface TableColumnDefinition {
  readonly name: string;
  /** An OpenAPI type: "string", "integer", "number", "boolean" or "date". */
  readonly type: string;
  /** An OpenAPI format hint; "name" marks the column kubectl uses as the object's name. */
  readonly format: string;
  readonly description: string;
  /** 0 = always shown; 1 and above = shown only by `kubectl get -o wide`. */
  readonly priority: number;
}

/** A cell: kube printers emit strings, int64s and booleans. */
export type TableCell = string | number | boolean;

/** `meta.k8s.io/v1` TableRowCondition; kube sets `Completed` on finished pods. */
export interface TableRowCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

/**
 * One row. `object` holds what `includeObject` asked for: a PartialObjectMetadata, the whole
 * object, or null (kube serialises an empty RawExtension as null rather than omitting it).
 */
export interface TableRow {
  readonly cells: TableCell[];
  readonly conditions?: TableRowCondition[];
  readonly object: JsonObject | null;
}

/** The list metadata a Table carries (the list's or, for a single object, its resourceVersion). */
export interface TableListMetadata {
  readonly resourceVersion?: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

/** `meta.k8s.io/v1` Table, the body of a GET with `Accept: application/json;as=Table;...`. */
export interface Table {
  readonly kind: 'Table';
  /** v1beta1 has the same shape; kube serves it to clients that ask for it first. */
  readonly apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  readonly metadata: TableListMetadata;
  readonly columnDefinitions: TableColumnDefinition[];
  readonly rows: TableRow[];
}

/**
 * The `includeObject` query parameter: what each row's `object` carries. kube's default is
 * Metadata, and kubectl relies on it (it reads namespace and name from the row object for `-A`).
 */
export type TableIncludeObject = 'None' | 'Metadata' | 'Object';

/** The includeObject values the API accepts, for validating the query parameter. */
export const TABLE_INCLUDE_OBJECT_VALUES: readonly TableIncludeObject[] = ['None', 'Metadata', 'Object'];

/** A printer's contribution for one object: its cells, in column order, and row conditions. */
export interface TablePrintedRow {
  readonly cells: TableCell[];
  readonly conditions?: TableRowCondition[];
}

/** Turns one object into cells; `nowMs` is the injected clock reading used for ages. */
export type TableRowPrinter = (obj: JsonObject, nowMs: number) => TablePrintedRow;

/** A kind's table layout: its columns and the function that fills a row. */
export interface TablePrinter {
  readonly columns: readonly TableColumnDefinition[];
  readonly printRow: TableRowPrinter;
}

/** Shorthand for a column definition; `priority` 1 marks a `-o wide` column. */
export function column(name: string, type: string, description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}

/** The Name column every kube printer starts with. */
export const NAME_COLUMN = column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');

/** The Age column: time since metadata.creationTimestamp. */
export const AGE_COLUMN = column('Age', 'string', 'Time since the object was created (metadata.creationTimestamp).');
