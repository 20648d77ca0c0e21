// ManualClock: the in-memory clock the runtime's tests and simulations drive.
import t from 'tap';
import { ManualClock } from '../../../actors/index.js';

void t.test('timers fire in due order within advance, including ones created while firing', (t) => {
  const clock = new ManualClock(100);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => {
    fired.push(`a@${clock.now()}`);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
  }, 10);
  clock.setTimeout(() => fired.push(`tie@${clock.now()}`), 20);
  const cancelled = clock.setTimeout(() => fired.push('never'), 15);
  cancelled.cancel();
  clock.advance(19);
  t.same(fired, ['a@110', 'c@115']);
  t.equal(clock.now(), 119);
  clock.advance(1);
  t.same(fired, ['a@110', 'c@115', 'b@120', 'tie@120'], 'ties in creation order');
  t.equal(clock.pendingTimers, 0);
  t.throws(() => clock.advance(-1), RangeError);
  t.end();
});

void t.test('intervals repeat until cancelled', (t) => {
  const clock = new ManualClock();
  let ticks = 0;
  const interval = clock.setInterval(() => ticks++, 10);
  clock.advance(35);
  t.equal(ticks, 3);
  interval.cancel();
  clock.advance(100);
  t.equal(ticks, 3);
  t.end();
});
