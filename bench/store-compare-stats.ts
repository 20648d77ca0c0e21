/**
 * How `npm run bench:store` turns rounds of Flotilla-then-etcd measurements into figures. This
 * machine's speed drifts by 2-4x over an hour, so one Flotilla run against one etcd run a few
 * minutes later compared the machine's moods as much as the systems. Each round measures both
 * back to back (alternating which goes first); the ratios are taken within a round, and the
 * reported ratio is their median.
 */

/** One system's figures in one round. */
export interface StoreRoundFigures {
  readonly putOneClientToLeaderP50Ms: number;
  readonly putOneClientToFollowerP50Ms: number;
  readonly put64Qps: number;
  readonly put64P99Ms: number;
  readonly rangeLinearizable64Qps: number;
  readonly rangeLinearizable64P99Ms: number;
  readonly rangeSerializable64Qps: number;
}

export interface StoreRound {
  readonly flotilla: StoreRoundFigures;
  readonly etcd: StoreRoundFigures;
}

/** Flotilla / etcd within one round: above 1 means Flotilla did more (qps) or waited longer (p99). */
export interface StoreRoundRatios {
  readonly put64Qps: number;
  readonly rangeLinearizable64Qps: number;
  readonly put64P99: number;
}

export interface StoreComparison {
  /** Per system, each figure's median over the rounds. */
  readonly flotilla: StoreRoundFigures;
  readonly etcd: StoreRoundFigures;
  /** Median of the rounds' ratios. */
  readonly ratio: StoreRoundRatios;
  /** Each round's ratios, in order. */
  readonly rounds: readonly StoreRoundRatios[];
}

/** The middle value; the mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round2 = (x: number): number => +x.toFixed(2);
const round3 = (x: number): number => +x.toFixed(3);

export function roundRatios(r: StoreRound): StoreRoundRatios {
  return {
    put64Qps: round2(r.flotilla.put64Qps / r.etcd.put64Qps),
    rangeLinearizable64Qps: round2(r.flotilla.rangeLinearizable64Qps / r.etcd.rangeLinearizable64Qps),
    put64P99: round2(r.flotilla.put64P99Ms / r.etcd.put64P99Ms),
  };
}

function medianFigures(all: readonly StoreRoundFigures[]): StoreRoundFigures {
  const m = (pick: (f: StoreRoundFigures) => number): number => round3(median(all.map(pick)));
  return {
    putOneClientToLeaderP50Ms: m((f) => f.putOneClientToLeaderP50Ms),
    putOneClientToFollowerP50Ms: m((f) => f.putOneClientToFollowerP50Ms),
    put64Qps: Math.round(median(all.map((f) => f.put64Qps))),
    put64P99Ms: m((f) => f.put64P99Ms),
    rangeLinearizable64Qps: Math.round(median(all.map((f) => f.rangeLinearizable64Qps))),
    rangeLinearizable64P99Ms: m((f) => f.rangeLinearizable64P99Ms),
    rangeSerializable64Qps: Math.round(median(all.map((f) => f.rangeSerializable64Qps))),
  };
}

export function compareStoreRounds(rounds: readonly StoreRound[]): StoreComparison {
  if (rounds.length === 0) throw new RangeError('no rounds to compare');
  const ratios = rounds.map(roundRatios);
  return {
    flotilla: medianFigures(rounds.map((r) => r.flotilla)),
    etcd: medianFigures(rounds.map((r) => r.etcd)),
    ratio: {
      put64Qps: round2(median(ratios.map((r) => r.put64Qps))),
      rangeLinearizable64Qps: round2(median(ratios.map((r) => r.rangeLinearizable64Qps))),
      put64P99: round2(median(ratios.map((r) => r.put64P99))),
    },
    rounds: ratios,
  };
}
