// Public surface of bench/: benchmarks the CLI runs.
export { runStoreBench } from './store.js';
export type { StoreBenchOptions, StoreBenchResult } from './store.js';
export { runApiBench, API_BENCH_PHASES, API_BENCH_DEFAULT_POOL } from './api.js';
export type { ApiBenchOptions, ApiBenchReport, ApiBenchPhase, ApiBenchCleanup } from './api.js';
export { ApiBenchClient, ApiBenchStatusError, ApiBenchTimeoutError } from './api-client.js';
export type { ApiBenchTarget, ApiBenchResponse } from './api-client.js';
export { apiBenchSummaryJson, apiBenchSucceeded, formatApiBenchTable, API_BENCH_TARGETS } from './api-report.js';
export { loadKubeconfigTarget, KubeconfigTargetError } from './api-target.js';
export { ApiLatencyRecorder, nearestRankPercentile, API_LATENCY_MAX_SAMPLES } from './api-stats.js';
export type { ApiLatencySummary } from './api-stats.js';
export { runOpenLoop, runBounded } from './api-open-loop.js';
export type { OpenLoopOptions, OpenLoopResult } from './api-open-loop.js';
export { runStartupBench, STARTUP_BENCH_DELETE_CONCURRENCY, STARTUP_BENCH_LABEL } from './startup.js';
export type { StartupBenchOptions, StartupBenchResult } from './startup.js';
export { runSchedulerBench } from './scheduler.js';
export type { SchedulerBenchOptions, SchedulerBenchResult } from './scheduler.js';
export { runDeploymentScaleBench, measureDeploymentScale, DEPLOYMENT_SCALE_LABEL, DEPLOYMENT_SCALE_NODES_READY_TIMEOUT_MS } from './deployment-scale.js';
export type { DeploymentScaleBenchOptions, DeploymentScaleBenchResult, DeploymentScaleMeasureOptions, DeploymentScaleResult } from './deployment-scale.js';
