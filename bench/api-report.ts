import type { ApiBenchReport } from './api.js';
import type { OpenLoopResult } from './api-open-loop.js';

/** The issue's targets on a 3-master cluster; shown next to the figures, never enforced. */
export const API_BENCH_TARGETS = {
  mutatingP99Ms: 50,
  list10000Ms: 300,
  watchP99DelayMs: 100,
} as const;

const MUTATING = ['create', 'update', 'patch', 'delete'] as const;
const LOAD_PHASES = ['create', 'get', 'update', 'patch', 'delete'] as const;

/** Whether nothing went wrong: no failed request, phase, list, lost event or cleanup step. */
export function apiBenchSucceeded(r: ApiBenchReport): boolean {
  const loadErrors = LOAD_PHASES.some((p) => (r[p]?.errors ?? 0) > 0);
  const listErrors = r.list !== undefined && (r.list.errors > 0 || r.list.paged.errors > 0 || r.list.setup.errors > 0);
  const watchErrors = r.watch !== undefined && (r.watch.lost > 0 || r.watch.write.errors > 0);
  return !loadErrors && !listErrors && !watchErrors && Object.keys(r.failedPhases).length === 0 && r.cleanup.ok;
}

function loadFigures(p: OpenLoopResult): Record<string, number> {
  return { count: p.count, errors: p.errors, p50Ms: p.p50Ms, p90Ms: p.p90Ms, p99Ms: p.p99Ms, maxMs: p.maxMs, rate: p.rate };
}

