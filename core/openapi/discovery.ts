import { groupVersionString, OPENAPI_DEFAULT_VERBS, type OpenApiResource } from './resources.js';
import type { OpenApiJson } from './schema-render.js';

/** Content type of aggregated discovery (v2). kubectl parses the body as aggregated only when the response says so. */
export const AGGREGATED_DISCOVERY_V2_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
/** The v2beta1 variant kubectl still accepts as its second choice. */
export const AGGREGATED_DISCOVERY_V2BETA1_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Which aggregated discovery version an Accept header asks for, if any (v2 preferred, as kubectl orders it). */
export function acceptedAggregatedDiscovery(accept: string): 'v2' | 'v2beta1' | undefined {
  const ranges = accept.split(',').map((range) => range.split(';').map((p) => p.trim().toLowerCase()));
  const wants = (version: string): boolean =>
    ranges.some((params) => params[0] === 'application/json'
      && params.includes('g=apidiscovery.k8s.io')
      && params.includes(`v=${version}`)
      && params.includes('as=apigroupdiscoverylist'));
  if (wants('v2')) return 'v2';
  if (wants('v2beta1')) return 'v2beta1';
  return undefined;
}

/** The groups of `resources` other than core, in first-appearance order, each with its versions. */
function groupVersions(resources: readonly OpenApiResource[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const r of resources) {
    const versions = groups.get(r.group) ?? [];
    if (!versions.includes(r.version)) versions.push(r.version);
    groups.set(r.group, versions);
  }
  return groups;
}

/** `GET /api`: the legacy group's versions. */
export function renderApiVersions(serverAddress: string): OpenApiJson {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `GET /apis`: every named group; the first version listed is the preferred one. */
export function renderApiGroupList(resources: readonly OpenApiResource[]): OpenApiJson {
  const groups = [...groupVersions(resources)].filter(([group]) => group !== '').map(([name, versions]) => ({
    name,
    versions: versions.map((version) => ({ groupVersion: groupVersionString(name, version), version })),
    preferredVersion: { groupVersion: groupVersionString(name, versions[0] ?? ''), version: versions[0] ?? '' },
  }));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** `GET /api/v1` or `/apis/<group>/<version>`: the resources and subresources of one group-version. */
export function renderApiResourceList(group: string, version: string, resources: readonly OpenApiResource[]): OpenApiJson {
  const entries: OpenApiJson[] = [];
  for (const r of resources.filter((x) => x.group === group && x.version === version)) {
    const entry: OpenApiJson = {
      name: r.resource,
      singularName: r.singular ?? r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...(r.verbs ?? OPENAPI_DEFAULT_VERBS)],
    };
    if (r.shortNames !== undefined && r.shortNames.length > 0) entry.shortNames = [...r.shortNames];
    if (r.categories !== undefined && r.categories.length > 0) entry.categories = [...r.categories];
    entries.push(entry);
    for (const sub of r.subresources ?? []) {
      const subEntry: OpenApiJson = { name: `${r.resource}/${sub.name}`, singularName: '', namespaced: r.namespaced };
      // kube names the group and version only when they differ from the list's (Scale).
      if (sub.group !== group || sub.version !== version) {
        subEntry.group = sub.group;
        subEntry.version = sub.version;
      }
      subEntry.kind = sub.kind;
      subEntry.verbs = [...sub.verbs];
      entries.push(subEntry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersionString(group, version), resources: entries };
}

function aggregatedResource(r: OpenApiResource): OpenApiJson {
  const entry: OpenApiJson = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular ?? r.kind.toLowerCase(),
    verbs: [...(r.verbs ?? OPENAPI_DEFAULT_VERBS)],
  };
  if (r.shortNames !== undefined && r.shortNames.length > 0) entry.shortNames = [...r.shortNames];
  if (r.categories !== undefined && r.categories.length > 0) entry.categories = [...r.categories];
  const subs = r.subresources ?? [];
  if (subs.length > 0) {
    entry.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: [...s.verbs],
    }));
  }
  return entry;
}

/**
 * Aggregated discovery (`APIGroupDiscoveryList`) for `GET /api` (`legacy`: the core group only)
 * or `GET /apis` (every named group). Serve it with the matching content type constant; kubectl
 * 1.32 then needs no per-group-version discovery requests.
 */
export function renderAggregatedDiscovery(
  resources: readonly OpenApiResource[],
  scope: 'legacy' | 'apis',
  version: 'v2' | 'v2beta1' = 'v2',
): OpenApiJson {
  const items = [...groupVersions(resources)]
    .filter(([group]) => (scope === 'legacy') === (group === ''))
    .map(([group, versions]) => ({
      metadata: group === '' ? {} : { name: group },
      versions: versions.map((v) => ({
        version: v,
        resources: resources.filter((r) => r.group === group && r.version === v).map(aggregatedResource),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}
