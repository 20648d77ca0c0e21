import t from 'tap';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS, PatchError } from '../../../core/index.js';

// Examples in the manner of RFC 6902 Appendix A, with documents of our own.
void t.test('RFC 6902 operations', (t) => {
  const cases: [name: string, document: unknown, patch: unknown[], result: unknown][] = [
    ['add an object member', { kind: 'Pod' }, [{ op: 'add', path: '/apiVersion', value: 'v1' }], { kind: 'Pod', apiVersion: 'v1' }],
    [
      'add an array element',
      { args: ['run', 'serve'] },
      [{ op: 'add', path: '/args/1', value: '--verbose' }],
      { args: ['run', '--verbose', 'serve'] },
    ],
    ['remove an object member', { a: 1, b: 2 }, [{ op: 'remove', path: '/b' }], { a: 1 }],
    ['remove an array element', { ports: [80, 443, 8080] }, [{ op: 'remove', path: '/ports/1' }], { ports: [80, 8080] }],
    ['replace a value', { spec: { replicas: 1 } }, [{ op: 'replace', path: '/spec/replicas', value: 3 }], { spec: { replicas: 3 } }],
    [
      'move a value',
      { metadata: { labels: { app: 'web' } }, spec: {} },
      [{ op: 'move', from: '/metadata/labels/app', path: '/spec/app' }],
      { metadata: { labels: {} }, spec: { app: 'web' } },
    ],
    ['move an array element', { order: ['a', 'b', 'c', 'd'] }, [{ op: 'move', from: '/order/1', path: '/order/3' }], { order: ['a', 'c', 'd', 'b'] }],
    [
      'test then act',
      { spec: { replicas: 2, paused: false } },
      [
        { op: 'test', path: '/spec/replicas', value: 2 },
        { op: 'test', path: '/spec', value: { paused: false, replicas: 2 } },
        { op: 'replace', path: '/spec/replicas', value: 5 },
      ],
      { spec: { replicas: 5, paused: false } },
    ],
    ['add a nested object', { metadata: {} }, [{ op: 'add', path: '/metadata/labels', value: { tier: 'db' } }], { metadata: { labels: { tier: 'db' } } }],
    ['members an operation does not know are ignored', { a: 1 }, [{ op: 'add', path: '/b', value: 2, comment: 'x' }], { a: 1, b: 2 }],
    [
      'pointer escapes ~1 and ~0',
      { annotations: { 'example.com/x': 'old', 'a~b': 'old' } },
      [
        { op: 'replace', path: '/annotations/example.com~1x', value: 'new' },
        { op: 'test', path: '/annotations/a~0b', value: 'old' },
        { op: 'remove', path: '/annotations/a~0b' },
      ],
      { annotations: { 'example.com/x': 'new' } },
    ],
    ['add an array as a value', { spec: {} }, [{ op: 'add', path: '/spec/args', value: ['a', ['b']] }], { spec: { args: ['a', ['b']] } }],
    ['- appends to an array', { items: [1] }, [{ op: 'add', path: '/items/-', value: 2 }], { items: [1, 2] }],
    ['an index equal to the length appends', { items: [1] }, [{ op: 'add', path: '/items/1', value: 2 }], { items: [1, 2] }],
    ['a negative index counts from the end (evanphx)', { items: [1, 2, 3] }, [{ op: 'remove', path: '/items/-1' }], { items: [1, 2] }],
    ['copy a value', { a: { b: [1] } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: [1] }, c: { b: [1] } }],
    ['add replaces an existing member', { a: 1 }, [{ op: 'add', path: '/a', value: 2 }], { a: 2 }],
    ['add without a value adds null', { a: 1 }, [{ op: 'add', path: '/b' }], { a: 1, b: null }],
    ['replace of an absent member adds it (evanphx v4)', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], { a: 1, b: 2 }],
    ['test null against an absent member', { a: 1 }, [{ op: 'test', path: '/b', value: null }], { a: 1 }],
    ['replace the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
    ['a null patch changes nothing', { a: 1 }, null as unknown as unknown[], { a: 1 }],
  ];
  for (const [name, document, patch, result] of cases) {
    const before = JSON.stringify(document);
    t.same(applyJsonPatch(document, patch), result, name);
    t.equal(JSON.stringify(document), before, `${name}: the input is not modified`);
  }
  t.end();
});

