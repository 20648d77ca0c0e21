// Defaulting of apps/v1 and batch/v1 kinds (pkg/apis/apps/v1 and batch/v1 SetDefaults_*).
import { asArray, asJsonObject, ensureJsonObject, isJsonObject, setDefault, setDefaultString, type JsonObject } from '../json.js';
import { defaultPodTemplate } from './pod.js';

const DEFAULT_REVISION_HISTORY_LIMIT = 10;
const INT32_MAX = 2 ** 31 - 1;

export function defaultDeployment(deployment: JsonObject): void {
  const spec = ensureJsonObject(deployment, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureJsonObject(spec, 'strategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = ensureJsonObject(strategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', '25%');
    setDefault(rollingUpdate, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(replicaSet: JsonObject): void {
  const spec = ensureJsonObject(replicaSet, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

export function defaultDaemonSet(daemonSet: JsonObject): void {
  const spec = ensureJsonObject(daemonSet, 'spec');
  const strategy = ensureJsonObject(spec, 'updateStrategy');
  setDefaultString(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = ensureJsonObject(strategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', 1);
    setDefault(rollingUpdate, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(statefulSet: JsonObject): void {
  const spec = ensureJsonObject(statefulSet, 'spec');
  setDefaultString(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureJsonObject(spec, 'updateStrategy');
  if (strategy.type === undefined || strategy.type === null || strategy.type === '') {
    strategy.type = 'RollingUpdate';
    setDefault(strategy, 'rollingUpdate', {});
  }
  const rollingUpdate = asJsonObject(strategy.rollingUpdate);
  if (strategy.type === 'RollingUpdate' && rollingUpdate !== undefined) setDefault(rollingUpdate, 'partition', 0);
  const retention = ensureJsonObject(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefaultString(retention, 'whenDeleted', 'Retain');
  setDefaultString(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', DEFAULT_REVISION_HISTORY_LIMIT);
  defaultPodTemplate(spec.template);
  for (const claim of asArray(spec.volumeClaimTemplates)) {
    if (!isJsonObject(claim)) continue;
    setDefaultString(ensureJsonObject(claim, 'spec'), 'volumeMode', 'Filesystem');
    setDefaultString(ensureJsonObject(claim, 'status'), 'phase', 'Pending');
  }
}

/** The Job spec defaults; `job` is the whole Job so its labels can default from the template's. */
export function defaultJob(job: JsonObject): void {
  const spec = ensureJsonObject(job, 'spec');
  if ((spec.completions ?? null) === null && (spec.parallelism ?? null) === null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  const perIndex = spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null;
  setDefault(spec, 'backoffLimit', perIndex ? INT32_MAX : 6);
  defaultJobLabelsFromTemplate(job);
  setDefaultString(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  const failurePolicy = spec.podFailurePolicy !== undefined && spec.podFailurePolicy !== null;
  setDefaultString(spec, 'podReplacementPolicy', failurePolicy ? 'Failed' : 'TerminatingOrFailed');
  defaultPodTemplate(spec.template);
}

/** A Job without labels takes its pod template's labels (re-applied after selector generation). */
export function defaultJobLabelsFromTemplate(job: JsonObject): void {
  const templateLabels = asJsonObject(asJsonObject(asJsonObject(asJsonObject(job.spec)?.template)?.metadata)?.labels);
  if (templateLabels === undefined) return;
  const metadata = ensureJsonObject(job, 'metadata');
  const labels = asJsonObject(metadata.labels);
  if (labels === undefined || Object.keys(labels).length === 0) metadata.labels = { ...templateLabels } as Record<string, unknown>;
}

export function defaultCronJob(cronJob: JsonObject): void {
  const spec = ensureJsonObject(cronJob, 'spec');
  setDefaultString(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  defaultPodTemplate(asJsonObject(asJsonObject(spec.jobTemplate)?.spec)?.template);
}
