// Public surface of actors/controllers/: the controller framework, and (wired by the integrator)
// each controller's definition.
export * from './framework/index.js';
export * from './replicaset/index.js';
export * from './deployment/index.js';
