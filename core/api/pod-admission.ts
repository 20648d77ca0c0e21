// The mutations kube-apiserver's default admission plugins make to every new Pod, which users
// see in `kubectl get pod -o yaml`: ServiceAccount (serviceAccountName "default"),
// DefaultTolerationSeconds (not-ready/unreachable NoExecute tolerations for 300s) and Priority
// (priority 0, preemptionPolicy PreemptLowerPriority when no PriorityClass is named).
import { asArray, ensureJsonObject, isJsonObject, setDefault, type JsonObject } from './json.js';
import type { Pod } from './types/pod.js';

/** How long pods tolerate a not-ready or unreachable node before eviction. */
export const DEFAULT_NOT_READY_TOLERATION_SECONDS = 300;
export const DEFAULT_UNREACHABLE_TOLERATION_SECONDS = 300;
const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

function toleratesNoExecute(tolerations: readonly unknown[], key: string): boolean {
  return tolerations.some((toleration) => {
    if (!isJsonObject(toleration)) return false;
    const effect = toleration.effect ?? '';
    const matchesKey = toleration.key === key || ((toleration.key ?? '') === '' && toleration.operator === 'Exists');
    return matchesKey && (effect === '' || effect === 'NoExecute');
  });
}

/** kube-apiserver's --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export interface PodAdmissionSettings {
  readonly defaultNotReadyTolerationSeconds?: number;
  readonly defaultUnreachableTolerationSeconds?: number;
}

/** Applies the default admission mutations to a Pod about to be created, in place. */
export function applyPodAdmissionDefaults(pod: Pod, settings: PodAdmissionSettings = {}): Pod {
  const spec = ensureJsonObject(pod as JsonObject, 'spec');
  if (typeof spec.serviceAccountName !== 'string' || spec.serviceAccountName === '') spec.serviceAccountName = 'default';
  spec.serviceAccount = spec.serviceAccountName;
  const tolerations = [...asArray(spec.tolerations)];
  if (!toleratesNoExecute(tolerations, NOT_READY_TAINT)) {
    tolerations.push({ key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: settings.defaultNotReadyTolerationSeconds ?? DEFAULT_NOT_READY_TOLERATION_SECONDS });
  }
  if (!toleratesNoExecute(tolerations, UNREACHABLE_TAINT)) {
    tolerations.push({ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: settings.defaultUnreachableTolerationSeconds ?? DEFAULT_UNREACHABLE_TOLERATION_SECONDS });
  }
  spec.tolerations = tolerations;
  if (typeof spec.priorityClassName !== 'string' || spec.priorityClassName === '') {
    setDefault(spec, 'priority', 0);
    setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  }
  return pod;
}
