// Public surface of core/lincheck: a linearizability checker for key-value register histories.
export type { HistoryEvent, LinCompletionType, LinFunction, LinOpType } from './history.js';
export { parseHistory, HistoryParseError } from './parse.js';
export { MalformedHistoryError } from './operations.js';
export { SearchLimitError } from './search-cache.js';
export {
  checkLinearizable,
  DEFAULT_MAX_CONFIGURATIONS,
  type LinCheckOptions,
  type LinResult,
} from './check.js';
export { HistoryRecorder } from './recorder.js';
