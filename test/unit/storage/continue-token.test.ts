// Continue tokens in kube's format: what the bytes are, and which tokens are refused.
import t from 'tap';
import { StorageInvalidContinueError, decodeContinueToken, encodeContinueToken } from '../../../core/index.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64url');

void t.test('a token is unpadded base64url of kube JSON, with the start key relative to the prefix', (t) => {
  const token = encodeContinueToken('/registry/pods/default/nginx\u0000', '/registry/pods/', 42);
  t.equal(token, b64('{"v":"meta.k8s.io/v1","rv":42,"start":"default/nginx\\u0000"}'));
  t.notMatch(token, /[=+/]/);
  t.same(decodeContinueToken(token, '/registry/pods/'), { startKey: '/registry/pods/default/nginx\u0000', revision: 42 });
  t.end();
});

void t.test("HTML characters are escaped as Go's encoding/json does", (t) => {
  const token = encodeContinueToken('/r/a<b>&c', '/r/', 7);
  t.equal(Buffer.from(token, 'base64url').toString('utf8'), '{"v":"meta.k8s.io/v1","rv":7,"start":"a\\u003cb\\u003e\\u0026c"}');
  t.same(decodeContinueToken(token, '/r/'), { startKey: '/r/a<b>&c', revision: 7 });
  t.end();
});

void t.test('rv -1 (continue at the latest revision) decodes; a leading slash on start is accepted', (t) => {
  t.same(decodeContinueToken(b64('{"v":"meta.k8s.io/v1","rv":-1,"start":"/ns/a"}'), '/registry/pods/'), { startKey: '/registry/pods/ns/a', revision: -1 });
  t.end();
});

void t.test('refused: not base64url, not JSON, another version, rv 0 or below -1, empty or unclean start', (t) => {
  const bad: Record<string, string> = {
    'not base64': 'a+b/c===',
    'one char too many': 'abcde',
    'not JSON': b64('{nope'),
    'not an object': b64('12'),
    'another version': b64('{"v":"meta.k8s.io/v2","rv":5,"start":"a"}'),
    'rv 0': b64('{"v":"meta.k8s.io/v1","rv":0,"start":"a"}'),
    'rv -2': b64('{"v":"meta.k8s.io/v1","rv":-2,"start":"a"}'),
    'rv not a number': b64('{"v":"meta.k8s.io/v1","rv":"5","start":"a"}'),
    'empty start': b64('{"v":"meta.k8s.io/v1","rv":5,"start":""}'),
    'climbs out': b64('{"v":"meta.k8s.io/v1","rv":5,"start":"../secrets/x"}'),
    'dot segment': b64('{"v":"meta.k8s.io/v1","rv":5,"start":"ns/./a"}'),
    'double slash': b64('{"v":"meta.k8s.io/v1","rv":5,"start":"ns//a"}'),
    'trailing slash': b64('{"v":"meta.k8s.io/v1","rv":5,"start":"ns/"}'),
  };
  for (const [what, token] of Object.entries(bad)) t.throws(() => decodeContinueToken(token, '/registry/pods/'), StorageInvalidContinueError, what);
  t.end();
});

void t.test('encoding refuses a key outside its prefix', (t) => {
  t.throws(() => encodeContinueToken('/registry/secrets/a', '/registry/pods/', 5), RangeError);
  t.end();
});
