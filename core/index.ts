// Public surface of core/: the object model and the pieces every other folder shares.
export * from './assert.js';
export * from './random.js';
export * from './lincheck/index.js';
