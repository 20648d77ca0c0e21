// Pod and pod template validation (ValidatePodSpec, ValidatePodTemplateSpec, ValidatePodUpdate).
import {
  childPath,
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  indexPath,
  type ApiFieldError,
} from '../field-errors.js';
import { cloneJson, jsonEqual } from '../json.js';
import type { Container } from '../types/container.js';
import type { Pod, PodSpec, PodTemplateSpec, Toleration } from '../types/pod.js';
import { checkHostPortConflicts, validateContainerCommon, validateDns1123LabelField } from './container.js';
import { validateProbesAndLifecycle } from './probes.js';
import { inclusiveRangeError, isDns1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDnsSubdomain } from './names.js';
import { validateAnnotations, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validateVolumes } from './volumes.js';

const INT32_MAX = 2 ** 31 - 1;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** The fields of a running pod's spec that updates may change, as Kubernetes lists them. */
export const POD_UPDATABLE_FIELDS_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function validateContainers(spec: PodSpec, volumeNames: ReadonlySet<string>, path: string): ApiFieldError[] {
  const containers = spec.containers ?? [];
  if (containers.length === 0) return [fieldRequired(path)];
  const errors: ApiFieldError[] = [];
  const names = new Set<string>();
  containers.forEach((container, index) => {
    const containerPath = indexPath(path, index);
    errors.push(...validateContainerCommon(container, volumeNames, containerPath));
    if (names.has(container.name)) errors.push(fieldDuplicate(childPath(containerPath, 'name'), container.name));
    else names.add(container.name);
    errors.push(...validateProbesAndLifecycle(container, containerPath));
    if (container.restartPolicy != null) {
      errors.push(fieldForbidden(childPath(containerPath, 'restartPolicy'), 'may not be set for non-init containers'));
    }
  });
  errors.push(...checkHostPortConflicts(containers, path));
  return errors;
}

function validateInitContainers(spec: PodSpec, volumeNames: ReadonlySet<string>, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const names = new Set((spec.containers ?? []).map((container) => container.name));
  (spec.initContainers ?? []).forEach((container, index) => {
    const containerPath = indexPath(path, index);
    errors.push(...validateContainerCommon(container, volumeNames, containerPath));
    let sidecar = false;
    if (container.restartPolicy != null) {
      if (container.restartPolicy !== 'Always') {
        errors.push(fieldNotSupported(childPath(containerPath, 'restartPolicy'), container.restartPolicy, ['Always']));
      }
      sidecar = container.restartPolicy === 'Always';
    }
    if (names.has(container.name)) errors.push(fieldDuplicate(childPath(containerPath, 'name'), container.name));
    else if ((container.name ?? '') !== '') names.add(container.name);
    errors.push(...checkHostPortConflicts([container], path, index));
    if (sidecar) {
      errors.push(...validateProbesAndLifecycle(container, containerPath));
    } else {
      for (const key of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
        if (container[key] != null) {
          errors.push(fieldForbidden(childPath(containerPath, key), 'may not be set for init containers without restartPolicy=Always'));
        }
      }
    }
  });
  return errors;
}

