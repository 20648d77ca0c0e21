// BoundedIdentityCache: one value per object identity, made once, the oldest dropped past capacity.
import t from 'tap';
import { BoundedIdentityCache } from '../../../core/index.js';

void t.test('a value is made once per object, by identity, and the oldest goes past capacity', (t) => {
  const cache = new BoundedIdentityCache<object, string>(2);
  const a = {};
  const b = {};
  const c = {};
  let made = 0;
  const make = (name: string) => () => `${name}${++made}`;
  t.equal(cache.getOrMake(a, make('a')), 'a1');
  t.equal(cache.getOrMake(a, make('a')), 'a1', 'kept');
  t.equal(cache.getOrMake({}, make('x')), 'x2', 'an equal object is another key');
  t.equal(cache.size, 2);
  t.equal(cache.getOrMake(b, make('b')), 'b3');
  t.equal(cache.size, 2, 'bounded');
  t.equal(cache.getOrMake(a, make('a')), 'a4', 'a, the oldest, was dropped');
  t.equal(cache.getOrMake(b, make('b')), 'b3', 'b kept');
  t.equal(cache.getOrMake(c, make('c')), 'c5');
  t.throws(() => new BoundedIdentityCache(0), RangeError);
  t.end();
});
