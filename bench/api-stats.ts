/** Latency figures of one operation, in milliseconds; `rate` is completed operations per second. */
export interface ApiLatencySummary {
  /** Operations that completed without error. */
  readonly count: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * Collects latency samples (ms) and summarizes them with nearest-rank percentiles. Samples grow
 * in a typed array up to `maxSamples`; past it, recording throws rather than silently dropping
 * samples and skewing the percentiles.
 */
export class ApiLatencyRecorder {
  private samples: Float64Array;
  private length = 0;
  errors = 0;

  constructor(private readonly maxSamples = API_LATENCY_MAX_SAMPLES) {
    this.samples = new Float64Array(Math.min(1024, maxSamples));
  }

  get count(): number {
    return this.length;
  }

  record(ms: number): void {
    if (this.length === this.samples.length) {
      if (this.length >= this.maxSamples) throw new RangeError(`more than ${this.maxSamples} latency samples`);
      const grown = new Float64Array(Math.min(this.maxSamples, this.samples.length * 2));
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.length++] = ms;
  }

  summary(): ApiLatencySummary {
    const sorted = this.samples.slice(0, this.length).sort();
    return {
      count: this.length,
      errors: this.errors,
      p50Ms: roundMs(nearestRankPercentile(sorted, 0.5)),
      p90Ms: roundMs(nearestRankPercentile(sorted, 0.9)),
      p99Ms: roundMs(nearestRankPercentile(sorted, 0.99)),
      maxMs: roundMs(sorted.length === 0 ? 0 : sorted[sorted.length - 1]!),
    };
  }
}

/** The bound of one recorder: 20 M samples are 160 MB, more than any run of `bench api` needs. */
export const API_LATENCY_MAX_SAMPLES = 20_000_000;

/** The smallest sample with at least `p` of all samples at or below it; 0 when there are none. */
export function nearestRankPercentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Milliseconds to three decimals, as every figure of the report. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
