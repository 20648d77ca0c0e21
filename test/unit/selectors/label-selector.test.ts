import t from 'tap';
import {
  InvalidLabelRequirementError,
  LabelSelectorParseError,
  labelSelectorFromObject,
  newLabelRequirement,
  ParsedLabelSelector,
  parseLabelSelector,
  UnknownLabelSelectorOperatorError,
  validateLabelSelectorObject,
  type LabelSelectorObject,
} from '../../../core/index.js';

const QUALIFIED_NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

void t.test('parsing gives the canonical form: requirements sorted by key, set values sorted', (t) => {
  const cases: [input: string, canonical: string][] = [
    ['', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a==b'],
    ['a!=b', 'a!=b'],
    ['a', 'a'],
    ['!a', '!a'],
    ['a>1,b<2', 'a>1,b<2'],
    ['  b = 1 ,  a  ', 'a,b=1'],
    ['a in (z,y,x)', 'a in (x,y,z)'],
    ['a notin (x,x)', 'a notin (x)'],
    ['x in (foo,,baz),y,z notin ()', 'x in (,baz,foo),y,z notin ()'],
    ['x in (in,notin)', 'x in (in,notin)'],
    ['example.com/app=web,tier in (fe)', 'example.com/app=web,tier in (fe)'],
    ['a=', 'a='],
    ['a\tin\n(x)', 'a in (x)'],
  ];
  for (const [input, canonical] of cases) {
    t.equal(parseLabelSelector(input).toString(), canonical, JSON.stringify(input));
    t.equal(parseLabelSelector(canonical).toString(), canonical, `canonical ${JSON.stringify(canonical)} is a fixed point`);
  }
  t.end();
});

void t.test('matching follows labels.Requirement.Matches', (t) => {
  const cases: [selector: string, labels: Record<string, string> | undefined, matches: boolean][] = [
    ['', undefined, true],
    ['', { a: 'b' }, true],
    ['a=b', { a: 'b' }, true],
    ['a=b', { a: 'c' }, false],
    ['a=b', {}, false],
    ['a==b', { a: 'b', c: 'd' }, true],
    ['a!=b', {}, true],
    ['a!=b', { a: 'b' }, false],
    ['a!=b', { a: 'c' }, true],
    ['a in (x,y)', { a: 'y' }, true],
    ['a in (x,y)', { a: 'z' }, false],
    ['a in (x,y)', {}, false],
    ['a notin (x)', {}, true],
    ['a notin (x)', { a: 'x' }, false],
    ['a', { a: '' }, true],
    ['a', {}, false],
    ['!a', {}, true],
    ['!a', { a: 'x' }, false],
    ['a>1', { a: '2' }, true],
    ['a>1', { a: '1' }, false],
    ['a>1', { a: 'two' }, false],
    ['a>1', {}, false],
    ['a<2', { a: '-5' }, true],
    ['a<2', { a: '9223372036854775807' }, false],
    ['a=', { a: '' }, true],
    ['a=', {}, false],
    ['a=b,c=d', { a: 'b', c: 'd' }, true],
    ['a=b,c=d', { a: 'b', c: 'x' }, false],
    ['x in (,a)', { x: '' }, true],
  ];
  for (const [selector, labels, matches] of cases) {
    t.equal(parseLabelSelector(selector).matches(labels), matches, `${selector} on ${JSON.stringify(labels)}`);
  }
  t.end();
});

void t.test('parse errors carry labels.Parse messages', (t) => {
  const cases: [input: string, message: string][] = [
    ['a in', "unable to parse requirement: found '' expected: '('"],
    ['a b', "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['!a=b', "found '=', expected: ',' or 'end of string'"],
    ['a,', "found '', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['a in (x', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['a=(', "unable to parse requirement: found '(', expected: identifier"],
    ['-a=b', `unable to parse requirement: <nil>: Invalid value: "-a": ${QUALIFIED_NAME_RULE}`],
    ['a=-b', `unable to parse requirement: values[0][a]: Invalid value: "-b": ${LABEL_VALUE_RULE}`],
    ['a>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
    [`a=${'v'.repeat(64)}`, `unable to parse requirement: values[0][a]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`],
    [
      'a>-x',
      'unable to parse requirement: [values[0]: Invalid value: "-x": for \'Gt\', \'Lt\' operators, the value must be an integer, ' +
        `values[0][a]: Invalid value: "-x": ${LABEL_VALUE_RULE}]`,
    ],
  ];
  for (const [input, message] of cases) {
    t.throws(() => parseLabelSelector(input), new LabelSelectorParseError(input, message), input);
  }
  t.end();
});

void t.test('a key with an invalid DNS prefix reports the prefix part', (t) => {
  const err = t.throws(() => parseLabelSelector('Example.com/app=x'));
  t.ok(err instanceof LabelSelectorParseError);
  t.match((err as Error).message, /^unable to parse requirement: <nil>: Invalid value: "Example\.com\/app": prefix part a lowercase RFC 1123 subdomain/);
  t.end();
});

void t.test('newLabelRequirement validates like labels.NewRequirement', (t) => {
  t.equal(newLabelRequirement('app', 'in', ['b', 'a']).toString(), 'app in (a,b)');
  const empty = t.throws(() => newLabelRequirement('app', 'in', []));
  t.ok(empty instanceof InvalidLabelRequirementError);
  t.equal((empty as Error).message, "values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
  const exact = t.throws(() => newLabelRequirement('app', '=', ['a', 'b']));
  t.equal((exact as Error).message, 'values: Invalid value: []string{"a", "b"}: exact-match compatibility requires one single value');
  const unknown = t.throws(() => newLabelRequirement('app', 'like', ['a']));
  t.equal(
    (unknown as Error).message,
    'operator: Unsupported value: "like": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"',
  );
  t.end();
});

void t.test('everything and nothing', (t) => {
  const everything = ParsedLabelSelector.everything();
  const nothing = ParsedLabelSelector.nothing();
  t.ok(everything.isEmpty());
  t.ok(everything.matches({ any: 'thing' }));
  t.notOk(nothing.isEmpty());
  t.ok(nothing.matchesNothing());
  t.notOk(nothing.matches({}));
  t.equal(nothing.toString(), '');
  t.equal(nothing.add(newLabelRequirement('a', 'exists', [])).matchesNothing(), true);
  t.equal(parseLabelSelector('a=b').requiresExactMatch('a'), 'b');
  t.equal(parseLabelSelector('a in (b,c)').requiresExactMatch('a'), undefined);
  t.end();
});

void t.test('a metav1.LabelSelector converts as LabelSelectorAsSelector', (t) => {
  t.ok(labelSelectorFromObject(null).matchesNothing(), 'null selects nothing');
  t.ok(labelSelectorFromObject(undefined).matchesNothing(), 'absent selects nothing');
  t.ok(labelSelectorFromObject({}).isEmpty(), '{} selects everything');
  t.ok(labelSelectorFromObject({ matchLabels: {}, matchExpressions: [] }).matches({ x: 'y' }));

  const selector = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['frontend', 'cache'] },
      { key: 'env', operator: 'DoesNotExist' },
      { key: 'track', operator: 'NotIn', values: ['canary'] },
      { key: 'owner', operator: 'Exists', values: [] },
    ],
  });
  t.equal(selector.toString(), 'app=web,!env,owner,tier in (cache,frontend),track notin (canary)');
  t.ok(selector.matches({ app: 'web', tier: 'cache', owner: 'me' }));
  t.notOk(selector.matches({ app: 'web', tier: 'cache', owner: 'me', env: 'prod' }));
  t.notOk(selector.matches({ app: 'web', tier: 'cache', owner: 'me', track: 'canary' }));
  t.notOk(selector.matches({ app: 'web', tier: 'db', owner: 'me' }));

  t.throws(
    () => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Equals', values: ['b'] }] }),
    new UnknownLabelSelectorOperatorError('Equals'),
  );
  t.equal(new UnknownLabelSelectorOperatorError('Equals').message, '"Equals" is not a valid label selector operator');
  const noValues = t.throws(() => labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In' }] }));
  t.equal(
    (noValues as Error).message,
    "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
  );
  const badKey = t.throws(() => labelSelectorFromObject({ matchLabels: { 'a b': 'c' } }));
  t.equal((badKey as Error).message, `key: Invalid value: "a b": ${QUALIFIED_NAME_RULE}`);
  t.end();
});

void t.test('validateLabelSelectorObject reports field errors with paths', (t) => {
  const cases: [selector: LabelSelectorObject | null, errors: { type: string; field: string; message: string }[]][] = [
    [null, []],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] }, []],
    [
      { matchExpressions: [{ key: 'tier', operator: 'In', values: [] }] },
      [
        {
          type: 'FieldValueRequired',
          field: 'spec.selector.matchExpressions[0].values',
          message: "Required value: must be specified when `operator` is 'In' or 'NotIn'",
        },
      ],
    ],
    [
      { matchExpressions: [{ key: 'tier', operator: 'Exists', values: ['x'] }] },
      [
        {
          type: 'FieldValueForbidden',
          field: 'spec.selector.matchExpressions[0].values',
          message: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        },
      ],
    ],
    [
      { matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'tier', operator: 'Equals', values: ['x'] }] },
      [
        {
          type: 'FieldValueInvalid',
          field: 'spec.selector.matchExpressions[1].operator',
          message: 'Invalid value: "Equals": not a valid selector operator',
        },
      ],
    ],
    [
      { matchExpressions: [{ key: '', operator: 'NotIn', values: ['ok', '_bad'] }] },
      [
        { type: 'FieldValueInvalid', field: 'spec.selector.matchExpressions[0].key', message: 'Invalid value: "": name part must be non-empty' },
        { type: 'FieldValueInvalid', field: 'spec.selector.matchExpressions[0].key', message: `Invalid value: "": ${QUALIFIED_NAME_RULE}` },
        {
          type: 'FieldValueInvalid',
          field: 'spec.selector.matchExpressions[0].values[1]',
          message: `Invalid value: "_bad": ${LABEL_VALUE_RULE}`,
        },
      ],
    ],
    [
      { matchLabels: { app: 'web!' } },
      [{ type: 'FieldValueInvalid', field: 'spec.selector.matchLabels', message: `Invalid value: "web!": ${LABEL_VALUE_RULE}` }],
    ],
  ];
  for (const [selector, expected] of cases) {
    const errors = validateLabelSelectorObject(selector, 'spec.selector').map(({ type, field, message }) => ({
      type,
      field,
      message,
    }));
    t.same(errors, expected, JSON.stringify(selector));
  }
  t.end();
});
