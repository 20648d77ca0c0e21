import t from 'tap';
import { applyJsonMergePatch, PatchError } from '../../../core/index.js';

// Examples in the manner of RFC 7386 Appendix A, with documents of our own.
void t.test('RFC 7386 merge semantics', (t) => {
  const cases: [target: Record<string, unknown>, patch: unknown, result: Record<string, unknown>][] = [
    [{ a: 'x' }, { a: 'y' }, { a: 'y' }],
    [{ a: 'x' }, { b: 'y' }, { a: 'x', b: 'y' }],
    [{ a: 'x' }, { a: null }, {}],
    [{ a: 'x', b: 'y' }, { a: null }, { b: 'y' }],
    [{ a: ['x'] }, { a: 'y' }, { a: 'y' }],
    [{ a: 'x' }, { a: ['y'] }, { a: ['y'] }],
    [{ a: { b: 'x' } }, { a: { b: 'y', c: null } }, { a: { b: 'y' } }],
    [{ a: [{ b: 'x' }] }, { a: [1] }, { a: [1] }],
    [{ a: 'x' }, { a: { b: 'y', c: null } }, { a: { b: 'y' } }],
    [{}, { a: { b: { c: null, d: 1 } } }, { a: { b: { d: 1 } } }],
    [{ a: 'x' }, {}, { a: 'x' }],
    [{ a: null }, { a: { b: null } }, { a: {} }],
    [{ a: 1 }, { b: [null, { c: null }] }, { a: 1, b: [null, {}] }],
  ];
  for (const [target, patch, result] of cases) {
    const before = JSON.stringify(target);
    t.same(applyJsonMergePatch(target, patch), result, `${before} + ${JSON.stringify(patch)}`);
    t.equal(JSON.stringify(target), before, 'the target is not modified');
  }
  t.end();
});

void t.test('lists are replaced whole, unlike a strategic merge patch', (t) => {
  const deployment = {
    spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  };
  const result = applyJsonMergePatch(deployment, {
    spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'redis' }] } } },
  });
  t.same(result, { spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'redis' }] } } } });
  t.end();
});

void t.test('a patch that is not an object is a 400', (t) => {
  for (const patch of [null, 'x', 1, [{ a: 1 }]]) {
    const err = t.throws(() => applyJsonMergePatch({ a: 1 }, patch));
    t.ok(err instanceof PatchError);
    t.match(err, { patchType: 'merge', reason: 'MalformedPatch', statusCode: 400, message: 'Invalid JSON Patch' });
  }
  t.end();
});
