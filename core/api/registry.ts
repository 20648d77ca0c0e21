// The kind/resource table: every kind Flotilla serves, with the names, scope, verbs and
// subresources kube-apiserver advertises for it in discovery.

/** group/version/kind; the core group is ''. */
export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** How object names of a kind are validated (the kind's ValidateXName in Kubernetes). */
export type NameRule = 'DNS1123Subdomain' | 'DNS1123Label' | 'DNS1035Label';

export interface ApiSubresource {
  /** e.g. `status`, `scale`, `log`. */
  readonly name: string;
  /** The kind the subresource speaks (Scale is autoscaling/v1 for every workload). */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly verbs: readonly string[];
}

export interface ApiResourceType extends GroupVersionKind {
  readonly listKind: string;
  /** The plural resource name used in URLs: `pods`, `deployments`. */
  readonly resource: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  readonly subresources: readonly ApiSubresource[];
  readonly nameRule: NameRule;
  /**
   * True when the kind carries metadata.generation: set to 1 on create and bumped when the spec
   * changes (workloads, jobs). Kinds without it leave generation as the client sent it.
   */
  readonly tracksGeneration: boolean;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const STATUS_VERBS = ['get', 'patch', 'update'] as const;

function status(group: string, version: string, kind: string): ApiSubresource {
  return { name: 'status', group, version, kind, verbs: STATUS_VERBS };
}

const SCALE: ApiSubresource = { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: STATUS_VERBS };

interface ResourceSpec {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: readonly string[];
  subresources?: ApiSubresource[];
  nameRule?: NameRule;
  tracksGeneration?: boolean;
}

function define(spec: ResourceSpec): ApiResourceType {
  return {
    group: spec.group,
    version: spec.version,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    resource: spec.resource,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? ALL_VERBS,
    subresources: spec.subresources ?? [],
    nameRule: spec.nameRule ?? 'DNS1123Subdomain',
    tracksGeneration: spec.tracksGeneration ?? false,
  };
}

/** Every served resource, in discovery order (core group first, then by group name). */
export const API_RESOURCES: readonly ApiResourceType[] = [
  define({ group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'] }),
  define({ group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'] }),
  define({ group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'] }),
  define({
    group: '',
    version: 'v1',
    kind: 'Namespace',
    resource: 'namespaces',
    namespaced: false,
    shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [
      { name: 'finalize', group: '', version: 'v1', kind: 'Namespace', verbs: ['update'] },
      status('', 'v1', 'Namespace'),
    ],
    nameRule: 'DNS1123Label',
  }),
  define({
    group: '',
    version: 'v1',
    kind: 'Node',
    resource: 'nodes',
    namespaced: false,
    shortNames: ['no'],
    subresources: [status('', 'v1', 'Node')],
  }),
  define({
    group: '',
    version: 'v1',
    kind: 'Pod',
    resource: 'pods',
    namespaced: true,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { name: 'attach', group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'exec', group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      status('', 'v1', 'Pod'),
    ],
  }),
  define({ group: '', version: 'v1', kind: 'Secret', resource: 'secrets', namespaced: true }),
  define({ group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'] }),
  define({
    group: '',
    version: 'v1',
    kind: 'Service',
    resource: 'services',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [status('', 'v1', 'Service')],
    nameRule: 'DNS1035Label',
  }),
  define({
    group: 'apps',
    version: 'v1',
    kind: 'DaemonSet',
    resource: 'daemonsets',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    subresources: [status('apps', 'v1', 'DaemonSet')],
    tracksGeneration: true,
  }),
  define({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    resource: 'deployments',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [SCALE, status('apps', 'v1', 'Deployment')],
    tracksGeneration: true,
  }),
  define({
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    resource: 'replicasets',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [SCALE, status('apps', 'v1', 'ReplicaSet')],
    tracksGeneration: true,
  }),
  define({
    group: 'apps',
    version: 'v1',
    kind: 'StatefulSet',
    resource: 'statefulsets',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [SCALE, status('apps', 'v1', 'StatefulSet')],
    nameRule: 'DNS1123Label',
    tracksGeneration: true,
  }),
  define({
    group: 'batch',
    version: 'v1',
    kind: 'CronJob',
    resource: 'cronjobs',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    subresources: [status('batch', 'v1', 'CronJob')],
    tracksGeneration: true,
  }),
  define({
    group: 'batch',
    version: 'v1',
    kind: 'Job',
    resource: 'jobs',
    namespaced: true,
    categories: ['all'],
    subresources: [status('batch', 'v1', 'Job')],
    tracksGeneration: true,
  }),
  define({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true }),
  define({
    group: 'discovery.k8s.io',
    version: 'v1',
    kind: 'EndpointSlice',
    resource: 'endpointslices',
    namespaced: true,
    tracksGeneration: true,
  }),
];

/** Kinds that exist only as subresource bodies (not listable resources). */
export const SUBRESOURCE_KINDS: readonly GroupVersionKind[] = [
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  { group: '', version: 'v1', kind: 'Binding' },
  { group: 'policy', version: 'v1', kind: 'Eviction' },
];

/** `v1` for the core group, else `group/version`. */
export function formatApiVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Splits an apiVersion: `apps/v1` → {group:'apps', version:'v1'}, `v1` → {group:'', version:'v1'}. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return { group: '', version: apiVersion };
  return { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The apiVersion string of a kind or resource (`apps/v1`, `v1`). */
export function resourceApiVersion(type: GroupVersionKind): string {
  return formatApiVersion(type.group, type.version);
}

/** `pods` or `deployments.apps`: the group-qualified resource Kubernetes uses in messages. */
export function qualifiedResourceName(type: Pick<ApiResourceType, 'group' | 'resource'>): string {
  return type.group === '' ? type.resource : `${type.resource}.${type.group}`;
}

/** `Pod` or `Deployment.apps`: the group-qualified kind Kubernetes uses in Invalid messages. */
export function qualifiedKindName(type: Pick<GroupVersionKind, 'group' | 'kind'>): string {
  return type.group === '' ? type.kind : `${type.kind}.${type.group}`;
}

const BY_GVK = new Map(API_RESOURCES.map((type) => [`${type.group}/${type.version}/${type.kind}`, type]));
const BY_GROUP_RESOURCE = new Map(API_RESOURCES.map((type) => [`${type.group}/${type.resource}`, type]));

/** The resource serving a group/version/kind, or undefined. */
export function lookupResourceByKind(group: string, version: string, kind: string): ApiResourceType | undefined {
  return BY_GVK.get(`${group}/${version}/${kind}`);
}

/** The resource for an object's apiVersion and kind, or undefined. */
export function lookupResourceForObject(object: { apiVersion?: unknown; kind?: unknown }): ApiResourceType | undefined {
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return undefined;
  const { group, version } = parseApiVersion(object.apiVersion);
  return lookupResourceByKind(group, version, object.kind);
}

/** The resource named by its plural in a group (`''`,`pods`; `apps`,`deployments`), or undefined. */
export function lookupResource(group: string, resource: string): ApiResourceType | undefined {
  return BY_GROUP_RESOURCE.get(`${group}/${resource}`);
}

/**
 * Resolves what a user may type for a resource — plural, singular or short name, optionally
 * `name.group` — to the resources it can mean (several when groups share a name).
 */
export function resolveResourceName(name: string): ApiResourceType[] {
  const lower = name.toLowerCase();
  const matches = (type: ApiResourceType, candidate: string): boolean =>
    type.resource === candidate || type.singular === candidate || type.shortNames.includes(candidate);
  const direct = API_RESOURCES.filter((type) => matches(type, lower));
  if (direct.length > 0) return direct;
  const dot = lower.indexOf('.');
  if (dot < 0) return [];
  const [base, group] = [lower.slice(0, dot), lower.slice(dot + 1)];
  return API_RESOURCES.filter((type) => type.group === group && matches(type, base));
}

/** The resources a short name stands for (`deploy` → deployments). */
export function lookupResourceByShortName(shortName: string): ApiResourceType[] {
  return API_RESOURCES.filter((type) => type.shortNames.includes(shortName));
}

/** The resources in a category (`all` → pods, services, deployments, …). */
export function resourcesInCategory(category: string): ApiResourceType[] {
  return API_RESOURCES.filter((type) => type.categories.includes(category));
}

/** The subresource of a resource by name, or undefined. */
export function lookupSubresource(type: ApiResourceType, name: string): ApiSubresource | undefined {
  return type.subresources.find((subresource) => subresource.name === name);
}

export function hasStatusSubresource(type: ApiResourceType): boolean {
  return lookupSubresource(type, 'status') !== undefined;
}

/** The group/versions served, in discovery order: [{group:'', version:'v1'}, {group:'apps', …}, …]. */
export function servedGroupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const type of API_RESOURCES) {
    const key = formatApiVersion(type.group, type.version);
    if (!seen.has(key)) seen.set(key, { group: type.group, version: type.version });
  }
  return [...seen.values()];
}
