// Public surface of cluster/: the commands, for tests that drive them in-process.
export { lincheckCommand, LincheckExit, LINCHECK_USAGE } from './commands/lincheck.js';
export type { LincheckIo } from './commands/lincheck.js';
export * from './pki/index.js';
