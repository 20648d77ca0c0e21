// Bearer-token authentication at the API: anonymous requests reach only the public paths; every
// refusal, whatever the Authorization header holds, is a 401 Status.
import t from 'tap';
import { SeededRandom } from '../../../core/index.js';
import type { Authenticator } from '../../../actors/index.js';
import { configMapManifest, expectStatus, startTestApiServer, statusProblem } from './harness.js';
import { randomBytes, malformedJson } from './fuzz-requests.js';
import { pick, unicodeString } from './fuzz-values.js';

const TOKEN = 'good-token-0123456789';

/** Accepts exactly `Bearer <TOKEN>`, as the static token file authenticator does for one line. */
const tokenAuthenticator: Authenticator = {
  authenticate(headers) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    return m?.[1] === TOKEN ? { name: 'admin', uid: 'admin-uid', groups: ['system:masters', 'system:authenticated'] } : undefined;
  },
};

void t.test('401 without credentials or with bad ones; public paths stay public; a good token works', async (t) => {
  const s = await startTestApiServer({ authenticator: tokenAuthenticator });
  t.teardown(() => s.close());
  const good = { Authorization: `Bearer ${TOKEN}` };

  expectStatus(t, await s.request({ path: '/api/v1/namespaces' }), 401, 'Unauthorized', 'Unauthorized', 'no credentials');
  expectStatus(t, await s.request({ path: '/api/v1/namespaces', headers: { Authorization: 'Bearer wrong' } }), 401, 'Unauthorized', 'Unauthorized', 'a wrong token');
  expectStatus(t, await s.request({ path: '/api', headers: { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } }), 401, 'Unauthorized', 'Unauthorized', 'basic auth');
  expectStatus(t, await s.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: configMapManifest('x') }), 401, 'Unauthorized', 'Unauthorized', 'an anonymous write');
  expectStatus(t, await s.request({ path: '/openapi/v2' }), 401, 'Unauthorized', 'Unauthorized', 'openapi is not public');

  for (const path of ['/healthz', '/livez', '/readyz', '/version']) {
    t.equal((await s.request({ path })).status, 200, `${path} is public`);
  }

  const created = await s.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: configMapManifest('x'), headers: good });
  t.equal(created.status, 201, 'a good token creates');
  t.equal((await s.request({ path: '/api/v1/namespaces/default/configmaps/x', headers: good })).status, 200, 'and reads');
});

void t.test('hostile Authorization headers are all a 401 Status, never a 5xx', async (t) => {
  const s = await startTestApiServer({ authenticator: tokenAuthenticator });
  t.teardown(() => s.close());
  const rng = new SeededRandom(0xa0_7e);
  const headers = [
    '',
    'Bearer',
    'Bearer ',
    `Bearer ${TOKEN} extra`,
    `bearer${TOKEN}`,
    `Bearer ${'x'.repeat(8_000)}`,
    `Bearer ${TOKEN.slice(0, -1)}`,
    `Bearer\t${TOKEN.toUpperCase()}`,
    'Negotiate YII=',
    ...Array.from({ length: 40 }, () => `Bearer ${randomBytes(rng, 1 + rng.int(64)).toString('base64')}`),
    ...Array.from({ length: 20 }, () => `${pick(rng, ['Bearer', 'Basic', 'Token', ''])} ${unicodeString(rng, 1 + rng.int(8)).replace(/[^\u0020-\u007e]/g, '?')}`),
    ...Array.from({ length: 10 }, () => malformedJson(rng, '{"token":"x"}').replace(/[^\u0020-\u007e]/g, '?')),
  ];
  let failures = 0;
  for (const authorization of headers) {
    const res = await s.request({ path: '/api/v1/namespaces/default/pods', headers: { Authorization: authorization } });
    if (res.status !== 401 || statusProblem(res) !== undefined) {
      failures++;
      t.fail(`Authorization ${JSON.stringify(authorization.slice(0, 80))} answered ${res.status}: ${res.text.slice(0, 200)}`);
    }
  }
  t.equal(failures, 0, `every one of ${headers.length} bad headers was a 401 Status`);
  t.same(s.errorsLogged, [], 'nothing was logged as a server failure');
});
