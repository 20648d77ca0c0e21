// Public surface of core/printers/: kube's server-side Table output for every kind Flotilla serves.
export { humanDuration } from './duration.js';
export { acceptedTableVersion } from './table-accept.js';
export {
  TABLE_INCLUDE_OBJECT_VALUES,
  type Table,
  type TableCell,
  type TableColumnDefinition,
  type TableIncludeObject,
  type TableListMetadata,
  type TablePrintedRow,
  type TablePrinter,
  type TableRow,
  type TableRowCondition,
  type TableRowPrinter,
} from './table.js';
export {
  DEFAULT_TABLE_PRINTER,
  renderTable,
  tableColumnsFor,
  tablePrinterFor,
  type RenderTableOptions,
  type TableResource,
} from './render.js';
export { labelSelectorString } from './selectors-format.js';
