// The watch cache's small parts: which resource a key belongs to, the event ring buffer.
import t from 'tap';
import { registryResourcePrefixOf, WATCH_CACHE_DEFAULT_EVENTS_CAPACITY } from '../../../actors/index.js';

void t.test('registryResourcePrefixOf follows kube key layout', (t) => {
  const cases: [string, string | undefined][] = [
    ['/registry/pods', '/registry/pods'],
    ['/registry/pods/ns', '/registry/pods'],
    ['/registry/pods/ns/a', '/registry/pods'],
    ['/registry/minions/node-1', '/registry/minions'],
    ['/registry/services/specs/default/kubernetes', '/registry/services/specs'],
    ['/registry/services/endpoints/default', '/registry/services/endpoints'],
    ['/registry/services', undefined],
    ['/registry/example.com/widgets/ns/w', '/registry/example.com/widgets'],
    ['/registry/apiextensions.k8s.io/customresourcedefinitions/x', '/registry/apiextensions.k8s.io/customresourcedefinitions'],
    ['/registry/example.com', undefined],
    ['/registry', undefined],
    ['/other/pods', undefined],
  ];
  for (const [key, prefix] of cases) t.equal(registryResourcePrefixOf(key), prefix, key);
  t.ok(WATCH_CACHE_DEFAULT_EVENTS_CAPACITY >= 100);
  t.end();
});
