// Public surface of the container runtime: the CRI-like interface and its errors, the process
// runtime (and the isolation seam it calls), the image store, and the hollow runtime.
export type * from './cri.js';
export * from './runtime-errors.js';
export * from './process/index.js';
export * from './images/index.js';
export * from './hollow/index.js';
export * from './linux/index.js';