export function validateTolerations(tolerations: readonly Toleration[] | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  (tolerations ?? []).forEach((toleration, index) => {
    const tolerationPath = indexPath(path, index);
    const key = toleration.key ?? '';
    const operator = toleration.operator ?? '';
    if (key !== '') {
      for (const message of isQualifiedName(key)) errors.push(fieldInvalid(childPath(tolerationPath, 'key'), key, message));
    }
    if (key === '' && operator !== 'Exists') {
      errors.push(
        fieldInvalid(childPath(tolerationPath, 'operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'),
      );
    }
    if (toleration.tolerationSeconds != null && toleration.effect !== 'NoExecute') {
      errors.push(fieldInvalid(childPath(tolerationPath, 'effect'), toleration.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const problems = isValidLabelValue(toleration.value ?? '');
      if (problems.length > 0) errors.push(fieldInvalid(childPath(tolerationPath, 'operator'), toleration.value ?? '', problems.join(';')));
    } else if (operator === 'Exists') {
      if ((toleration.value ?? '') !== '') {
        errors.push(fieldInvalid(childPath(tolerationPath, 'operator'), toleration, "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      errors.push(fieldNotSupported(childPath(tolerationPath, 'operator'), operator, ['Equal', 'Exists']));
    }
    if ((toleration.effect ?? '') !== '' && !TAINT_EFFECTS.includes(toleration.effect ?? '')) {
      errors.push(fieldNotSupported(childPath(tolerationPath, 'effect'), toleration.effect, TAINT_EFFECTS));
    }
  });
  return errors;
}

function validateEnumRequired(value: string | undefined, allowed: readonly string[], path: string): ApiFieldError[] {
  const actual = value ?? '';
  if (actual === '') return [fieldRequired(path)];
  return allowed.includes(actual) ? [] : [fieldNotSupported(path, actual, allowed)];
}

/** ValidatePodSpec: everything a pod spec must satisfy, in pods and in templates. */
export function validatePodSpec(spec: PodSpec | undefined, path: string): ApiFieldError[] {
  const s: PodSpec = spec ?? { containers: [] };
  const volumes = validateVolumes(s.volumes, childPath(path, 'volumes'));
  const errors = [...volumes.errors];
  errors.push(...validateContainers(s, volumes.names, childPath(path, 'containers')));
  errors.push(...validateInitContainers(s, volumes.names, childPath(path, 'initContainers')));
  errors.push(...validateEnumRequired(s.restartPolicy, RESTART_POLICIES, childPath(path, 'restartPolicy')));
  errors.push(...validateEnumRequired(s.dnsPolicy, DNS_POLICIES, childPath(path, 'dnsPolicy')));
  errors.push(...validateLabels(s.nodeSelector, childPath(path, 'nodeSelector')));
  (s.imagePullSecrets ?? []).forEach((secret, index) => {
    if ((secret.name ?? '') === '') errors.push(fieldRequired(childPath(indexPath(childPath(path, 'imagePullSecrets'), index), 'name')));
  });
  const serviceAccountName = s.serviceAccountName ?? '';
  if (serviceAccountName !== '') {
    for (const message of isDns1123Subdomain(serviceAccountName)) {
      errors.push(fieldInvalid(childPath(path, 'serviceAccountName'), serviceAccountName, message));
    }
  }
  const nodeName = s.nodeName ?? '';
  if (nodeName !== '') {
    for (const message of nameIsDnsSubdomain(nodeName, false)) errors.push(fieldInvalid(childPath(path, 'nodeName'), nodeName, message));
  }
  if (s.activeDeadlineSeconds != null && (s.activeDeadlineSeconds < 1 || s.activeDeadlineSeconds > INT32_MAX)) {
    errors.push(fieldInvalid(childPath(path, 'activeDeadlineSeconds'), s.activeDeadlineSeconds, inclusiveRangeError(1, INT32_MAX)));
  }
  if ((s.hostname ?? '') !== '') errors.push(...validateDns1123LabelField(s.hostname ?? '', childPath(path, 'hostname')));
  if ((s.subdomain ?? '') !== '') errors.push(...validateDns1123LabelField(s.subdomain ?? '', childPath(path, 'subdomain')));
  errors.push(...validateTolerations(s.tolerations, childPath(path, 'tolerations')));
  if (s.preemptionPolicy != null && !['Never', 'PreemptLowerPriority'].includes(s.preemptionPolicy)) {
    errors.push(fieldNotSupported(childPath(path, 'preemptionPolicy'), s.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
  }
  if (s.os != null && !['linux', 'windows'].includes(s.os.name)) {
    errors.push(fieldNotSupported(childPath(path, 'os', 'name'), s.os.name, ['linux', 'windows']));
  }
  return errors;
}

/** ValidatePodTemplateSpec. Note Kubernetes reports template labels at `<path>.labels`, not `.metadata.labels`. */
export function validatePodTemplateSpec(template: PodTemplateSpec | undefined, path: string): ApiFieldError[] {
  const t = template ?? {};
  const errors = validateLabels(t.metadata?.labels, childPath(path, 'labels'));
  errors.push(...validateAnnotations(t.metadata?.annotations, childPath(path, 'annotations')));
  errors.push(...validatePodSpec(t.spec, childPath(path, 'spec')));
  if ((t.spec?.ephemeralContainers ?? []).length > 0) {
    errors.push(fieldForbidden(childPath(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return errors;
}

export function validatePod(pod: Pod): ApiFieldError[] {
  const errors = validateObjectMeta(pod.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain });
  errors.push(...validatePodSpec(pod.spec, 'spec'));
  return errors;
}

function validateContainerUpdates(next: readonly Container[], prev: readonly Container[], path: string): { errors: ApiFieldError[]; stop: boolean } {
  if (next.length !== prev.length) return { errors: [fieldForbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errors: ApiFieldError[] = [];
  next.forEach((container, index) => {
    const image = container.image ?? '';
    if (image === '') errors.push(fieldRequired(childPath(indexPath(path, index), 'image')));
    if (image.trim() !== image) errors.push(fieldInvalid(childPath(indexPath(path, index), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errors, stop: false };
}

function validateOnlyAddedTolerations(next: readonly Toleration[], prev: readonly Toleration[], path: string): ApiFieldError[] {
  for (const old of prev) {
    const found = next.some((candidate) => jsonEqual({ ...old, tolerationSeconds: candidate.tolerationSeconds }, candidate));
    if (!found) return [fieldForbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(next, path);
}

/** ValidatePodUpdate: full spec validation plus the narrow set of fields a pod may change. */
export function validatePodUpdate(next: Pod, prev: Pod): ApiFieldError[] {
  const errors = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errors.push(...validatePodSpec(next.spec, 'spec'));
  const nextSpec: PodSpec = next.spec ?? { containers: [] };
  const prevSpec: PodSpec = prev.spec ?? { containers: [] };
  for (const key of ['containers', 'initContainers'] as const) {
    const result = validateContainerUpdates(nextSpec[key] ?? [], prevSpec[key] ?? [], childPath('spec', key));
    errors.push(...result.errors);
    if (result.stop) return errors;
  }
  const deadlinePath = childPath('spec', 'activeDeadlineSeconds');
  if (nextSpec.activeDeadlineSeconds != null) {
    const value = nextSpec.activeDeadlineSeconds;
    if (value < 0 || value > INT32_MAX) return [...errors, fieldInvalid(deadlinePath, value, inclusiveRangeError(0, INT32_MAX))];
    if (prevSpec.activeDeadlineSeconds != null && prevSpec.activeDeadlineSeconds < value) {
      return [...errors, fieldInvalid(deadlinePath, value, 'must be less than or equal to previous value')];
    }
  } else if (prevSpec.activeDeadlineSeconds != null) {
    errors.push(fieldInvalid(deadlinePath, null, 'must not update from a positive integer to nil value'));
  }
  errors.push(...validateOnlyAddedTolerations(nextSpec.tolerations ?? [], prevSpec.tolerations ?? [], childPath('spec', 'tolerations')));
  const oldGates = new Set((prevSpec.schedulingGates ?? []).map((gate) => gate.name));
  (nextSpec.schedulingGates ?? []).forEach((gate, index) => {
    if (!oldGates.has(gate.name)) {
      errors.push(
        fieldForbidden(
          childPath(indexPath(childPath('spec', 'schedulingGates'), index), 'name'),
          `only deletion is allowed, but found new scheduling gate '${gate.name}'`,
        ),
      );
    }
  });
  if (jsonEqual(nextSpec, prevSpec)) return errors;
  const munged = cloneJson(nextSpec);
  for (const key of ['containers', 'initContainers'] as const) {
    (munged[key] ?? []).forEach((container, index) => {
      container.image = prevSpec[key]?.[index]?.image ?? '';
    });
  }
  munged.activeDeadlineSeconds = prevSpec.activeDeadlineSeconds;
  munged.tolerations = prevSpec.tolerations;
  munged.schedulingGates = prevSpec.schedulingGates;
  const prevGrace = prevSpec.terminationGracePeriodSeconds;
  if (prevGrace != null && prevGrace < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = prevGrace;
  if (!jsonEqual(munged, prevSpec)) errors.push(fieldForbidden('spec', POD_UPDATABLE_FIELDS_MESSAGE));
  return errors;
}
