// The EndpointSlice reconciler, keyed by Service, as kube's EndpointSlice controller: the
// endpoints a Service selects are spread over slices of at most `maxEndpointsPerSlice`, one set
// of slices per distinct port set, labelled with the Service name and this controller as
// manager, owned by the Service. Existing slices are kept and edited in place where possible
// (an endpoint stays in the slice that holds it), so a change rewrites few slices. A Service with
// no endpoints keeps one empty placeholder slice. Slices of a deleted Service are deleted (the
// garbage collector would too, through the owner reference). Services without a selector are
// left alone.

import type { EndpointSlice, EndpointSliceEndpoint, Service } from '../../../core/index.js';
import { indexByNamespace, isNotFound, metaNamespaceKeyOf, NAMESPACE_INDEX, newControllerRef } from '../../../core/index.js';
import type { ControllerContext, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';
import { endpointLabelsFor, selectedPods, serviceCaches, serviceSelector } from '../endpoints/index.js';
import type { DesiredEndpointGroup, EndpointSlicePort } from './endpointslice-desired.js';
import { addressTypeOfService, desiredEndpointGroups, portsKeyOf } from './endpointslice-desired.js';
import { EndpointSliceTracker } from './endpointslice-tracker.js';

export const ENDPOINT_SLICE_RESOURCE = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices' } as const;
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const ENDPOINT_SLICE_CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
/** kube's --max-endpoints-per-slice default; setting `maxEndpointsPerSlice`. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
/** Index of the slices by `namespace/service-name` label. */
export const SLICE_SERVICE_INDEX = 'endpointslice-service';

export function indexSliceByService(slice: EndpointSlice): readonly string[] {
  const service = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
  return service === undefined ? [] : [metaNamespaceKeyOf(slice.metadata?.namespace ?? '', service)];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function addressOf(endpoint: EndpointSliceEndpoint): string {
  return endpoint.addresses[0] ?? '';
}

function sortEndpoints(endpoints: EndpointSliceEndpoint[]): EndpointSliceEndpoint[] {
  return endpoints.sort((a, b) => (addressOf(a) < addressOf(b) ? -1 : addressOf(a) > addressOf(b) ? 1 : 0));
}

export function makeEndpointSliceReconciler(context: ControllerContext): Reconciler {
  const { client, clock } = context;
  const { services, pods } = serviceCaches(context);
  const slices = context.informers.informerFor<EndpointSlice>(ENDPOINT_SLICE_RESOURCE, { indexers: { [SLICE_SERVICE_INDEX]: indexSliceByService, [NAMESPACE_INDEX]: indexByNamespace } }).cache;
  const tracker = new EndpointSliceTracker();
  const maxSetting = context.settings['maxEndpointsPerSlice'];
  const maxPerSlice = maxSetting !== undefined && Number.isInteger(maxSetting) && maxSetting > 0 ? maxSetting : DEFAULT_MAX_ENDPOINTS_PER_SLICE;

  function sliceFor(service: Service, ports: EndpointSlicePort[] | undefined, endpoints: EndpointSliceEndpoint[], existing?: EndpointSlice): EndpointSlice {
    const name = service.metadata?.name ?? '';
    const metadata: NonNullable<EndpointSlice['metadata']> = existing === undefined ? { generateName: `${name}-`, namespace: service.metadata?.namespace ?? '' } : { ...existing.metadata };
    metadata.labels = { ...endpointLabelsFor(service), [LABEL_SERVICE_NAME]: name, [LABEL_MANAGED_BY]: ENDPOINT_SLICE_CONTROLLER_NAME };
    metadata.ownerReferences = [newControllerRef(service, { group: '', version: 'v1', kind: 'Service' })];
    const slice: EndpointSlice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: addressTypeOfService(service), endpoints: sortEndpoints(endpoints) };
    if (ports !== undefined) slice.ports = ports;
    return slice;
  }

  async function write(serviceKey: string, desired: EndpointSlice, existing: EndpointSlice | undefined): Promise<void> {
    if (existing === undefined) {
      const created = await client.create<EndpointSlice>(ENDPOINT_SLICE_RESOURCE, desired);
      tracker.expectWritten(serviceKey, created, clock.now());
      return;
    }
    if (sameJson(existing.endpoints, desired.endpoints) && sameJson(existing.ports, desired.ports) && sameJson(existing.metadata?.labels, desired.metadata?.labels) && sameJson(existing.metadata?.ownerReferences, desired.metadata?.ownerReferences) && existing.addressType === desired.addressType) return;
    // addressType is immutable: a family change replaces the slice.
    if (existing.addressType !== desired.addressType) {
      await remove(serviceKey, existing);
      await write(serviceKey, sliceFor(services.get(serviceKey)!, desired.ports, desired.endpoints ?? []), undefined);
      return;
    }
    tracker.expectWritten(serviceKey, await client.update<EndpointSlice>(ENDPOINT_SLICE_RESOURCE, desired), clock.now());
  }

  async function remove(serviceKey: string, slice: EndpointSlice): Promise<void> {
    try {
      await client.delete({ ...ENDPOINT_SLICE_RESOURCE, namespace: slice.metadata?.namespace ?? '', name: slice.metadata?.name ?? '' }, { preconditions: { uid: slice.metadata?.uid ?? '' } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    tracker.expectDeleted(serviceKey, slice, clock.now());
  }

  /** Places one port group's endpoints into its existing slices (kept where they are), then new slices. */
  async function reconcileGroup(service: Service, serviceKey: string, group: DesiredEndpointGroup, existing: EndpointSlice[], placed: Set<string>): Promise<void> {
    const remaining = new Map(group.endpoints);
    const plans: { slice: EndpointSlice; endpoints: EndpointSliceEndpoint[] }[] = [];
    for (const slice of existing) {
      const endpoints: EndpointSliceEndpoint[] = [];
      for (const endpoint of slice.endpoints ?? []) {
        const address = addressOf(endpoint);
        const wanted = remaining.get(address);
        if (wanted === undefined || placed.has(address) || endpoints.length >= maxPerSlice) continue;
        endpoints.push(wanted);
        remaining.delete(address);
        placed.add(address);
      }
      plans.push({ slice, endpoints });
    }
    const rest = [...remaining.values()];
    for (const plan of plans) while (plan.endpoints.length < maxPerSlice && rest.length > 0) plan.endpoints.push(rest.shift()!);
    for (const plan of plans) {
      if (plan.endpoints.length === 0) await remove(serviceKey, plan.slice);
      else await write(serviceKey, sliceFor(service, group.ports, plan.endpoints, plan.slice), plan.slice);
    }
    while (rest.length > 0) await write(serviceKey, sliceFor(service, group.ports, rest.splice(0, maxPerSlice)), undefined);
  }

  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const key = metaNamespaceKeyOf(request.namespace, request.name);
      const service = services.get(key);
      const owned = slices.byIndex(SLICE_SERVICE_INDEX, key).filter((slice) => slice.metadata?.labels?.[LABEL_MANAGED_BY] === ENDPOINT_SLICE_CONTROLLER_NAME);
      if (service === undefined) {
        for (const slice of owned) await remove(key, slice);
        tracker.forget(key);
        return {};
      }
      if (serviceSelector(service) === undefined) return {};
      // Our own writes not yet in the cache: acting now could duplicate slices.
      const stale = tracker.check(key, slices, clock.now());
      if (!stale.satisfied) return { requeueAfterMs: stale.recheckInMs };

      const groups = desiredEndpointGroups(service, selectedPods(pods, service, serviceSelector(service)!));
      const sorted = [...owned].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
      const placed = new Set<string>();
      const used = new Set<EndpointSlice>();
      for (const group of groups.values()) {
        const existing = sorted.filter((slice) => !used.has(slice) && portsKeyOf(slice.ports ?? []) === group.portsKey && (slice.endpoints ?? []).length > 0);
        for (const slice of existing) used.add(slice);
        await reconcileGroup(service, key, group, existing, placed);
      }
      const leftover = sorted.filter((slice) => !used.has(slice));
      if (groups.size === 0) {
        // No endpoints: exactly one empty placeholder slice, as kube keeps.
        const placeholder = leftover.shift();
        await write(key, sliceFor(service, undefined, [], placeholder), placeholder);
      }
      for (const slice of leftover) await remove(key, slice);
      return {};
    },
  };
}
