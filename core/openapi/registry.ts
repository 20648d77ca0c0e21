import { CONTAINER_OPENAPI_TYPES } from './types-container.js';
import { CORE_OPENAPI_TYPES } from './types-core.js';
import { META_OPENAPI_TYPES } from './types-meta.js';
import { POD_OPENAPI_TYPES } from './types-pod.js';
import { VOLUME_OPENAPI_TYPES } from './types-volume.js';
import { WORKLOAD_OPENAPI_TYPES } from './types-workloads.js';
import type { OpenApiTypeRegistry } from './schema-dsl.js';

/** Every type Flotilla publishes, by kube definition name. */
export const OPENAPI_TYPE_REGISTRY: OpenApiTypeRegistry = {
  ...META_OPENAPI_TYPES,
  ...CONTAINER_OPENAPI_TYPES,
  ...POD_OPENAPI_TYPES,
  ...VOLUME_OPENAPI_TYPES,
  ...CORE_OPENAPI_TYPES,
  ...WORKLOAD_OPENAPI_TYPES,
};