/** The one-line JSON summary, the last line `flotilla bench api` prints. */
export function apiBenchSummaryJson(r: ApiBenchReport): Record<string, unknown> {
  const out: Record<string, unknown> = { runId: r.runId, servers: r.servers, ratePerS: r.ratePerS, durationS: r.durationS };
  for (const p of LOAD_PHASES) {
    const res = r[p];
    if (res) out[p] = { ...loadFigures(res), ...(p === 'update' && r.update ? { conflicts: r.update.conflicts } : {}) };
  }
  if (r.list) {
    const l = r.list;
    out[`list${l.requestedPods}`] = {
      pods: l.pods,
      runs: l.count,
      errors: l.errors,
      p50Ms: l.p50Ms,
      p99Ms: l.p99Ms,
      maxMs: l.maxMs,
      bytes: l.bytes,
      paged: { limit: l.paged.limit, pages: l.paged.pages, runs: l.paged.count, errors: l.paged.errors, p50Ms: l.paged.p50Ms, maxMs: l.paged.maxMs },
      setup: { count: l.setup.count, errors: l.setup.errors, rate: l.setup.rate, p99Ms: l.setup.p99Ms },
    };
  }
  if (r.watch) {
    const w = r.watch;
    out.watch = {
      watchers: w.watchers,
      changes: w.changes,
      events: w.events,
      p50DelayMs: w.p50DelayMs,
      p90DelayMs: w.p90DelayMs,
      p99DelayMs: w.p99DelayMs,
      maxDelayMs: w.maxDelayMs,
      afterWrite: { p50Ms: w.afterWrite.p50Ms, p99Ms: w.afterWrite.p99Ms, maxMs: w.afterWrite.maxMs },
      lost: w.lost,
      ...(w.lost > 0 ? { watchersMissing: w.watchersMissing, lostSample: w.lostSample } : {}),
      duplicates: w.duplicates,
      streamsEnded: w.streamsEnded,
      write: loadFigures(w.write),
    };
  }
  if (Object.keys(r.failedPhases).length > 0) out.failedPhases = r.failedPhases;
  const c = r.cleanup;
  out.cleanup = {
    ok: c.ok,
    seconds: c.seconds,
    ...(c.failures.length > 0 ? { failures: c.failures } : {}),
    ...(c.notes.length > 0 ? { notes: c.notes } : {}),
    ...(c.namespacesLeft.length > 0 ? { namespacesLeft: c.namespacesLeft } : {}),
  };
  out.load1 = { before: round2(r.load1Before), after: round2(r.load1After) };
  if (r.cpuStealPercent !== undefined) out.cpuStealPercent = r.cpuStealPercent;
  out.ok = apiBenchSucceeded(r);
  return out;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function cell(v: string | number, width: number): string {
  return String(v).padStart(width);
}

function verdict(value: number, limit: number): string {
  return `${value <= limit ? 'met' : 'MISSED'} (≤ ${limit} ms)`;
}

/** The human-readable table printed before the JSON line. */
export function formatApiBenchTable(r: ApiBenchReport): string {
  const lines: string[] = [];
  lines.push(`flotilla bench api: run ${r.runId}, ${r.servers} API server(s), phases of ${r.durationS} s, create…delete at ${r.ratePerS} requests/s`);
  const rows = LOAD_PHASES.filter((p) => r[p] !== undefined);
  if (rows.length > 0) {
    lines.push('', `${'op'.padEnd(8)}${cell('count', 8)}${cell('errors', 8)}${cell('p50 ms', 10)}${cell('p90 ms', 10)}${cell('p99 ms', 10)}${cell('max ms', 10)}${cell('rate/s', 9)}  p99 target`);
    for (const p of rows) {
      const x = r[p]!;
      const target = (MUTATING as readonly string[]).includes(p) ? verdict(x.p99Ms, API_BENCH_TARGETS.mutatingP99Ms) : '';
      lines.push(`${p.padEnd(8)}${cell(x.count, 8)}${cell(x.errors, 8)}${cell(x.p50Ms, 10)}${cell(x.p90Ms, 10)}${cell(x.p99Ms, 10)}${cell(x.maxMs, 10)}${cell(x.rate, 9)}  ${target}`);
    }
    if (r.update) lines.push(`update conflicts retried: ${r.update.conflicts}`);
    for (const p of rows) if (r[p]!.firstError !== undefined) lines.push(`${p}: first error: ${r[p]!.firstError!}`);
  }
  if (r.list) {
    const l = r.list;
    lines.push(
      '',
      `list ${l.pods} pods (${(l.bytes / 1e6).toFixed(1)} MB of JSON): ${l.count} full lists p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms, ${l.errors} errors; target ${verdict(l.p99Ms, API_BENCH_TARGETS.list10000Ms)}`,
      `  paged (limit ${l.paged.limit}, ${l.paged.pages} pages): ${l.paged.count} walks p50 ${l.paged.p50Ms} ms, max ${l.paged.maxMs} ms, ${l.paged.errors} errors`,
      `  setup: ${l.setup.count} pods created at ${l.setup.rate}/s (p99 ${l.setup.p99Ms} ms), ${l.setup.errors} errors`,
    );
    if (l.firstError !== undefined) lines.push(`  first error: ${l.firstError}`);
  }
  if (r.watch) {
    const w = r.watch;
    lines.push(
      '',
      `watch: ${w.watchers} watchers × ${w.changes} changes at ${w.write.rate}/s: ${w.events} events, delay p50 ${w.p50DelayMs} ms, p90 ${w.p90DelayMs} ms, p99 ${w.p99DelayMs} ms, max ${w.maxDelayMs} ms; target ${verdict(w.p99DelayMs, API_BENCH_TARGETS.watchP99DelayMs)}`,
      `  delay after the write's response: p50 ${w.afterWrite.p50Ms} ms, p99 ${w.afterWrite.p99Ms} ms, max ${w.afterWrite.maxMs} ms`,
      `  lost ${w.lost}, duplicates ${w.duplicates}, streams ended early ${w.streamsEnded}; writes p99 ${w.write.p99Ms} ms, ${w.write.errors} errors`,
    );
    if (w.write.firstError !== undefined) lines.push(`  first write error: ${w.write.firstError}`);
    if (w.lost > 0) lines.push(`  ${w.watchersMissing} watchers missed changes; some lost: ${w.lostSample.join(', ')}`);
    if (w.firstStreamError !== undefined) lines.push(`  first stream end: ${w.firstStreamError}`);
  }
  for (const [p, why] of Object.entries(r.failedPhases)) lines.push('', `${p} FAILED: ${why}`);
  lines.push(
    '',
    `cleanup: ${r.cleanup.ok ? 'ok' : 'INCOMPLETE'} in ${r.cleanup.seconds} s${r.cleanup.namespacesLeft.length > 0 ? `; namespaces left: ${r.cleanup.namespacesLeft.join(', ')}` : ''}`,
    ...r.cleanup.failures.map((f) => `  ${f}`),
    ...r.cleanup.notes.map((n) => `  (${n})`),
    `load average (1 min): ${round2(r.load1Before)} before, ${round2(r.load1After)} after`,
    ...(r.cpuStealPercent !== undefined ? [`CPU steal (the hypervisor's share of this host's CPU time) during the run: ${r.cpuStealPercent} %`] : []),
  );
  return lines.join('\n');
}
