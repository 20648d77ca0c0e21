// Public surface of actors/.
export {};
export * from './runtime/index.js';
export * from './apiserver/index.js';
