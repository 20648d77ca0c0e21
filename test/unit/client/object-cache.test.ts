import t from 'tap';
import { indexByNamespace, NAMESPACE_INDEX, ObjectCache, type ResourceObject } from '../../../core/index.js';

function object(namespace: string, name: string, labels: Record<string, string> = {}): ResourceObject {
  return { metadata: { namespace, name, labels } } as ResourceObject;
}

void t.test('indexes follow upserts and removals', (t) => {
  const cache = new ObjectCache({ [NAMESPACE_INDEX]: indexByNamespace });
  cache.upsert(object('a', 'x'));
  cache.upsert(object('a', 'y'));
  cache.upsert(object('b', 'z'));
  t.same(cache.indexKeys(NAMESPACE_INDEX, 'a').sort(), ['a/x', 'a/y']);
  cache.remove('a/x');
  t.same(cache.indexKeys(NAMESPACE_INDEX, 'a'), ['a/y']);
  cache.remove('a/y');
  t.same(cache.indexValues(NAMESPACE_INDEX), ['b'], 'an emptied value is dropped');
  t.end();
});

void t.test('re-registering an index: the same function is a no-op, another one rebuilds it', (t) => {
  let calls = 0;
  const byApp = (o: ResourceObject): readonly string[] => {
    calls++;
    return [o.metadata?.labels?.['app'] ?? ''];
  };
  const cache = new ObjectCache();
  for (let i = 0; i < 100; i++) cache.upsert(object('ns', `p${i}`, { app: i % 2 === 0 ? 'even' : 'odd' }));
  cache.addIndexers({ app: byApp });
  t.equal(calls, 100, 'built once over what is stored');
  for (let i = 0; i < 10; i++) cache.addIndexers({ app: byApp });
  t.equal(calls, 100, 'asking again with the same function indexes nothing again');
  t.equal(cache.indexKeys('app', 'even').length, 50);
  cache.addIndexers({ app: (o) => [o.metadata?.name ?? ''] });
  t.same(cache.indexValues('app').length, 100, 'another function under the name replaces the index');
  t.same(cache.indexKeys('app', 'even'), []);
  t.end();
});
