import t from 'tap';
import { ProbeTracker, probeTiming, probeFailedMessage, probeKillingMessage } from '../../../actors/index.js';

const OK = { result: 'success' } as const;
const BAD = { result: 'failure', message: 'boom' } as const;

void t.test('defaults for unset fields; liveness/startup successThreshold forced to 1', (t) => {
  t.same(probeTiming('readiness', {}), { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
  t.equal(probeTiming('readiness', { successThreshold: 3 }).successThreshold, 3);
  t.equal(probeTiming('liveness', { successThreshold: 3 }).successThreshold, 1);
  t.equal(probeTiming('startup', { successThreshold: 2 }).successThreshold, 1);
  t.same(probeTiming('liveness', { initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 4, failureThreshold: 1 }), {
    initialDelayMs: 5_000,
    periodMs: 2_000,
    timeoutMs: 4_000,
    successThreshold: 1,
    failureThreshold: 1,
  });
  t.end();
});

void t.test('initial verdicts: readiness not ready, liveness alive, startup unknown', (t) => {
  t.equal(new ProbeTracker('readiness', {}, 0).result, 'failure');
  t.equal(new ProbeTracker('liveness', {}, 0).result, 'success');
  t.equal(new ProbeTracker('startup', {}, 0).result, 'unknown');
  t.end();
});

void t.test('schedule: initial delay from container start, then period after each run', (t) => {
  const tracker = new ProbeTracker('readiness', { initialDelaySeconds: 5, periodSeconds: 3 }, 1_000);
  t.equal(tracker.nextRunAtMs(), 6_000);
  // A run recorded before the initial delay has passed does not count.
  t.same(tracker.record(OK, 5_999), { result: 'failure', changed: false, consecutive: 0 });
  t.equal(tracker.nextRunAtMs(), 6_000);
  t.same(tracker.record(OK, 6_100), { result: 'success', changed: true, consecutive: 1 });
  t.equal(tracker.nextRunAtMs(), 9_100);
  t.end();
});

void t.test('readiness: success and failure thresholds with consecutive runs', (t) => {
  const tracker = new ProbeTracker('readiness', { successThreshold: 2, failureThreshold: 3 }, 0);
  t.same(tracker.record(OK, 1), { result: 'failure', changed: false, consecutive: 1 });
  t.same(tracker.record(OK, 2), { result: 'success', changed: true, consecutive: 2 });
  t.same(tracker.record(OK, 3), { result: 'success', changed: false, consecutive: 3 });
  t.same(tracker.record(BAD, 4), { result: 'success', changed: false, consecutive: 1 });
  t.same(tracker.record(BAD, 5), { result: 'success', changed: false, consecutive: 2 });
  // A success in between resets the failure run.
  t.same(tracker.record(OK, 6), { result: 'success', changed: false, consecutive: 1 });
  t.same(tracker.record(BAD, 7), { result: 'success', changed: false, consecutive: 1 });
  t.same(tracker.record(BAD, 8), { result: 'success', changed: false, consecutive: 2 });
  t.same(tracker.record(BAD, 9), { result: 'failure', changed: true, consecutive: 3 });
  // Readiness keeps probing after failing: it may become ready again.
  t.equal(tracker.isStopped(), false);
  t.equal(tracker.nextRunAtMs(), 9 + 10_000);
  t.same(tracker.record(OK, 10), { result: 'failure', changed: false, consecutive: 1 });
  t.same(tracker.record(OK, 11), { result: 'success', changed: true, consecutive: 2 });
  t.end();
});

void t.test('liveness: failureThreshold failures kill; then the tracker stops', (t) => {
  const tracker = new ProbeTracker('liveness', { failureThreshold: 2, periodSeconds: 1 }, 0);
  t.same(tracker.record(BAD, 100), { result: 'success', changed: false, consecutive: 1 });
  t.same(tracker.record(BAD, 1_100), { result: 'failure', changed: true, consecutive: 2 });
  t.equal(tracker.isStopped(), true);
  t.equal(tracker.nextRunAtMs(), Number.POSITIVE_INFINITY);
  // Later records are ignored: the container is being killed.
  t.same(tracker.record(OK, 2_100), { result: 'failure', changed: false, consecutive: 0 });
  t.end();
});

void t.test('startup: succeeds once and stops; fails failureThreshold times and stops', (t) => {
  const ok = new ProbeTracker('startup', { failureThreshold: 3 }, 0);
  t.same(ok.record(BAD, 1), { result: 'unknown', changed: false, consecutive: 1 });
  t.same(ok.record(OK, 2), { result: 'success', changed: true, consecutive: 1 });
  t.equal(ok.isStopped(), true);
  t.equal(ok.nextRunAtMs(), Number.POSITIVE_INFINITY);

  const bad = new ProbeTracker('startup', { failureThreshold: 2 }, 0);
  t.same(bad.record(BAD, 1), { result: 'unknown', changed: false, consecutive: 1 });
  t.same(bad.record(BAD, 2), { result: 'failure', changed: true, consecutive: 2 });
  t.equal(bad.isStopped(), true);
  t.end();
});

void t.test('startup gating: liveness and readiness wait for the startup probe', (t) => {
  const startup = new ProbeTracker('startup', { periodSeconds: 2, failureThreshold: 5 }, 0);
  const liveness = new ProbeTracker('liveness', { periodSeconds: 10 }, 0, startup);
  const readiness = new ProbeTracker('readiness', { initialDelaySeconds: 1, periodSeconds: 10 }, 0, startup);
  t.equal(liveness.isGated(), true);
  t.equal(readiness.isGated(), true);
  // While gated, due no earlier than the startup probe's next run.
  t.equal(readiness.nextRunAtMs(), 1_000);
  startup.record(BAD, 500);
  t.equal(liveness.nextRunAtMs(), 2_500);
  t.equal(readiness.nextRunAtMs(), 2_500);
  // Records made while gated are dropped.
  t.same(readiness.record(OK, 2_000), { result: 'failure', changed: false, consecutive: 0 });
  t.same(liveness.record(BAD, 2_000), { result: 'success', changed: false, consecutive: 0 });

  t.same(startup.record(OK, 2_500), { result: 'success', changed: true, consecutive: 1 });
  t.equal(liveness.isGated(), false);
  t.equal(readiness.nextRunAtMs(), 1_000, 'due at once: its initial delay has passed');
  t.same(readiness.record(OK, 2_600), { result: 'success', changed: true, consecutive: 1 });
  t.end();
});

void t.test('a failed startup probe stops the gated trackers too', (t) => {
  const startup = new ProbeTracker('startup', { failureThreshold: 1 }, 0);
  const liveness = new ProbeTracker('liveness', {}, 0, startup);
  startup.record(BAD, 1);
  t.equal(liveness.isStopped(), true);
  t.equal(liveness.nextRunAtMs(), Number.POSITIVE_INFINITY);
  t.end();
});

void t.test('only a startup tracker may gate, and only liveness/readiness are gated', (t) => {
  const readiness = new ProbeTracker('readiness', {}, 0);
  t.throws(() => new ProbeTracker('liveness', {}, 0, readiness), TypeError);
  t.throws(() => new ProbeTracker('startup', {}, 0, new ProbeTracker('startup', {}, 0)), TypeError);
  t.end();
});

void t.test('event messages as kubelet words them', (t) => {
  t.equal(probeFailedMessage('liveness', 'HTTP probe failed with statuscode: 500'), 'Liveness probe failed: HTTP probe failed with statuscode: 500');
  t.equal(probeFailedMessage('readiness', undefined), 'Readiness probe failed: ');
  t.equal(probeFailedMessage('startup', 'x'), 'Startup probe failed: x');
  t.equal(probeKillingMessage('liveness', 'web'), 'Container web failed liveness probe, will be restarted');
  t.end();
});
