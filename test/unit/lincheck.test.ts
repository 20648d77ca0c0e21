import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import {
  checkLinearizable,
  HistoryParseError,
  HistoryRecorder,
  MalformedHistoryError,
  parseHistory,
  SearchLimitError,
  SeededRandom,
  type HistoryEvent,
  type LinFunction,
  type LinOpType,
} from '../../core/index.js';
import { lincheckCommand, type LincheckIo } from '../../cluster/index.js';

// The compiled test runs from dist/test/unit/; fixtures stay in the source tree.
const FIXTURES = new URL('../../../test/unit/testdata/lincheck/', import.meta.url);
const fixture = (name: string): string => fileURLToPath(new URL(name, FIXTURES));

/**
 * A history in a compact notation, one event per string: "process type f value [key]", with
 * the value as JSON without spaces and key "x" by default. h('0 invoke write 1', '0 ok write 1')
 */
function h(...events: string[]): HistoryEvent[] {
  return events.map((text) => {
    const [process, type, f, value, key = 'x'] = text.split(' ');
    if (!isType(type) || !isFunction(f) || value === undefined) throw new Error(`bad: ${text}`);
    return { process: Number(process), type, f, key, value: JSON.parse(value) as unknown };
  });
}

const isType = (x: string | undefined): x is LinOpType =>
  x === 'invoke' || x === 'ok' || x === 'fail' || x === 'info';
const isFunction = (x: string | undefined): x is LinFunction =>
  x === 'read' || x === 'write' || x === 'cas';

/** Events in h's notation (without the key), for readable assertions. */
function notation(events: readonly HistoryEvent[] | undefined): string[] {
  return (events ?? []).map((e) => `${e.process} ${e.type} ${e.f} ${JSON.stringify(e.value)}`);
}

// ---------------------------------------------------------------------------------------------
// A brute-force reference: try every order of the ops that respects real time. Written from
// the history format's definition, sharing nothing with the checker.

interface RefOp {
  call: number;
  ret: number; // Infinity: outcome unknown, may happen any time after call, or never
  required: boolean;
  apply: (state: string) => string | null; // states are JSON strings
  noop: boolean; // an info read: may have happened, observed nothing
}

function refOps(history: readonly HistoryEvent[]): Map<string, RefOp[]> {
  const pending = new Map<number, number>();
  const byKey = new Map<string, RefOp[]>();
  const done = new Map<number, number>();
  history.forEach((e, i) => {
    if (e.type === 'invoke') pending.set(e.process, i);
    else {
      done.set(pending.get(e.process)!, i);
      pending.delete(e.process);
    }
  });
  history.forEach((e, i) => {
    if (e.type !== 'invoke') return;
    const end = done.get(i);
    const completion = end === undefined ? undefined : history[end]!;
    const type = completion?.type ?? 'info';
    const ops = byKey.get(e.key) ?? [];
    byKey.set(e.key, ops);
    const known = type !== 'info';
    const op = (apply: RefOp['apply'], noop = false): RefOp => ({
      call: i,
      ret: known ? end! : Infinity,
      required: known,
      apply,
      noop,
    });
    if (e.f === 'read') {
      if (type === 'ok') ops.push(op((s) => (s === json(completion!.value) ? s : null)));
      if (type === 'info') ops.push(op((s) => s, true));
    } else if (e.f === 'write') {
      if (type !== 'fail') ops.push(op(() => json(e.value)));
    } else {
      const [expected, next] = e.value as [unknown, unknown];
      if (type === 'fail') ops.push(op((s) => (s !== json(expected) ? s : null)));
      else ops.push(op((s) => (s === json(expected) ? json(next) : null)));
    }
  });
  return byKey;
}

