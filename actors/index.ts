// Public surface of actors/.
export {};
export * from './runtime/index.js';
export * from './apiserver/index.js';
export * from './kubelet/index.js';
export * from './controllers/index.js';
export * from './leader/index.js';
export * from './events/index.js';
export * from './scheduler/index.js';
