// Inflights: the flow-control window of one follower (etcd/raft's tracker/inflights_test.go, adapted).
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import { Inflights } from '../../../raft/index.js';

/** Adds messages carrying last indexes from..to (inclusive), `bytes` each. */
function addRange(inf: Inflights, from: number, to: number, bytes = 0): void {
  for (let i = from; i <= to; i++) inf.add(i, bytes);
}

void t.test('add fills the window up to capacity', (t) => {
  const inf = new Inflights(10, 0);
  addRange(inf, 0, 4);
  t.equal(inf.size(), 5);
  t.notOk(inf.full());
  addRange(inf, 5, 9);
  t.equal(inf.size(), 10);
  t.ok(inf.full());
  t.end();
});

void t.test('freeLE frees every message up to and including an index', (t) => {
  const inf = new Inflights(10, 0);
  addRange(inf, 0, 9);
  inf.freeLE(0);
  t.equal(inf.size(), 9);
  t.notOk(inf.full());
  inf.freeLE(4);
  t.equal(inf.size(), 5);
  inf.freeLE(3);
  t.equal(inf.size(), 5, 'an older ack frees nothing');
  inf.freeLE(8);
  t.equal(inf.size(), 1);
  inf.freeLE(10);
  t.equal(inf.size(), 0);
  inf.freeLE(20);
  t.equal(inf.size(), 0, 'freeing an empty window is a no-op');
  t.end();
});

void t.test('the ring wraps around and keeps order', (t) => {
  const inf = new Inflights(10, 0);
  addRange(inf, 0, 4);
  inf.freeLE(2); // 3, 4 remain, in slots 3 and 4
  addRange(inf, 5, 12); // 10, 11, 12 wrap into slots 0..2
  t.equal(inf.size(), 10);
  t.ok(inf.full());
  inf.freeLE(9);
  t.equal(inf.size(), 3, '10, 11, 12 remain');
  addRange(inf, 13, 19);
  t.ok(inf.full());
  inf.freeLE(11);
  t.equal(inf.size(), 8, '12..19 remain');
  inf.freeLE(18);
  t.equal(inf.size(), 1);
  inf.freeLE(19);
  t.equal(inf.size(), 0);
  t.end();
});

void t.test('the byte limit fills the window before the count does', (t) => {
  const inf = new Inflights(10, 100);
  inf.add(1, 40);
  inf.add(2, 40);
  t.notOk(inf.full(), '80 of 100 bytes');
  inf.add(3, 20);
  t.ok(inf.full(), '100 of 100 bytes');
  inf.freeLE(1);
  t.notOk(inf.full(), 'freeing returns the bytes');
  inf.add(4, 1000);
  t.ok(inf.full(), 'one large message may exceed the limit; it then blocks the rest');
  t.equal(inf.size(), 3);
  inf.freeLE(4);
  t.equal(inf.size(), 0);
  t.notOk(inf.full());
  t.end();
});

void t.test('reset empties the window', (t) => {
  const inf = new Inflights(3, 10);
  addRange(inf, 1, 3, 5);
  t.ok(inf.full());
  inf.reset();
  t.equal(inf.size(), 0);
  t.notOk(inf.full());
  addRange(inf, 4, 5, 4);
  inf.freeLE(4);
  t.equal(inf.size(), 1);
  t.end();
});

void t.test('matches a plain-array model over random operations (wrap-around, bytes)', (t) => {
  for (let seed = 1; seed <= 50; seed++) {
    const rnd = new SeededRandom(seed);
    const capacity = 1 + rnd.int(8);
    const maxBytes = rnd.chance(0.5) ? 0 : 1 + rnd.int(200);
    const inf = new Inflights(capacity, maxBytes);
    let model: { index: number; bytes: number }[] = [];
    let next = 1;
    let failures = 0;
    for (let step = 0; step < 300 && failures === 0; step++) {
      const modelBytes = model.reduce((s, m) => s + m.bytes, 0);
      const modelFull = model.length === capacity || (maxBytes > 0 && modelBytes >= maxBytes);
      const r = rnd.next();
      if (r < 0.55 && !modelFull) {
        const bytes = rnd.int(60);
        next += 1 + rnd.int(3);
        inf.add(next, bytes);
        model.push({ index: next, bytes });
      } else if (r < 0.97) {
        const to = next - rnd.int(10);
        inf.freeLE(to);
        model = model.filter((m) => m.index > to);
      } else {
        inf.reset();
        model = [];
      }
      const bytesNow = model.reduce((s, m) => s + m.bytes, 0);
      const fullNow = model.length === capacity || (maxBytes > 0 && bytesNow >= maxBytes);
      if (inf.size() !== model.length || inf.full() !== fullNow) {
        failures++;
        t.fail(`seed ${seed} step ${step}: size ${inf.size()} full ${inf.full()}, model size ${model.length} full ${fullNow}`);
      }
    }
  }
  t.pass('all seeds agree with the model');
  t.end();
});
