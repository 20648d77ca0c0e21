// slowStart: the calls in flight start at `initial` and grow by one per success (doubling per
// round trip, as kube's slowStartBatch), without waiting for a whole batch; a failure starts no more.
import t from 'tap';
import { slowStart } from '../../../actors/index.js';

interface Pending {
  readonly index: number;
  resolve(): void;
  reject(err: Error): void;
}

/** A call whose settlement the test decides, recording how many were in flight when each started. */
function gatedCalls(): { pending: Pending[]; inFlightAtStart: number[]; call: (index: number) => Promise<number> } {
  const pending: Pending[] = [];
  const inFlightAtStart: number[] = [];
  let inFlight = 0;
  return {
    pending,
    inFlightAtStart,
    call: (index) =>
      new Promise<number>((resolve, reject) => {
        inFlight++;
        inFlightAtStart.push(inFlight);
        pending.push({
          index,
          resolve: () => {
            inFlight--;
            resolve(index);
          },
          reject: (err) => {
            inFlight--;
            reject(err);
          },
        });
      }),
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

void t.test('one call first; each success lets one more start at once, so the window doubles per round trip', async (t) => {
  const gate = gatedCalls();
  const succeeded: number[] = [];
  const done = slowStart(10, 1, gate.call, (value) => succeeded.push(value), () => t.fail('no failures'));
  t.equal(gate.pending.length, 1, 'one call in flight at first');
  gate.pending[0]!.resolve();
  await tick();
  t.equal(gate.pending.length, 3, 'its success starts two (the window grew to 2)');
  // One slow call does not hold the others: the third finishes, the second stays in flight.
  gate.pending[2]!.resolve();
  await tick();
  t.equal(gate.pending.length, 5, 'a success while another is still slow starts two more at once');
  for (let i = 1; i < gate.pending.length; i++) if (i !== 2) gate.pending[i]!.resolve();
  for (let guard = 0; guard < 20 && gate.pending.length < 10; guard++) {
    await tick();
    for (const p of gate.pending.slice()) p.resolve();
  }
  const outcome = await done;
  t.same(outcome, { started: 10, succeeded: 10, failure: undefined });
  t.same(
    succeeded.sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  t.ok(Math.max(...gate.inFlightAtStart) <= 8, 'never more in flight than the window allows');
});

void t.test('the first failure starts nothing more; calls in flight finish and are reported', async (t) => {
  const gate = gatedCalls();
  const failures: unknown[] = [];
  let successes = 0;
  const done = slowStart(100, 2, gate.call, () => successes++, (reason) => failures.push(reason));
  t.equal(gate.pending.length, 2, 'initial window of 2');
  const quota = new Error('exceeded quota');
  gate.pending[0]!.reject(quota);
  await tick();
  t.equal(gate.pending.length, 2, 'nothing new after a failure');
  gate.pending[1]!.resolve();
  const outcome = await done;
  t.same(outcome, { started: 2, succeeded: 1, failure: quota });
  t.same(failures, [quota]);
  t.equal(successes, 1);
});

void t.test('zero calls resolve at once; a throwing call or callback is a failure, never a hang', async (t) => {
  t.same(await slowStart(0, 1, () => Promise.resolve(1), () => undefined, () => undefined), { started: 0, succeeded: 0, failure: undefined });
  const boom = new Error('sync throw');
  const thrown = await slowStart(
    5,
    1,
    () => {
      throw boom;
    },
    () => undefined,
    () => undefined,
  );
  t.same(thrown, { started: 1, succeeded: 0, failure: boom });
  const callbackError = new Error('callback');
  const fromCallback = await slowStart(
    5,
    1,
    () => Promise.resolve(1),
    () => {
      throw callbackError;
    },
    () => undefined,
  );
  t.same(fromCallback, { started: 1, succeeded: 1, failure: callbackError });
  t.throws(() => slowStart(1, 0, () => Promise.resolve(1), () => undefined, () => undefined), RangeError);
});
