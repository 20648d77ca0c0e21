// The CPU steal a benchmark reports: the hypervisor's share of the host's CPU time between two /proc/stat readings.
import t from 'tap';
import { readCpuTimes, stealPercent } from '../../../bench/index.js';

const stat = (user: number, idle: number, steal: number, guest = 0): string =>
  `cpu  ${user} 0 0 ${idle} 0 0 0 ${steal} ${guest} 0\ncpu0 1 2 3 4 5 6 7 8 9 10\nintr 1 2\n`;

void t.test('steal is its share of all CPU time between the readings; guest time is not counted twice', (t) => {
  const before = readCpuTimes(() => stat(100, 800, 100, 50));
  const after = readCpuTimes(() => stat(400, 1400, 400, 90));
  t.same(before, { total: 1000, steal: 100 });
  t.equal(stealPercent(before, after), 25, '300 of 1,200 ticks');
  t.end();
});

void t.test('no figure without a usable /proc/stat or without time passing', (t) => {
  t.equal(readCpuTimes(() => { throw new Error('ENOENT'); }), undefined, 'not Linux');
  t.equal(readCpuTimes(() => 'intr 1 2\n'), undefined, 'no cpu line');
  t.equal(readCpuTimes(() => 'cpu 1 2 x 4 5 6 7 8\n'), undefined, 'a field that is not a number');
  const same = readCpuTimes(() => stat(1, 1, 1));
  t.equal(stealPercent(same, same), undefined);
  t.equal(stealPercent(undefined, same), undefined);
  t.type(readCpuTimes(), 'object', 'this host has /proc/stat');
  t.end();
});
