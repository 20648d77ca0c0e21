import { ApiBadRequestError, ApiConflictError, ApiInvalidError, ApiNotFoundError, fieldInvalid, formatRfc3339, labelSelectorString } from '../../core/index.js';
import { isJsonMap, metaOf, metaString } from './object-meta.js';
import type { JsonMap } from './object-meta.js';
import { applyPatch } from './patch.js';
import type { PatchType } from './patch.js';
import type { ResourceRest, WriteOptions } from './rest.js';

/** The autoscaling/v1 Scale of a workload: its replicas, observed replicas and selector. */
export function scaleOf(obj: JsonMap): JsonMap {
  const meta = metaOf(obj);
  const spec = isJsonMap(obj.spec) ? obj.spec : {};
  const status = isJsonMap(obj.status) ? obj.status : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
      creationTimestamp: meta.creationTimestamp,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector: labelSelectorString(spec.selector) ?? '' },
  };
}

export async function getScale(rest: ResourceRest, namespace: string, name: string): Promise<JsonMap> {
  return scaleOf(await rest.get(namespace, name));
}

/**
 * PUT or PATCH of `…/scale`: the Scale is computed from the current object, replaced or patched,
 * and its spec.replicas written back. A resourceVersion in a PUT body must be the workload's.
 */
export async function updateScale(rest: ResourceRest, namespace: string, name: string, body: unknown, patchType: PatchType | undefined, o: WriteOptions): Promise<JsonMap> {
  if (patchType === undefined && (!isJsonMap(body) || (body.kind !== undefined && body.kind !== 'Scale'))) throw new ApiBadRequestError('the body must be an autoscaling/v1 Scale');
  const rv = patchType === undefined && isJsonMap(body) ? metaString(body, 'resourceVersion') : '';
  const r = await rest.updateWith(
    namespace,
    name,
    (current) => {
      const scale = scaleOf(current);
      // The patch applies to the Scale (an autoscaling/v1 kind with its own strategic merge schema), not the workload.
      const next = patchType === undefined ? (body as JsonMap) : applyPatch({ ...rest.type, group: 'autoscaling', kind: 'Scale' }, scale, patchType, body);
      const spec = isJsonMap(next.spec) ? next.spec : {};
      const replicas = spec.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
        throw new ApiBadRequestError(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
      }
      // A negative count is a validation failure (422 with the field), as kube's ValidateScale.
      if (replicas < 0) throw new ApiInvalidError({ group: 'autoscaling', kind: 'Scale' }, name, [fieldInvalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      current.spec = { ...(isJsonMap(current.spec) ? current.spec : {}), replicas };
      return current;
    },
    'scale',
    o,
    rv === '' ? {} : { resourceVersion: rv },
  );
  return scaleOf(r.object);
}

/** POST pods/NAME/binding: assigns the pod to a node, once (kube's BindingREST). */
export async function bindPod(rest: ResourceRest, namespace: string, name: string, body: unknown, o: WriteOptions): Promise<JsonMap> {
  if (!isJsonMap(body) || !isJsonMap(body.target) || typeof body.target.name !== 'string' || body.target.name === '') {
    throw new ApiBadRequestError('a Binding needs target.name');
  }
  const node = body.target.name;
  const bindingName = metaString(body, 'name');
  if (bindingName !== '' && bindingName !== name) throw new ApiBadRequestError(`the name of the object (${bindingName}) does not match the name on the URL (${name})`);
  await rest.updateWith(
    namespace,
    name,
    (pod) => {
      const spec = isJsonMap(pod.spec) ? pod.spec : {};
      const bindingUid = isJsonMap(body.metadata) && typeof body.metadata.uid === 'string' ? body.metadata.uid : '';
      if (bindingUid !== '' && metaOf(pod).uid !== bindingUid) throw new ApiConflictError({ group: '', resource: 'pods' }, name, `Precondition failed: UID in precondition: ${bindingUid}, UID in object meta: ${String(metaOf(pod).uid ?? '')}`);
      if (metaOf(pod).deletionTimestamp) throw new ApiConflictError({ group: '', resource: 'pods' }, name, `pod ${name} is being deleted, cannot be assigned to a host`);
      if (typeof spec.nodeName === 'string' && spec.nodeName !== '') throw new ApiConflictError({ group: '', resource: 'pods/binding' }, name, `pod ${name} is already assigned to node "${spec.nodeName}"`);
      pod.spec = { ...spec, nodeName: node };
      const status = isJsonMap(pod.status) ? pod.status : {};
      const conditions = Array.isArray(status.conditions) ? (status.conditions as JsonMap[]).filter((c) => c.type !== 'PodScheduled') : [];
      pod.status = { ...status, conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: formatRfc3339(rest.nowMs()) }] };
      return pod;
    },
    'binding',
    o,
  ).catch((err: unknown) => {
    if (err instanceof ApiNotFoundError) throw new ApiNotFoundError({ group: '', resource: 'pods' }, name);
    throw err;
  });
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };
}
