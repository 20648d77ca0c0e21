// apps/v1 validation: Deployment, ReplicaSet, StatefulSet, DaemonSet (pkg/apis/apps/validation).
import { childPath, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, goStringMap, type ApiFieldError } from '../field-errors.js';
import { cloneJson, jsonEqual } from '../json.js';
import type { IntOrString, LabelSelector } from '../types/meta.js';
import type { PodTemplateSpec } from '../types/pod.js';
import type { DaemonSet, Deployment, ReplicaSet, StatefulSet } from '../types/workloads.js';
import { intOrStringValue } from './container.js';
import { regexError, nameIsDnsLabel, nameIsDnsSubdomain } from './names.js';
import { validateAnnotations, validateImmutableField, validateLabels, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { goLabelSelector, isConvertibleLabelSelector, isEmptyLabelSelector, labelSelectorMatches, validateLabelSelector } from './selector.js';

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

/** The selector must be present, valid and non-empty (`empty selector is invalid for <kind>`). */
function validateWorkloadSelector(selector: LabelSelector | undefined, path: string, kindWord: string): ApiFieldError[] {
  if (selector == null) return [fieldRequired(path)];
  const errors = validateLabelSelector(selector, path);
  if (isEmptyLabelSelector(selector)) errors.push(fieldInvalid(path, goLabelSelector(selector), `empty selector is invalid for ${kindWord}`));
  return errors;
}

function selectorMismatch(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, path: string): ApiFieldError[] {
  if (!isConvertibleLabelSelector(selector) || isEmptyLabelSelector(selector)) return [];
  const labels = template?.metadata?.labels;
  return labelSelectorMatches(selector, labels) ? [] : [fieldInvalid(childPath(path, 'metadata', 'labels'), goStringMap(labels ?? null), SELECTOR_MISMATCH)];
}

/** ValidatePodTemplateSpecForReplicaSet (also used by Deployments). */
function validateReplicatedTemplate(selector: LabelSelector | undefined, template: PodTemplateSpec | undefined, path: string, kind: string): ApiFieldError[] {
  const errors = selectorMismatch(selector, template, path);
  errors.push(...validatePodTemplateSpec(template, path));
  const restartPolicy = template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errors.push(fieldNotSupported(childPath(path, 'spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (template?.spec?.activeDeadlineSeconds != null) {
    errors.push(fieldForbidden(childPath(path, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errors;
}

function intOrPercentValue(value: IntOrString | undefined): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9]+)%$/.exec(value ?? '');
  return match === null ? 0 : Number(match[1]);
}

function validatePositiveIntOrPercent(value: IntOrString | undefined, path: string): ApiFieldError[] {
  if (typeof value === 'string') {
    return /^[0-9]+%$/.test(value)
      ? []
      : [fieldInvalid(path, intOrStringValue(value), regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%'))];
  }
  return validateNonnegativeField(value ?? 0, path);
}

function validateNotMoreThan100Percent(value: IntOrString | undefined, path: string): ApiFieldError[] {
  return typeof value === 'string' && intOrPercentValue(value) > 100 ? [fieldInvalid(path, intOrStringValue(value), 'must not be greater than 100%')] : [];
}

function validateRollingUpdateDeployment(rollingUpdate: { maxUnavailable?: IntOrString; maxSurge?: IntOrString }, path: string): ApiFieldError[] {
  const errors = validatePositiveIntOrPercent(rollingUpdate.maxUnavailable, childPath(path, 'maxUnavailable'));
  errors.push(...validatePositiveIntOrPercent(rollingUpdate.maxSurge, childPath(path, 'maxSurge')));
  if (intOrPercentValue(rollingUpdate.maxUnavailable) === 0 && intOrPercentValue(rollingUpdate.maxSurge) === 0) {
    errors.push(fieldInvalid(childPath(path, 'maxUnavailable'), intOrStringValue(rollingUpdate.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  errors.push(...validateNotMoreThan100Percent(rollingUpdate.maxUnavailable, childPath(path, 'maxUnavailable')));
  return errors;
}

function validateDeploymentSpec(deployment: Deployment): ApiFieldError[] {
  const spec = deployment.spec;
  const errors = validateNonnegativeField(spec?.replicas, 'spec.replicas');
  errors.push(...validateWorkloadSelector(spec?.selector, 'spec.selector', 'deployment'));
  if (isConvertibleLabelSelector(spec?.selector)) {
    errors.push(...validateReplicatedTemplate(spec?.selector, spec?.template, 'spec.template', 'ReplicaSet'));
  } else {
    errors.push(fieldInvalid('spec.selector', goLabelSelector(spec?.selector), 'invalid label selector'));
  }
  const strategy = spec?.strategy ?? {};
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate != null) {
        errors.push(fieldForbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate':
      if (strategy.rollingUpdate == null) errors.push(fieldRequired('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'));
      else errors.push(...validateRollingUpdateDeployment(strategy.rollingUpdate, 'spec.strategy.rollingUpdate'));
      break;
    default:
      errors.push(fieldNotSupported('spec.strategy', strategy.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  errors.push(...validateNonnegativeField(spec?.minReadySeconds, 'spec.minReadySeconds'));
  errors.push(...validateNonnegativeField(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (spec?.progressDeadlineSeconds != null) {
    errors.push(...validateNonnegativeField(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      errors.push(fieldInvalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errors;
}

export function validateDeployment(deployment: Deployment): ApiFieldError[] {
  return [...validateObjectMeta(deployment.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateDeploymentSpec(deployment)];
}

function selectorImmutable(next: LabelSelector | undefined, prev: LabelSelector | undefined): ApiFieldError[] {
  return validateImmutableField(next ?? null, prev ?? null, 'spec.selector', goLabelSelector(next));
}

export function validateDeploymentUpdate(next: Deployment, prev: Deployment): ApiFieldError[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateDeploymentSpec(next),
    ...selectorImmutable(next.spec?.selector, prev.spec?.selector),
  ];
}

function validateReplicaSetSpec(replicaSet: ReplicaSet): ApiFieldError[] {
  const spec = replicaSet.spec;
  const errors = validateNonnegativeField(spec?.replicas, 'spec.replicas');
  errors.push(...validateNonnegativeField(spec?.minReadySeconds, 'spec.minReadySeconds'));
  errors.push(...validateWorkloadSelector(spec?.selector, 'spec.selector', 'deployment'));
  if (isConvertibleLabelSelector(spec?.selector)) {
    errors.push(...validateReplicatedTemplate(spec?.selector, spec?.template, 'spec.template', 'ReplicaSet'));
  } else {
    errors.push(fieldInvalid('spec.selector', goLabelSelector(spec?.selector), 'invalid label selector'));
  }
  return errors;
}

export function validateReplicaSet(replicaSet: ReplicaSet): ApiFieldError[] {
  return [...validateObjectMeta(replicaSet.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateReplicaSetSpec(replicaSet)];
}

export function validateReplicaSetUpdate(next: ReplicaSet, prev: ReplicaSet): ApiFieldError[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateReplicaSetSpec(next),
    ...selectorImmutable(next.spec?.selector, prev.spec?.selector),
  ];
}

function validateStatefulSetSpec(statefulSet: StatefulSet): ApiFieldError[] {
  const spec = statefulSet.spec;
  const errors: ApiFieldError[] = [];
  const policy = spec?.podManagementPolicy ?? '';
  if (policy === '') errors.push(fieldRequired('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') errors.push(fieldInvalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  const strategy = spec?.updateStrategy ?? {};
  switch (strategy.type ?? '') {
    case '':
      errors.push(fieldRequired('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate != null) errors.push(fieldInvalid('spec.updateStrategy.rollingUpdate', strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (strategy.rollingUpdate != null) {
        errors.push(...validateNonnegativeField(strategy.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
        if (strategy.rollingUpdate.maxUnavailable != null) {
          errors.push(...validatePositiveIntOrPercent(strategy.rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
          if (intOrPercentValue(strategy.rollingUpdate.maxUnavailable) === 0) {
            errors.push(fieldInvalid('spec.updateStrategy.rollingUpdate.maxUnavailable', intOrStringValue(strategy.rollingUpdate.maxUnavailable), 'must be greater than 0'));
          }
          errors.push(...validateNotMoreThan100Percent(strategy.rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
        }
      }
      break;
    default:
      errors.push(fieldInvalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const retention = spec?.persistentVolumeClaimRetentionPolicy;
  for (const key of ['whenDeleted', 'whenScaled'] as const) {
    const value = retention?.[key];
    if (value != null && value !== 'Retain' && value !== 'Delete') {
      errors.push(fieldNotSupported(`spec.persistentVolumeClaimRetentionPolicy.${key}`, value, ['Retain', 'Delete']));
    }
  }
  errors.push(...validateNonnegativeField(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errors.push(...validateNonnegativeField(spec?.replicas, 'spec.replicas'));
  errors.push(...validateNonnegativeField(spec?.minReadySeconds, 'spec.minReadySeconds'));
  errors.push(...validateNonnegativeField(spec?.ordinals?.start, 'spec.ordinals.start'));
  errors.push(...validateWorkloadSelector(spec?.selector, 'spec.selector', 'statefulset'));
  if (isConvertibleLabelSelector(spec?.selector)) {
    // Kubernetes checks only the template's metadata here; pods are validated when the controller creates them.
    const template = spec?.template;
    errors.push(...selectorMismatch(spec?.selector, template, 'spec.template'));
    errors.push(...validateLabels(template?.metadata?.labels, 'spec.template.labels'));
    errors.push(...validateAnnotations(template?.metadata?.annotations, 'spec.template.annotations'));
  } else {
    errors.push(fieldInvalid('spec.selector', goLabelSelector(spec?.selector), ''));
  }
  const restartPolicy = spec?.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errors.push(fieldNotSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (spec?.template?.spec?.activeDeadlineSeconds != null) {
    errors.push(fieldForbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported'));
  }
  return errors;
}

export function validateStatefulSet(statefulSet: StatefulSet): ApiFieldError[] {
  return [...validateObjectMeta(statefulSet.metadata, { namespaced: true, nameValidator: nameIsDnsLabel }), ...validateStatefulSetSpec(statefulSet)];
}

/** Fields of a StatefulSet spec that may change after creation. */
const STATEFULSET_MUTABLE_FIELDS = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy'] as const;

export function validateStatefulSetUpdate(next: StatefulSet, prev: StatefulSet): ApiFieldError[] {
  const errors = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateStatefulSetSpec(next)];
  const nextSpec: Record<string, unknown> = cloneJson({ ...(next.spec ?? {}) });
  const prevSpec: Record<string, unknown> = { ...(prev.spec ?? {}) };
  for (const key of STATEFULSET_MUTABLE_FIELDS) nextSpec[key] = prevSpec[key];
  if (!jsonEqual(nextSpec, prevSpec)) {
    errors.push(
      fieldForbidden(
        'spec',
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errors;
}

/** A DaemonSet rolls either by surging or by taking nodes down, never both and never neither. */
function validateRollingUpdateDaemonSet(rollingUpdate: { maxUnavailable?: IntOrString; maxSurge?: IntOrString }, path: string): ApiFieldError[] {
  const errors = validatePositiveIntOrPercent(rollingUpdate.maxUnavailable, childPath(path, 'maxUnavailable'));
  errors.push(...validatePositiveIntOrPercent(rollingUpdate.maxSurge, childPath(path, 'maxSurge')));
  errors.push(...validateNotMoreThan100Percent(rollingUpdate.maxUnavailable, childPath(path, 'maxUnavailable')));
  errors.push(...validateNotMoreThan100Percent(rollingUpdate.maxSurge, childPath(path, 'maxSurge')));
  const hasUnavailable = intOrPercentValue(rollingUpdate.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(rollingUpdate.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    errors.push(fieldInvalid(childPath(path, 'maxSurge'), intOrStringValue(rollingUpdate.maxSurge), 'may not be set when maxUnavailable is non-zero'));
  } else if (!hasUnavailable && !hasSurge) {
    errors.push(fieldRequired(childPath(path, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  }
  return errors;
}

function validateDaemonSetSpec(daemonSet: DaemonSet): ApiFieldError[] {
  const spec = daemonSet.spec;
  const errors = validateLabelSelector(spec?.selector, 'spec.selector');
  if (isConvertibleLabelSelector(spec?.selector) && !labelSelectorMatches(spec?.selector, spec?.template?.metadata?.labels)) {
    errors.push(fieldInvalid('spec.template.metadata.labels', goStringMap(spec?.template?.metadata?.labels ?? null), SELECTOR_MISMATCH));
  }
  if (spec?.selector != null && isEmptyLabelSelector(spec.selector)) {
    errors.push(fieldInvalid('spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  }
  errors.push(...validatePodTemplateSpec(spec?.template, 'spec.template'));
  const restartPolicy = spec?.template?.spec?.restartPolicy ?? '';
  if (restartPolicy !== 'Always') errors.push(fieldNotSupported('spec.template.spec.restartPolicy', restartPolicy, ['Always']));
  if (spec?.template?.spec?.activeDeadlineSeconds != null) {
    errors.push(fieldInvalid('spec.template.spec.activeDeadlineSeconds', spec.template.spec.activeDeadlineSeconds, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  }
  errors.push(...validateNonnegativeField(spec?.minReadySeconds, 'spec.minReadySeconds'));
  const strategy = spec?.updateStrategy ?? {};
  switch (strategy.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate':
      if (strategy.rollingUpdate == null) errors.push(fieldRequired('spec.updateStrategy.rollingUpdate'));
      else errors.push(...validateRollingUpdateDaemonSet(strategy.rollingUpdate, 'spec.updateStrategy.rollingUpdate'));
      break;
    default:
      errors.push(fieldNotSupported('spec.updateStrategy', strategy.type ?? '', ['RollingUpdate', 'OnDelete']));
  }
  errors.push(...validateNonnegativeField(spec?.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errors;
}

export function validateDaemonSet(daemonSet: DaemonSet): ApiFieldError[] {
  return [...validateObjectMeta(daemonSet.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateDaemonSetSpec(daemonSet)];
}

export function validateDaemonSetUpdate(next: DaemonSet, prev: DaemonSet): ApiFieldError[] {
  return [
    ...validateObjectMetaUpdate(next.metadata, prev.metadata),
    ...validateDaemonSetSpec(next),
    ...selectorImmutable(next.spec?.selector, prev.spec?.selector),
  ];
}