/** JSON with sorted object keys, so deeply equal values get equal strings. */
function json(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(json).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const fields = Object.keys(record).sort();
    return `{${fields.map((k) => `${JSON.stringify(k)}:${json(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function refSearch(ops: readonly RefOp[], state: string, done: boolean[]): boolean {
  if (ops.every((op, i) => done[i] || !op.required)) return true;
  for (let i = 0; i < ops.length; i++) {
    if (done[i]) continue;
    const op = ops[i]!;
    if (ops.some((o, j) => !done[j] && o.required && o.ret < op.call)) continue;
    const next = op.apply(state);
    if (next === null) continue;
    done[i] = true;
    if (refSearch(ops, next, done)) return true;
    done[i] = false;
  }
  return false;
}

/** Every key linearizable from null or, with `anyStart`, from some value. */
function refLinearizable(history: readonly HistoryEvent[], anyStart = false): boolean {
  const starts = anyStart
    ? [...new Set(['null', '"<fresh>"', ...history.flatMap((e) => jsonLeaves(e.value))])]
    : ['null'];
  return [...refOps(history).values()].every((ops) =>
    starts.some((s) => refSearch(ops, s, ops.map(() => false))),
  );
}

function jsonLeaves(value: unknown): string[] {
  return Array.isArray(value) ? value.map(json) : [json(value)];
}

/**
 * True if an op of `key` that constrains the register is invoked before event `index`: then a
 * window starting at `index` does not know the register's starting value.
 */
function effectiveOpBefore(history: readonly HistoryEvent[], key: string, index: number): boolean {
  return (refOps(history).get(key) ?? []).some((op) => op.call < index && !op.noop);
}

// ---------------------------------------------------------------------------------------------
// Random histories: clients run ops against one real register per key, with random overlap,
// crashes before and after taking effect, and crashed ops that take effect much later.
// Linearizable by construction.

interface SimOptions {
  processes: number;
  ops: number;
  keys: string[];
  values: number;
}

function simulate(rnd: SeededRandom, o: SimOptions): readonly HistoryEvent[] {
  const recorder = new HistoryRecorder();
  const register = new Map<string, unknown>();
  type Outcome = { type: LinOpType; value: unknown };
  type Pending = { f: LinFunction; key: string; value: unknown; result?: Outcome };
  const clients = new Map<number, Pending>();
  const zombies: Pending[] = []; // crashed before taking effect; may take effect later
  const apply = (op: Pending): Outcome => {
    const current = register.get(op.key) ?? null;
    if (op.f === 'read') return { type: 'ok', value: current };
    if (op.f === 'write') {
      register.set(op.key, op.value);
      return { type: 'ok', value: op.value };
    }
    const [expected, next] = op.value as [unknown, unknown];
    if (current !== expected) return { type: 'fail', value: op.value };
    register.set(op.key, next);
    return { type: 'ok', value: op.value };
  };
  const randomValue = (): unknown => (rnd.chance(0.2) ? null : rnd.int(o.values));
  let invoked = 0;
  while (invoked < o.ops || clients.size > 0) {
    if (zombies.length > 0 && rnd.chance(0.05)) {
      apply(zombies.splice(rnd.int(zombies.length), 1)[0]!);
    }
    const p = rnd.int(o.processes);
    const op = clients.get(p);
    if (op === undefined) {
      if (invoked >= o.ops) continue;
      const key = o.keys[rnd.int(o.keys.length)]!;
      const f = (['read', 'write', 'cas'] as const)[rnd.int(3)]!;
      const written = rnd.int(o.values);
      const value = f === 'read' ? null : f === 'write' ? written : [randomValue(), written];
      recorder.invoke(p, f, key, value);
      clients.set(p, { f, key, value });
      invoked++;
    } else if (op.result === undefined) {
      if (rnd.chance(0.1)) {
        // Crashed before taking effect: unknown outcome; it may still happen later.
        recorder.info(p, op.f, op.key, op.value);
        clients.delete(p);
        if (op.f !== 'read' && rnd.chance(0.5)) zombies.push(op);
      } else if (op.f !== 'cas' && rnd.chance(0.05)) {
        recorder.fail(p, op.f, op.key, op.value); // certainly did not happen
        clients.delete(p);
      } else {
        op.result = apply(op);
      }
    } else {
      // Sometimes the client crashes after the op took effect.
      const crashed: Outcome = { type: 'info', value: op.value };
      const { type, value } = rnd.chance(0.05) ? crashed : op.result;
      if (type === 'ok') recorder.ok(p, op.f, op.key, value);
      else if (type === 'fail') recorder.fail(p, op.f, op.key, value);
      else recorder.info(p, op.f, op.key, value);
      clients.delete(p);
    }
  }
  return recorder.events();
}

/** A copy of `history` with one completion's value or outcome changed at random. */
function mutate(
  rnd: SeededRandom,
  history: readonly HistoryEvent[],
  values: number,
): HistoryEvent[] {
  const changeable = (e: HistoryEvent): boolean =>
    (e.type === 'ok' && e.f === 'read') ||
    (e.f === 'cas' && (e.type === 'ok' || e.type === 'fail'));
  const candidates = history.flatMap((e, i) => (changeable(e) ? [i] : []));
  if (candidates.length === 0) return [...history];
  const i = candidates[rnd.int(candidates.length)]!;
  const e = history[i]!;
  const changed: HistoryEvent =
    e.f === 'read'
      ? { ...e, value: rnd.chance(0.2) ? null : rnd.int(values + 1) }
      : { ...e, type: e.type === 'ok' ? 'fail' : 'ok' };
  return history.map((x, j) => (j === i ? changed : x));
}

// ---------------------------------------------------------------------------------------------

t.test('linearizable histories', async (t) => {
  const cases: [string, HistoryEvent[]][] = [
    ['empty history', []],
    [
      'overlapping writes and reads that see either order',
      h(
        '0 invoke write 1',
        '1 invoke write 2',
        '2 invoke read null',
        '2 ok read 2',
        '2 invoke read null',
        '2 ok read 1',
        '0 ok write 1',
        '1 ok write 2',
        '2 invoke read null',
        '2 ok read 1',
      ),
    ],
    [
      'read of a missing key is null',
      h('0 invoke read null', '0 ok read null', '0 invoke write 1', '0 ok write 1'),
    ],
    [
      'cas success and cas failure',
      h(
        '0 invoke write 1',
        '0 ok write 1',
        '1 invoke cas [1,2]',
        '1 ok cas [1,2]',
        '2 invoke cas [1,3]',
        '2 fail cas [1,3]',
        '0 invoke read null',
        '0 ok read 2',
      ),
    ],
    [
      'a failed cas concurrent with the write that changed the value',
      h(
        '0 invoke write 1',
        '0 ok write 1',
        '1 invoke cas [1,5]',
        '0 invoke write 2',
        '0 ok write 2',
        '1 fail cas [1,5]',
      ),
    ],
    [
      'an info write that took effect',
      h('0 invoke write 1', '0 info write 1', '1 invoke read null', '1 ok read 1'),
    ],
    [
      'an info write that never took effect',
      h(
        '0 invoke write 1',
        '0 info write 1',
        '1 invoke read null',
        '1 ok read null',
        '1 invoke read null',
        '1 ok read null',
      ),
    ],
    [
      'an info write that took effect long after it crashed',
      h(
        '0 invoke write 1',
        '0 info write 1',
        '1 invoke write 2',
        '1 ok write 2',
        '1 invoke read null',
        '1 ok read 2',
        '1 invoke read null',
        '1 ok read 1',
      ),
    ],
    [
      'an invoke with no completion counts as info',
      h('0 invoke write 7', '1 invoke read null', '1 ok read 7'),
    ],
    [
      'an info cas that took effect',
      h(
        '0 invoke cas [null,4]',
        '0 info cas [null,4]',
        '1 invoke read null',
        '1 ok read 4',
      ),
    ],
    [
      'a crashed write that enables a crashed cas',
      h(
        '0 invoke write 1',
        '1 invoke cas [1,2]',
        '0 info write 1',
        '1 info cas [1,2]',
        '2 invoke read null',
        '2 ok read 2',
      ),
    ],
    [
      // Found by the randomized test against a broken memo: the crashed cas ops must take
      // effect in one order (write 1, cas 1->2, cas 2->1, cas 1->0) for the read of 0.
      'crashed cas ops that take effect in the one order that works',
      h(
        '3 invoke cas [1,0]',
        '2 invoke cas [0,2]',
        '0 invoke cas [2,1]',
        '4 invoke cas [1,2]',
        '2 info cas [0,2]',
        '3 info cas [1,0]',
        '2 invoke write 1',
        '1 invoke cas [2,1]',
        '0 ok cas [2,1]',
        '3 invoke write 2',
        '1 info cas [2,1]',
        '2 ok write 1',
        '2 invoke read null',
        '4 info cas [1,2]',
        '3 ok write 2',
        '2 ok read 0',
      ),
    ],
    [
      'failed reads and writes are dropped',
      h(
        '0 invoke write 1',
        '0 fail write 1',
        '1 invoke read null',
        '1 fail read 99',
        '1 invoke read null',
        '1 ok read null',
      ),
    ],
    [
      'values compare by deep equality',
      h(
        '0 invoke write {"b":[1,{"c":null}],"a":"x"}',
        '0 ok write {"b":[1,{"c":null}],"a":"x"}',
        '0 invoke cas [{"a":"x","b":[1,{"c":null}]},[1]]',
        '0 ok cas [{"a":"x","b":[1,{"c":null}]},[1]]',
        '1 invoke read null',
        '1 ok read [1]',
      ),
    ],
  ];
  for (const [name, history] of cases) {
    t.equal(refLinearizable(history), true, `reference agrees: ${name}`);
    const result = checkLinearizable(history);
    const ops = history.filter((e) => e.type === 'invoke').length;
    const keys = new Set(history.map((e) => e.key)).size;
    t.same(result, { linearizable: true, ops, keys }, name);
  }
});

t.test('non-linearizable histories, with the key and minimal window', async (t) => {
  const w1 = ['0 invoke write 1', '0 ok write 1'];
  const cases: [string, HistoryEvent[], string[]][] = [
    [
      'stale read after a completed write',
      h(...w1, '1 invoke write 2', '1 ok write 2', '2 invoke read null', '2 ok read 1'),
      ['1 invoke write 2', '1 ok write 2', '2 invoke read null', '2 ok read 1'],
    ],
    [
      'read of a value never written',
      h(...w1, '1 invoke read null', '1 ok read 5'),
      ['0 invoke write 1', '0 ok write 1', '1 invoke read null', '1 ok read 5'],
    ],
    [
      'first op reads a value never written',
      h('1 invoke read null', '1 ok read 5', ...w1),
      ['1 invoke read null', '1 ok read 5'],
    ],
    [
      'two sequential reads see the new value, then the old one',
      h(
        ...w1,
        '1 invoke write 2',
        '2 invoke read null',
        '2 ok read 2',
        '2 invoke read null',
        '2 ok read 1',
        '1 ok write 2',
      ),
      ['2 invoke read null', '2 ok read 2', '2 invoke read null', '2 ok read 1'],
    ],
    [
      'a cas succeeds on a value that could not have been current',
      h(...w1, '1 invoke write 2', '1 ok write 2', '2 invoke cas [1,3]', '2 ok cas [1,3]'),
      ['1 invoke write 2', '1 ok write 2', '2 invoke cas [1,3]', '2 ok cas [1,3]'],
    ],
    [
      'a lost write: later reads keep seeing the value it overwrote',
      h(
        ...w1,
        '1 invoke write 2',
        '2 invoke read null',
        '2 ok read 1',
        '1 ok write 2',
        '2 invoke read null',
        '2 ok read 1',
        '0 invoke read null',
        '0 ok read 1',
      ),
      [
        '1 invoke write 2',
        '2 invoke read null',
        '2 ok read 1',
        '1 ok write 2',
        '2 invoke read null',
        '2 ok read 1',
      ],
    ],
    [
      // Dropping the failed cas would accept this; modelling it as "saw a value other than 1"
      // rejects it, because 1 was the value for the whole of the cas.
      'a cas fails although its expected value was current throughout',
      h(...w1, '1 invoke cas [1,2]', '1 fail cas [1,2]'),
      ['0 invoke write 1', '0 ok write 1', '1 invoke cas [1,2]', '1 fail cas [1,2]'],
    ],
    [
      'an info write cannot take effect twice',
      h(
        '0 invoke write 1',
        '0 info write 1',
        '1 invoke write 2',
        '1 ok write 2',
        '1 invoke read null',
        '1 ok read 1',
        '1 invoke read null',
        '1 ok read 2',
        '1 invoke read null',
        '1 ok read 1',
      ),
      // Once 1 is read after the write of 2 completed, nothing is left to write 2 again.
      ['1 invoke read null', '1 ok read 1', '1 invoke read null', '1 ok read 2'],
    ],
  ];
  for (const [name, history, window] of cases) {
    t.equal(refLinearizable(history), false, `reference agrees: ${name}`);
    const result = checkLinearizable(history);
    t.equal(result.linearizable, false, name);
    t.equal(result.key, 'x', `${name}: key`);
    t.same(notation(result.window), window, `${name}: window`);
  }
});

t.test('a window is judged together with the writes that may land inside it', async (t) => {
  // [write 2, read 1] would be impossible on its own, but the crashed write of 1, invoked
  // before that window, may take effect between them. The real violation comes later.
  const history = h(
    '0 invoke write 1',
    '0 ok write 1',
    '2 invoke write 1',
    '2 info write 1',
    '1 invoke write 2',
    '1 ok write 2',
    '1 invoke read null',
    '1 ok read 1',
    '1 invoke write 3',
    '1 ok write 3',
    '1 invoke read null',
    '1 ok read 5',
  );
  t.equal(refLinearizable(history), false);
  const result = checkLinearizable(history);
  t.equal(result.linearizable, false);
  t.same(notation(result.window), [
    '1 invoke write 3',
    '1 ok write 3',
    '1 invoke read null',
    '1 ok read 5',
  ]);
});

t.test('the failing key is reported, and only its events are in the window', async (t) => {
  const history = h(
    '0 invoke write 1 a',
    '1 invoke write 1 b',
    '0 ok write 1 a',
    '1 ok write 1 b',
    '0 invoke write 2 b',
    '0 ok write 2 b',
    '1 invoke read null a',
    '1 ok read 1 a',
    '1 invoke read null b',
    '1 ok read 1 b',
  );
  const result = checkLinearizable(history);
  t.equal(result.linearizable, false);
  t.equal(result.ops, 5);
  t.equal(result.keys, 2);
  t.equal(result.key, 'b');
  t.ok(result.window?.every((e) => e.key === 'b'));
  t.same(notation(result.window), [
    '0 invoke write 2',
    '0 ok write 2',
    '1 invoke read null',
    '1 ok read 1',
  ]);
});

t.test('classic register anomalies', async (t) => {
  const load = async (name: string) => parseHistory(await readFile(fixture(name), 'utf8'));

  // 5 is written; then a read concurrent with a write of 7 returns 9, which nobody wrote.
  const phantom = checkLinearizable(await load('phantom-read.jsonl'));
  t.equal(phantom.linearizable, false);
  t.same(notation(phantom.window), ['0 invoke write 5', '0 ok write 5', '1 invoke read null', '1 ok read 9']);

  // A read returns the value of a write that certainly failed.
  const failed = checkLinearizable(await load('read-of-failed-write.jsonl'));
  t.equal(failed.linearizable, false);
  t.same(notation(failed.window), ['1 invoke read null', '1 ok read 4']);

  // After 1 is written, two concurrent reads see 2 and 3; a crashed write of 2 explains the
  // first, nothing explains the second. Without the write of 1 the reads alone could be ordered.
  const reads = checkLinearizable(await load('impossible-concurrent-reads.jsonl'));
  t.equal(reads.linearizable, false);
  t.same(notation(reads.window), [
    '0 invoke write 1',
    '0 ok write 1',
    '4 invoke write 2',
    '1 invoke read null',
    '2 invoke read null',
    '1 ok read 2',
    '2 ok read 3',
  ]);
});

t.test('randomized: agrees with a brute-force checker on small histories', async (t) => {
  const rnd = new SeededRandom(20240611);
  const tally = { linearizable: 0, not: 0 };
  for (let i = 0; i < 2000; i++) {
    const seed = rnd.int(0x7fffffff);
    const r = new SeededRandom(seed);
    const processes = 1 + r.int(4);
    const options = { processes, ops: 1 + r.int(7), keys: ['x'], values: 1 + r.int(3) };
    const history = simulate(r, options);
    const generated = checkLinearizable(history);
    if (!generated.linearizable) {
      t.fail(`generated history must be linearizable (seed ${seed})`, { history });
      continue;
    }
    const mutated = mutate(r, history, options.values);
    const expected = refLinearizable(mutated);
    const actual = checkLinearizable(mutated);
    tally[actual.linearizable ? 'linearizable' : 'not']++;
    if (actual.linearizable !== expected) {
      t.fail(`disagrees with brute force (seed ${seed})`, { mutated, expected });
      continue;
    }
    if (!actual.linearizable) {
      // The window alone cannot be ordered from any starting value.
      const window = actual.window ?? [];
      const windowOps = window.filter((e) => e.type === 'invoke').length;
      const anyStart = effectiveOpBefore(mutated, 'x', mutated.indexOf(window[0]!));
      if (windowOps === 0 || refLinearizable(window, anyStart)) {
        t.fail(`window is not a failing sub-history (seed ${seed})`, { mutated, window });
      }
    }
  }
  const both = tally.linearizable > 200 && tally.not > 200;
  t.ok(both, `both outcomes exercised: ${JSON.stringify(tally)}`);
});

t.test('randomized: larger histories are accepted, and a corrupted read is caught', async (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const r = new SeededRandom(seed);
    const processes = 2 + r.int(8);
    const history = simulate(r, { processes, ops: 300, keys: ['x', 'y', 'z'], values: 4 });
    t.equal(checkLinearizable(history).linearizable, true, `seed ${seed}: generated history`);
    const reads = history.flatMap((e, i) => (e.type === 'ok' && e.f === 'read' ? [i] : []));
    const victim = reads[r.int(reads.length)]!;
    const corrupted = history.map((e, i) => (i === victim ? { ...e, value: 'never written' } : e));
    const result = checkLinearizable(corrupted);
    t.equal(result.linearizable, false, `seed ${seed}: corrupted read rejected`);
    t.equal(result.key, history[victim]!.key, `seed ${seed}: key`);
    const window = result.window ?? [];
    t.ok(window.includes(corrupted[victim]!), `seed ${seed}: window holds the corrupted read`);
    t.ok(window.length <= 40, `seed ${seed}: window is small (${window.length} events)`);
  }
});

const READ_INVOKE = '{"process":0,"type":"invoke","f":"read","key":"x","value":null}';

t.test('parseHistory', async (t) => {
  const ok = parseHistory(await readFile(fixture('linearizable.jsonl'), 'utf8'));
  t.equal(ok.length, 12, 'blank lines are skipped');
  t.same(ok[1], { process: 1, type: 'invoke', f: 'write', key: 'y', value: { a: [1, 2] } });

  const bad: [string, number, RegExp][] = [
    ['{"process":0,"type":"invoke","f":"read","key":"x","value":null}\nnot json', 2, /not JSON/],
    ['[1,2]', 1, /JSON object/],
    ['{"process":"a","type":"invoke","f":"read","key":"x","value":null}', 1, /process/],
    ['{"process":0,"type":"start","f":"read","key":"x","value":null}', 1, /type/],
    ['{"process":0,"type":"invoke","f":"append","key":"x","value":null}', 1, /"f"/],
    ['{"process":0,"type":"invoke","f":"read","key":1,"value":null}', 1, /key/],
    ['{"process":0,"type":"invoke","f":"read","key":"x"}', 1, /value/],
    ['{"process":0,"type":"invoke","f":"cas","key":"x","value":3}', 1, /expected, new/],
    ['\n\n{"process":0,"type":"ok","f":"read","key":"x","value":null}', 3, /no pending invoke/],
    [
      `${READ_INVOKE}\n${READ_INVOKE}`,
      2,
      /invoked again/,
    ],
    [
      `${READ_INVOKE}\n{"process":0,"type":"ok","f":"read","key":"y","value":null}`,
      2,
      /does not match/,
    ],
  ];
  for (const [text, line, reason] of bad) {
    try {
      parseHistory(text);
      t.fail(`accepted: ${text}`);
    } catch (err) {
      t.ok(err instanceof HistoryParseError, 'HistoryParseError');
      if (err instanceof HistoryParseError) {
        t.equal(err.line, line, `line of ${JSON.stringify(text)}`);
        t.match(err.message, reason);
      }
    }
  }
});

t.test('checkLinearizable rejects events that do not pair up', async (t) => {
  const orphan = h('0 invoke read null', '1 ok read null');
  t.throws(() => checkLinearizable(orphan), MalformedHistoryError);
  try {
    checkLinearizable(h('0 invoke read null', '0 invoke read null'));
  } catch (err) {
    t.ok(err instanceof MalformedHistoryError && err.eventIndex === 1, 'names the event');
  }
});

t.test('the search is bounded', async (t) => {
  // Three concurrent writes, then a read of a value none of them wrote: the search tries the
  // writes' orders before giving up.
  const history = h(
    '0 invoke write 1',
    '1 invoke write 2',
    '2 invoke write 3',
    '0 ok write 1',
    '1 ok write 2',
    '2 ok write 3',
    '0 invoke read null',
    '0 ok read 4',
  );
  t.throws(() => checkLinearizable(history, { maxConfigurations: 2 }), SearchLimitError);
  t.equal(checkLinearizable(history, { maxConfigurations: 100 }).linearizable, false);
});

t.test('HistoryRecorder', async (t) => {
  const recorder = new HistoryRecorder();
  const value = { n: 1 };
  recorder.invoke(0, 'write', 'x', value);
  value.n = 2; // recorded values are copies
  recorder.ok(0, 'write', 'x', { n: 1 });
  recorder.invoke(1, 'read', 'x');
  recorder.ok(1, 'read', 'x', { n: 1 });
  const events = recorder.events();
  t.same(events[0], { process: 0, type: 'invoke', f: 'write', key: 'x', value: { n: 1 } });
  t.equal(checkLinearizable(events).linearizable, true);
  const E = MalformedHistoryError;
  t.throws(() => recorder.ok(0, 'write', 'x', 1), E, 'completion with nothing pending');
  recorder.invoke(2, 'read', 'x');
  t.throws(() => recorder.invoke(2, 'read', 'x'), E, 'second invoke while pending');
  t.throws(() => recorder.ok(2, 'write', 'x', 1), E, 'completion of another op');
  t.throws(() => recorder.invoke(3, 'cas', 'x', 1), E, 'cas value not [expected, new]');
});

// ---------------------------------------------------------------------------------------------

function captureIo(stdin = ''): LincheckIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    readStdin: async () => stdin,
  };
  return io;
}

