import { OPENAPI_TYPE_REGISTRY } from './registry.js';
import { definitionName, kindFields, listType, type OpenApiType, type OpenApiTypeRegistry } from './schema-dsl.js';
import type { OpenApiResource } from './resources.js';

/**
 * The registry extended with permissive schemas for any resource Flotilla serves but has no
 * modelled type for: apiVersion, kind and metadata, everything else kept as given. kubectl still
 * finds the kind's PATCH operation (and so server-side field validation). The schemas carry no
 * `x-kubernetes-group-version-kind` on purpose: `kubectl apply` only computes a patch from a
 * schema that claims the kind, and one without fields would fail ("unable to find api field")
 * where kubectl's compiled-in types or a JSON merge patch do the right thing.
 */
export function registryForResources(resources: readonly OpenApiResource[]): OpenApiTypeRegistry {
  const extra: Record<string, OpenApiType> = {};
  const kinds = resources.flatMap((r) => [r, ...(r.subresources ?? [])]);
  for (const { group, version, kind } of kinds) {
    const name = definitionName({ group, version, kind });
    if (OPENAPI_TYPE_REGISTRY[name] !== undefined || extra[name] !== undefined) continue;
    extra[name] = {
      description: `${kind} (schema not modelled by Flotilla; unknown fields are preserved).`,
      properties: { ...kindFields(), spec: { freeform: true }, status: { freeform: true } },
    };
    const listGvk = { group, version, kind: `${kind}List` };
    extra[definitionName(listGvk)] = { ...listType(name, listGvk), gvk: undefined };
  }
  return Object.keys(extra).length === 0 ? OPENAPI_TYPE_REGISTRY : { ...OPENAPI_TYPE_REGISTRY, ...extra };
}
