import t from 'tap';
import {
  applyDefaults,
  cronScheduleProblem,
  formatFieldError,
  lookupResourceByKind,
  prepareObjectForCreate,
  validateObjectCreate,
  validateObjectUpdate,
  type ApiResourceType,
  type GroupVersionKind,
  type KubeObject,
} from '../../../core/index.js';

const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
const CONTAINERS = [{ name: 'web', image: 'nginx' }];

function make(gvk: GroupVersionKind, spec: Record<string, unknown>, name = 'web'): KubeObject {
  return applyDefaults(gvk, { metadata: { name, namespace: 'default' }, spec } as KubeObject);
}

function errorsOf(gvk: GroupVersionKind, object: KubeObject): string[] {
  return validateObjectCreate(gvk, object).map(formatFieldError);
}

function typeOf(gvk: GroupVersionKind): ApiResourceType {
  const type = lookupResourceByKind(gvk.group, gvk.version, gvk.kind);
  if (type === undefined) throw new Error(`no ${gvk.kind}`);
  return type;
}

void t.test('deployment selector and template rules', (t) => {
  const valid = make(DEPLOYMENT, { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: CONTAINERS } } });
  t.same(errorsOf(DEPLOYMENT, valid), []);
  const mismatch = make(DEPLOYMENT, { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: CONTAINERS } } });
  t.same(errorsOf(DEPLOYMENT, mismatch), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`',
  ]);
  const noSelector = make(DEPLOYMENT, { template: { metadata: { labels: { app: 'web' } }, spec: { containers: CONTAINERS } } });
  t.same(errorsOf(DEPLOYMENT, noSelector), [
    'spec.selector: Required value',
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
  ]);
  const empty = make(DEPLOYMENT, { selector: {}, template: { spec: { containers: CONTAINERS } } });
  t.same(errorsOf(DEPLOYMENT, empty), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
  ]);
  const badTemplate = make(DEPLOYMENT, {
    replicas: -1,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'web' }] } },
  });
  t.same(errorsOf(DEPLOYMENT, badTemplate), [
    'spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    'spec.template.spec.containers[0].image: Required value',
    'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ]);
  const badTemplateLabel = make(DEPLOYMENT, {
    selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
    template: { metadata: { labels: { app: 'web!' } }, spec: { containers: CONTAINERS } },
  });
  t.same(
    errorsOf(DEPLOYMENT, badTemplateLabel).map((line) => line.slice(0, 58)),
    ['spec.template.labels: Invalid value: "web!": a valid label'],
    'template labels are reported at spec.template.labels, as Kubernetes does',
  );
  const badStrategy = make(DEPLOYMENT, {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: CONTAINERS } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '50x' } },
  });
  t.same(errorsOf(DEPLOYMENT, badStrategy), [
    "spec.strategy.rollingUpdate.maxSurge: Invalid value: 50x: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
    'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
  ]);
  t.end();
});

void t.test('a deployment selector is immutable', (t) => {
  const old = make(DEPLOYMENT, { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', v: '1' } }, spec: { containers: CONTAINERS } } });
  (old.metadata as Record<string, unknown>).resourceVersion = '7';
  const next = structuredClone(old);
  (next.spec as Record<string, unknown>).selector = { matchLabels: { app: 'web', v: '1' } };
  t.same(validateObjectUpdate(DEPLOYMENT, next, old).map(formatFieldError), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"1"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = structuredClone(old);
  (scaled.spec as Record<string, unknown>).replicas = 5;
  t.same(validateObjectUpdate(DEPLOYMENT, scaled, old), []);
  t.end();
});

void t.test('replica sets, daemon sets and stateful sets', (t) => {
  const RS = { group: 'apps', version: 'v1', kind: 'ReplicaSet' };
  t.same(errorsOf(RS, make(RS, { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: CONTAINERS } } })), [
    "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
  ]);
  const DS = { group: 'apps', version: 'v1', kind: 'DaemonSet' };
  t.same(errorsOf(DS, make(DS, { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: CONTAINERS } } })), []);
  t.same(
    errorsOf(
      DS,
      make(DS, {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'a' } }, spec: { containers: CONTAINERS } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      }),
    ),
    ['spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero'],
  );
  const STS = { group: 'apps', version: 'v1', kind: 'StatefulSet' };
  const sts = make(STS, { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: CONTAINERS } } }, 'db');
  t.same(errorsOf(STS, sts), []);
  t.same(errorsOf(STS, make(STS, { selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: CONTAINERS } } }, 'db.v1')), [
    'metadata.name: Invalid value: "db.v1": must not contain dots',
  ]);
  (sts.metadata as Record<string, unknown>).resourceVersion = '3';
  const changed = structuredClone(sts);
  (changed.spec as Record<string, unknown>).serviceName = 'other';
  t.same(validateObjectUpdate(STS, changed, sts).map(formatFieldError), [
    "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
  ]);
  const rescaled = structuredClone(sts);
  (rescaled.spec as Record<string, unknown>).replicas = 3;
  t.same(validateObjectUpdate(STS, rescaled, sts), []);
  t.end();
});

void t.test('jobs: generated selector, restart policy, immutable template', (t) => {
  const JOB = { group: 'batch', version: 'v1', kind: 'Job' };
  const job = make(JOB, { template: { spec: { restartPolicy: 'Never', containers: CONTAINERS } } }, 'pi');
  prepareObjectForCreate(typeOf(JOB), job, { nowMs: 0, newUid: () => 'uid-1', random: { int: () => 0 } });
  t.same(job.spec && (job.spec as Record<string, unknown>).selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
  t.same(errorsOf(JOB, job), []);
  t.same(job.metadata?.labels, {
    'controller-uid': 'uid-1',
    'batch.kubernetes.io/controller-uid': 'uid-1',
    'job-name': 'pi',
    'batch.kubernetes.io/job-name': 'pi',
  });
  const always = make(JOB, { template: { spec: { containers: CONTAINERS } } }, 'pi');
  prepareObjectForCreate(typeOf(JOB), always, { nowMs: 0, newUid: () => 'uid-2', random: { int: () => 0 } });
  t.same(errorsOf(JOB, always), ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  (job.metadata as Record<string, unknown>).resourceVersion = '9';
  const edited = structuredClone(job);
  (((edited.spec as Record<string, unknown>).template as Record<string, unknown>).spec as { containers: { image: string }[] }).containers[0] = {
    ...(((edited.spec as Record<string, unknown>).template as Record<string, unknown>).spec as { containers: { image: string }[] }).containers[0],
    image: 'busybox',
  } as { image: string };
  const updateErrors = validateObjectUpdate(JOB, edited, job);
  t.same(updateErrors.map((error) => [error.field, error.detail]), [['spec.template', 'field is immutable']]);
  t.end();
});

void t.test('cron jobs and schedules', (t) => {
  const CRON = { group: 'batch', version: 'v1', kind: 'CronJob' };
  const jobTemplate = { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: CONTAINERS } } } };
  t.same(errorsOf(CRON, make(CRON, { schedule: '*/5 * * * *', jobTemplate })), []);
  t.same(errorsOf(CRON, make(CRON, { schedule: '* * *', jobTemplate })), ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']);
  t.same(errorsOf(CRON, make(CRON, { jobTemplate })), ['spec.schedule: Required value']);
  t.same(errorsOf(CRON, make(CRON, { schedule: '@hourly', jobTemplate }, 'a'.repeat(53))), ['metadata.name: Invalid value: "' + 'a'.repeat(53) + '": must be no more than 52 characters']);
  t.same(errorsOf(CRON, make(CRON, { schedule: 'TZ=UTC 0 * * * *', jobTemplate })), ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  t.same(errorsOf(CRON, make(CRON, { schedule: '0 0 * * *', timeZone: 'Mars/Olympus', jobTemplate })), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']);
  t.equal(cronScheduleProblem('60 * * * *'), 'end of range (60) above maximum (59): 60');
  t.equal(cronScheduleProblem('0 0 * JAN-MAR MON'), undefined);
  t.equal(cronScheduleProblem('x * * * *'), 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax');
  t.equal(cronScheduleProblem('@fortnightly'), 'unrecognized descriptor: @fortnightly');
  t.end();
});