void t.test('failures carry evanphx/json-patch v4 messages and kube-apiserver status codes', (t) => {
  const cases: [name: string, document: unknown, patch: unknown, reason: string, code: number, message: string][] = [
    [
      'test failure',
      { spec: { replicas: 2 } },
      [{ op: 'test', path: '/spec/replicas', value: 3 }],
      'TestFailed',
      422,
      'testing value /spec/replicas failed: test failed',
    ],
    ['strings and numbers differ', { a: '1' }, [{ op: 'test', path: '/a', value: 1 }], 'TestFailed', 422, 'testing value /a failed: test failed'],
    ['test of a missing member', { a: 1 }, [{ op: 'test', path: '/b', value: 1 }], 'TestFailed', 422, 'testing value /b failed: test failed'],
    [
      'add under a missing parent',
      { a: 1 },
      [{ op: 'add', path: '/b/c', value: 1 }],
      'MissingPath',
      422,
      'add operation does not apply: doc is missing path: "/b/c": missing value',
    ],
    [
      'remove a missing member',
      { a: 1 },
      [{ op: 'remove', path: '/b' }],
      'MissingPath',
      422,
      "error in remove for path: '/b': Unable to remove nonexistent key: b: missing value",
    ],
    [
      'index out of range',
      { items: [1] },
      [{ op: 'add', path: '/items/5', value: 2 }],
      'InvalidIndex',
      422,
      "error in add for path: '/items/5': Unable to access invalid index: 5: invalid index referenced",
    ],
    [
      'index not a number',
      { items: [1] },
      [{ op: 'add', path: '/items/x', value: 2 }],
      'InvalidIndex',
      422,
      "error in add for path: '/items/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
    ],
    [
      'replace past the end',
      { items: [1] },
      [{ op: 'replace', path: '/items/1', value: 2 }],
      'MissingPath',
      422,
      'replace operation does not apply: doc is missing key: /items/1: missing value',
    ],
    [
      'move from a missing member',
      { a: 1 },
      [{ op: 'move', from: '/b', path: '/c' }],
      'MissingPath',
      422,
      "error in move for path: 'b': Unable to remove nonexistent key: b: missing value",
    ],
    [
      'copy to a missing parent',
      { a: 1 },
      [{ op: 'copy', from: '/a', path: '/x/y' }],
      'MissingPath',
      422,
      'copy operation does not apply: doc is missing destination path: /x/y: missing value',
    ],
    ['unknown op', { a: 1 }, [{ op: 'merge', path: '/a' }], 'InvalidOperation', 422, 'Unexpected kind: merge'],
    ['missing op', { a: 1 }, [{ path: '/a' }], 'InvalidOperation', 422, 'Unexpected kind: unknown'],
    ['missing path', { a: 1 }, [{ op: 'remove' }], 'InvalidOperation', 422, 'remove operation failed to decode path: missing value'],
    [
      'missing from',
      { a: 1 },
      [{ op: 'move', path: '/b' }],
      'InvalidOperation',
      422,
      'move operation failed to decode from: operation, missing from field: missing value',
    ],
    [
      'a body that is not a list',
      { a: 1 },
      { op: 'add', path: '/a', value: 1 },
      'MalformedPatch',
      400,
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    ],
    [
      'an operation that is not an object',
      { a: 1 },
      ['add'],
      'MalformedPatch',
      400,
      'json: cannot unmarshal string into Go value of type jsonpatch.Operation',
    ],
  ];
  for (const [name, document, patch, reason, statusCode, message] of cases) {
    const err = t.throws(() => applyJsonPatch(document, patch), name);
    t.ok(err instanceof PatchError, `${name}: a PatchError`);
    t.match(err, { reason, statusCode, message, patchType: 'json' }, name);
  }
  t.end();
});

void t.test('the first failing operation aborts the whole patch', (t) => {
  const document = { a: 1 };
  t.throws(() =>
    applyJsonPatch(document, [
      { op: 'replace', path: '/a', value: 2 },
      { op: 'test', path: '/a', value: 1 },
    ]),
  );
  t.same(document, { a: 1 });
  t.end();
});

void t.test('operation count and copy size are bounded', (t) => {
  const tooMany = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/a', value: 1 }));
  t.match(t.throws(() => applyJsonPatch({ a: 1 }, tooMany)), {
    reason: 'TooManyOperations',
    statusCode: 413,
    message: `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${MAX_JSON_PATCH_OPERATIONS + 1}`,
  });
  const copies = [
    { op: 'copy', from: '/a', path: '/b' },
    { op: 'copy', from: '/a', path: '/c' },
  ];
  // '"xxxxxxxxxx"' is 12 bytes of JSON: the second copy crosses a 20-byte bound.
  t.match(t.throws(() => applyJsonPatch({ a: 'x'.repeat(10) }, copies, { copyLimitBytes: 20 })), {
    reason: 'CopyTooLarge',
    statusCode: 422,
    message: 'Unable to complete the copy, the accumulated size increase of copy is 24, exceeding the limit 20',
  });
  t.same(applyJsonPatch({ a: 'x'.repeat(10) }, copies, { copyLimitBytes: 24 }), { a: 'xxxxxxxxxx', b: 'xxxxxxxxxx', c: 'xxxxxxxxxx' });
  t.end();
});

void t.test('copied and added values do not alias each other', (t) => {
  const value = { nested: [1] };
  const result = applyJsonPatch({}, [
    { op: 'add', path: '/a', value },
    { op: 'copy', from: '/a', path: '/b' },
    { op: 'add', path: '/b/nested/-', value: 2 },
  ]);
  t.same(result, { a: { nested: [1] }, b: { nested: [1, 2] } });
  t.same(value, { nested: [1] });
  t.end();
});