function lastLine(text: string): unknown {
  const lines = text.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

t.test('CLI: lincheck FILE', async (t) => {
  let io = captureIo();
  t.equal(await lincheckCommand([fixture('linearizable.jsonl')], io), 0, 'linearizable exits 0');
  t.equal(io.out, '{"linearizable":true,"ops":6,"keys":2}\n');

  io = captureIo();
  t.equal(await lincheckCommand([fixture('stale-read.jsonl')], io), 1, 'not linearizable exits 1');
  type Verdict = { linearizable: boolean; key: string; window: HistoryEvent[] };
  const verdict = lastLine(io.out) as Verdict;
  t.equal(verdict.linearizable, false);
  t.equal(verdict.key, 'x');
  t.same(notation(verdict.window), [
    '1 invoke write 2',
    '1 ok write 2',
    '2 invoke read null',
    '2 ok read 1',
  ]);
  const explanation = io.out.trimEnd().split('\n').slice(0, -1).join('\n');
  t.match(explanation, /key "x"/);
  t.match(explanation, /process 2 +ok +read +1/);

  for (const name of ['phantom-read.jsonl', 'read-of-failed-write.jsonl', 'impossible-concurrent-reads.jsonl']) {
    io = captureIo();
    t.equal(await lincheckCommand([fixture(name)], io), 1, `${name} exits 1`);
    t.match(lastLine(io.out), { linearizable: false, keys: 1, key: 'x' });
  }
});

t.test('CLI: stdin and bad input', async (t) => {
  const stale = await readFile(fixture('stale-read.jsonl'), 'utf8');
  let io = captureIo(stale);
  t.equal(await lincheckCommand(['-'], io), 1, 'reads stdin');
  t.match(lastLine(io.out), { linearizable: false, ops: 3, keys: 1 });

  const bad: [string[], RegExp][] = [
    [[fixture('bad-json.jsonl')], /bad-json\.jsonl:3: not JSON/],
    [[fixture('orphan-completion.jsonl')], /orphan-completion\.jsonl:4: .*no pending invoke/],
    [[fixture('double-invoke.jsonl')], /double-invoke\.jsonl:2: .*invoked again/],
    [[fixture('unknown-f.jsonl')], /unknown-f\.jsonl:1: unknown "f"/],
    [[fixture('no-such-file.jsonl')], /cannot read .*no-such-file\.jsonl/],
    [[], /usage/],
    [['a', 'b'], /usage/],
  ];
  for (const [argv, message] of bad) {
    io = captureIo();
    t.equal(await lincheckCommand(argv, io), 2, `exit 2: ${argv.join(' ')}`);
    t.match(io.err, message);
    t.equal(io.out, '', 'nothing on stdout');
  }
});
