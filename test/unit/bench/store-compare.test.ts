// npm run bench:store's arithmetic: ratios within a round, medians across rounds.
import t from 'tap';
import type { StoreRoundFigures } from '../../../bench/index.js';
import { compareStoreRounds, median, roundRatios } from '../../../bench/index.js';

const figures = (put64Qps: number, rangeQps: number, put64P99Ms: number, p50 = 1): StoreRoundFigures => ({
  putOneClientToLeaderP50Ms: p50,
  putOneClientToFollowerP50Ms: p50 * 2,
  put64Qps,
  put64P99Ms,
  rangeLinearizable64Qps: rangeQps,
  rangeLinearizable64P99Ms: 40,
  rangeSerializable64Qps: rangeQps * 2,
});

void t.test('median: the middle value, or the mean of the middle two; never of nothing', (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([7]), 7);
  t.throws(() => median([]), RangeError);
  t.end();
});

void t.test('a round compares the two systems measured in it', (t) => {
  t.same(roundRatios({ flotilla: figures(3000, 2400, 60), etcd: figures(2000, 3000, 80) }), { put64Qps: 1.5, rangeLinearizable64Qps: 0.8, put64P99: 0.75 });
  t.end();
});

void t.test('the ratio is the median of the rounds’ ratios, not the ratio of the medians', (t) => {
  // The machine slows down over the run: etcd's and Flotilla's figures fall together.
  const rounds = [
    { flotilla: figures(3000, 3000, 50), etcd: figures(2000, 3000, 100) }, // 1.5
    { flotilla: figures(1000, 1000, 100), etcd: figures(1250, 1000, 100) }, // 0.8
    { flotilla: figures(500, 500, 200), etcd: figures(400, 1000, 100) }, // 1.25
  ];
  const c = compareStoreRounds(rounds);
  t.same(c.rounds.map((r) => r.put64Qps), [1.5, 0.8, 1.25]);
  t.equal(c.ratio.put64Qps, 1.25, 'median of 1.5, 0.8, 1.25');
  t.equal(c.ratio.rangeLinearizable64Qps, 1, 'median of 1, 1, 0.5');
  t.equal(c.ratio.put64P99, 1, 'median of 0.5, 1, 2');
  t.equal(c.flotilla.put64Qps, 1000);
  t.equal(c.etcd.put64Qps, 1250);
  t.equal(c.flotilla.putOneClientToFollowerP50Ms, 2);
  t.throws(() => compareStoreRounds([]), RangeError);
  t.end();
});
