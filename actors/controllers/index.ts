// Public surface of actors/controllers/: the controller framework, and (wired by the integrator)
// each controller's definition.
export * from './framework/index.js';
export * from './replicaset/index.js';
export * from './deployment/index.js';

import { deploymentController } from './deployment/index.js';
import type { ControllerDefinition } from './framework/index.js';
import { replicaSetController } from './replicaset/index.js';

/** Every controller a master's controller manager runs. */
export const ALL_CONTROLLERS: readonly ControllerDefinition[] = [replicaSetController, deploymentController];
