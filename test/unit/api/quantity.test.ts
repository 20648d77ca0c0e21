import t from 'tap';
import { Quantity, QuantityParseError, canonicalizeQuantity, compareQuantities, parseQuantity, quantityParseProblem } from '../../../core/index.js';

const FORMAT_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

void t.test('canonical forms match Quantity.String() in Kubernetes', (t) => {
  const cases: [string | number, string][] = [
    ['250m', '250m'],
    ['64Mi', '64Mi'],
    ['1.5Gi', '1536Mi'],
    ['1e3', '1e3'],
    ['2k', '2k'],
    ['0.5', '500m'],
    ['1000m', '1'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['1024Ki', '1Mi'],
    ['0.5Ki', '512'],
    ['1.25Ki', '1280'],
    ['1Ki', '1Ki'],
    ['0.1', '100m'],
    ['12e6', '12e6'],
    ['1E3', '1e3'],
    ['1E', '1E'],
    ['-1', '-1'],
    ['+5', '5'],
    ['0.0000000001', '1n'],
    ['0.001m', '1u'],
    ['0', '0'],
    [1, '1'],
    [0.25, '250m'],
  ];
  for (const [input, expected] of cases) t.equal(canonicalizeQuantity(input), expected, `${String(input)} → ${expected}`);
  t.end();
});

void t.test('invalid quantities fail with apimachinery messages', (t) => {
  for (const input of ['', 'abc', '1.2.3', '5 Mi', '1kb']) {
    t.throws(() => parseQuantity(input), new QuantityParseError('FormatWrong', input), `${input} is malformed`);
    t.equal(quantityParseProblem(input), FORMAT_MESSAGE);
  }
  for (const input of ['1K', '1e', 'Mi5']) {
    t.throws(() => parseQuantity(input), { code: 'Suffix', message: "unable to parse quantity's suffix" }, `${input} has a bad suffix`);
  }
  t.equal(quantityParseProblem('250m'), undefined);
  t.equal(quantityParseProblem(true), FORMAT_MESSAGE);
  t.end();
});

void t.test('comparison, milli-values and bytes', (t) => {
  t.equal(compareQuantities('250m', '0.25'), 0);
  t.equal(compareQuantities('1Gi', '1G'), 1);
  t.equal(compareQuantities('999m', '1'), -1);
  t.equal(parseQuantity('250m').milliValue(), 250n);
  t.equal(parseQuantity('2').milliValue(), 2000n);
  t.equal(parseQuantity('64Mi').value(), 67108864n);
  t.equal(parseQuantity('1.5').value(), 2n, 'value() rounds up');
  t.equal(parseQuantity('1n').milliValue(), 1n, 'milliValue() rounds up');
  t.equal(Quantity.fromMilli(1500n).toString(), '1500m');
  t.equal(parseQuantity('100m').add(parseQuantity('0.9')).toString(), '1');
  t.equal(parseQuantity('0.0001').roundUp(-3).toString(), '1m', 'resource lists round up to milli');
  t.equal(parseQuantity('-1m').sign(), -1);
  t.equal(JSON.stringify({ cpu: parseQuantity('0.5') }), '{"cpu":"500m"}');
  t.end();
});
