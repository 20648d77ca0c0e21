// The TypeScript shapes of every kind Flotilla serves. Objects remain plain JSON at runtime.
export type * from './meta.js';
export type * from './container.js';
export type * from './pod.js';
export type * from './core.js';
export type * from './workloads.js';
