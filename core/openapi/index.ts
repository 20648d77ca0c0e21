// Public surface of core/openapi/: the OpenAPI v2 and v3 documents kubectl and clients read.
export {
  FLOTILLA_OPENAPI_RESOURCES,
  OPENAPI_DEFAULT_VERBS,
  openApiGroupVersionPath,
  type OpenApiResource,
  type OpenApiSubresource,
} from './resources.js';
export {
  acceptedAggregatedDiscovery,
  AGGREGATED_DISCOVERY_V2_CONTENT_TYPE,
  AGGREGATED_DISCOVERY_V2BETA1_CONTENT_TYPE,
  renderAggregatedDiscovery,
  renderApiGroupList,
  renderApiResourceList,
  renderApiVersions,
} from './discovery.js';
export { buildOpenApiV3Documents, buildOpenApiV3Index, OPENAPI_SPEC_VERSION, type OpenApiV3GroupVersionDocument } from './v3.js';
export { buildOpenApiV2 } from './v2.js';
export { OPENAPI_PATCH_CONTENT_TYPES } from './operations.js';
export { OPENAPI_TYPE_REGISTRY } from './registry.js';
export {
  definitionName as openApiDefinitionName,
  type OpenApiField,
  type OpenApiGroupVersionKind,
  type OpenApiObjectType,
  type OpenApiType,
  type OpenApiTypeRegistry,
} from './schema-dsl.js';
export type { OpenApiJson } from './schema-render.js';
