// Public surface of actors/controllers/: the controller framework, and each controller's definition.
export * from './framework/index.js';
export * from './replicaset/index.js';
export * from './deployment/index.js';
export * from './nodelifecycle/index.js';
export * from './endpoints/index.js';
export * from './endpointslice/index.js';
export * from './garbagecollector/index.js';
export * from './podgc/index.js';
export * from './serviceaccount/index.js';
export * from './statefulset/index.js';
export * from './daemonset/index.js';
export * from './job/index.js';
export * from './cronjob/index.js';

import { deploymentController } from './deployment/index.js';
import { endpointsController } from './endpoints/index.js';
import { endpointSliceController } from './endpointslice/index.js';
import type { ControllerDefinition } from './framework/index.js';
import { garbageCollectorController } from './garbagecollector/index.js';
import { nodeLifecycleController } from './nodelifecycle/index.js';
import { podGcController } from './podgc/index.js';
import { replicaSetController } from './replicaset/index.js';
import { serviceAccountController } from './serviceaccount/index.js';
import { statefulSetController } from './statefulset/index.js';
import { daemonSetController } from './daemonset/index.js';
import { jobController } from './job/index.js';
import { cronJobController } from './cronjob/index.js';

/** Every controller a master's controller manager runs. */
export const ALL_CONTROLLERS: readonly ControllerDefinition[] = [
  replicaSetController,
  deploymentController,
  nodeLifecycleController,
  endpointsController,
  endpointSliceController,
  garbageCollectorController,
  podGcController,
  serviceAccountController,
  statefulSetController,
  daemonSetController,
  jobController,
  cronJobController,
];
