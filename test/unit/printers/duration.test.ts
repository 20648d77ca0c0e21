import t from 'tap';
import { humanDuration } from '../../../core/index.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

void t.test('humanDuration follows apimachinery HumanDuration thresholds', (t) => {
  const cases: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-1500, '0s'],
    [-1 * S, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * S, '5s'],
    [119 * S, '119s'],
    [2 * M, '2m'],
    [3 * M + 2 * S, '3m2s'],
    [9 * M + 59 * S, '9m59s'],
    [10 * M + 30 * S, '10m'],
    [179 * M, '179m'],
    [3 * H, '3h'],
    [5 * H + 7 * M, '5h7m'],
    [8 * H + 30 * M, '8h'],
    [47 * H, '47h'],
    [2 * D, '2d'],
    [2 * D + 4 * H, '2d4h'],
    [7 * D + 23 * H, '7d23h'],
    [8 * D + 5 * H, '8d'],
    [729 * D, '729d'],
    [730 * D, '2y'],
    [3 * 365 * D + 12 * D, '3y12d'],
    [9 * 365 * D + 100 * D, '9y'],
  ];
  for (const [ms, want] of cases) t.equal(humanDuration(ms), want, `${ms}ms`);
  t.end();
});
