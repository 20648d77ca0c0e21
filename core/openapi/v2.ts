import { pathTypeRoots, renderPaths, renderSchemas } from './document-render.js';
import { registryForResources } from './document-types.js';
import { resourceOpenApiPaths } from './operations.js';
import { FLOTILLA_OPENAPI_RESOURCES, type OpenApiResource } from './resources.js';
import type { OpenApiJson } from './schema-render.js';
import { OPENAPI_SPEC_VERSION } from './v3.js';

/**
 * The Swagger 2.0 document of `/openapi/v2`, in JSON. Serve it only for `Accept:
 * application/json`: kubectl asks for `application/com.github.proto-openapi.spec.v2@v1.0+protobuf`
 * and fails ("proto: cannot parse invalid wire-format data") when handed JSON, so for that Accept
 * the server should answer 406 and let kubectl use `/openapi/v3`.
 */
export function buildOpenApiV2(resources: readonly OpenApiResource[] = FLOTILLA_OPENAPI_RESOURCES): OpenApiJson {
  const registry = registryForResources(resources);
  const paths = resources.flatMap((r) => resourceOpenApiPaths(r));
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: OPENAPI_SPEC_VERSION },
    paths: renderPaths(paths, 'v2'),
    definitions: renderSchemas(
      [...pathTypeRoots(paths), 'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent'],
      registry,
      'v2',
    ),
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer token authentication' } },
    security: [{ BearerToken: [] }],
  };
}
