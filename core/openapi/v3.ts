import { createHash } from 'node:crypto';
import { pathTypeRoots, renderPaths, renderSchemas } from './document-render.js';
import { registryForResources } from './document-types.js';
import { resourceOpenApiPaths, type OpenApiPath } from './operations.js';
import { FLOTILLA_OPENAPI_RESOURCES, openApiGroupVersionPath, type OpenApiResource } from './resources.js';
import type { OpenApiJson } from './schema-render.js';

/** The `info.version` Flotilla reports; kubectl's dispatcher picks its binary from /version, not from here. */
export const OPENAPI_SPEC_VERSION = 'v1.32.0';

/** Types every group-version document carries besides its kinds, as kube's do. */
const COMMON_V3_ROOTS = [
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
];

/** One `/openapi/v3/<key>` document and the hash its index entry carries. */
export interface OpenApiV3GroupVersionDocument {
  /** `api/v1` or `apis/<group>/<version>`. */
  readonly key: string;
  readonly document: OpenApiJson;
  /** Uppercase hex SHA-512 of the serialized document, as kube computes it; changes whenever the document does. */
  readonly hash: string;
  /** The exact body to serve (the hash is of these bytes). */
  readonly body: string;
}

/**
 * The OpenAPI v3 documents, one per group-version of `resources`, keyed by `api/v1` or
 * `apis/<group>/<version>`. Every PATCH operation carries `x-kubernetes-group-version-kind` and
 * the `fieldValidation` query parameter: kubectl 1.32 reads exactly that to decide the server
 * validates fields itself (then it sends `fieldValidation=Strict` and skips client-side schema
 * validation, which would otherwise need the protobuf `/openapi/v2`). Kind schemas carry
 * `x-kubernetes-group-version-kind` and patch strategies, which `kubectl apply` uses to compute
 * its strategic merge patch.
 */
export function buildOpenApiV3Documents(resources: readonly OpenApiResource[] = FLOTILLA_OPENAPI_RESOURCES): Map<string, OpenApiV3GroupVersionDocument> {
  const registry = registryForResources(resources);
  const byGroupVersion = new Map<string, OpenApiPath[]>();
  for (const resource of resources) {
    const key = openApiGroupVersionPath(resource.group, resource.version);
    const paths = byGroupVersion.get(key) ?? [];
    paths.push(...resourceOpenApiPaths(resource));
    byGroupVersion.set(key, paths);
  }
  const documents = new Map<string, OpenApiV3GroupVersionDocument>();
  for (const key of [...byGroupVersion.keys()].sort()) {
    const paths = byGroupVersion.get(key) ?? [];
    const document: OpenApiJson = {
      openapi: '3.0.0',
      info: { title: 'Kubernetes', version: OPENAPI_SPEC_VERSION },
      paths: renderPaths(paths, 'v3'),
      components: { schemas: renderSchemas([...pathTypeRoots(paths), ...COMMON_V3_ROOTS], registry, 'v3') },
    };
    const body = JSON.stringify(document);
    documents.set(key, { key, document, body, hash: createHash('sha512').update(body).digest('hex').toUpperCase() });
  }
  return documents;
}

/**
 * The `/openapi/v3` index: `{"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=…"}}}`.
 * kubectl finds a group-version's document only through this index, and caches documents by URL,
 * so the hash must change with the content.
 */
export function buildOpenApiV3Index(documents: ReadonlyMap<string, OpenApiV3GroupVersionDocument>): OpenApiJson {
  const paths: OpenApiJson = {};
  for (const [key, doc] of documents) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  return { paths };
}
