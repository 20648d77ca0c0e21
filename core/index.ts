// Public surface of core/: the object model and the pieces every other folder shares.
export * from './assert.js';
export * from './random.js';
export * from './msgpack.js';
export * from './identity-cache.js';
export * from './lincheck/index.js';
export * from './api/index.js';
export * from './selectors/index.js';
export * from './patch/index.js';
export * from './storage/index.js';
export * from './printers/index.js';
export * from './openapi/index.js';
export * from './client/index.js';
