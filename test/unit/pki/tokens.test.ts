// The static tokens file: kube-apiserver's --token-auth-file CSV, the admin token, and bearer lookup.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  ADMIN_TOKEN_USER,
  authenticateToken,
  bearerTokenFromHeader,
  ensureAdminToken,
  fileMode,
  generateStaticToken,
  loadTokenFile,
  parseTokenFile,
  renderTokenFile,
  tempDir,
  TokenFileError,
} from './helpers.js';

void t.test('parses token, user, uid and quoted comma-separated groups', (t) => {
  const parsed = parseTokenFile('tok1,alice,uid-a,"dev,ops"\ntok2,bob,uid-b\ntok3,carol,uid-c,viewers\n');
  t.same(parsed.tokens, [
    { token: 'tok1', user: { name: 'alice', uid: 'uid-a', groups: ['dev', 'ops'] } },
    { token: 'tok2', user: { name: 'bob', uid: 'uid-b', groups: [] } },
    { token: 'tok3', user: { name: 'carol', uid: 'uid-c', groups: ['viewers'] } },
  ]);
  t.same(parsed.warnings, []);
  t.end();
});

void t.test('follows Go encoding/csv: CRLF, blank lines skipped, "" escapes, quoted newlines, no trimming', (t) => {
  const parsed = parseTokenFile('\r\n\ufefftok1, alice ,u1\r\n\r\n"to""k2",bob,u2,"a\nb"\n"",x,y\n', 'f.csv');
  // A BOM not at the very start of the file stays data (only a leading one is dropped).
  t.equal(parsed.tokens[0]?.token, '\ufefftok1');
  t.equal(parsed.tokens[0]?.user.name, ' alice ');
  t.equal(parsed.tokens[1]?.token, 'to"k2');
  t.same(parsed.tokens[1]?.user.groups, ['a\nb']);
  t.equal(parsed.tokens.length, 2);
  // The empty token starts on line 6 (line 4 holds a quoted field spanning into line 5).
  t.same(parsed.warnings, [{ line: 6, message: 'empty token; record ignored' }]);
  t.equal(parseTokenFile('\ufefftok,u,1\n').tokens[0]?.token, 'tok');
  t.end();
});

void t.test('an empty fourth column is the group "" and extra columns are ignored, as in kube-apiserver', (t) => {
  const parsed = parseTokenFile('tok,u,1,\ntok2,u2,2,g1,ignored\n');
  t.same(parsed.tokens[0]?.user.groups, ['']);
  t.same(parsed.tokens[1]?.user.groups, ['g1']);
  t.end();
});

void t.test('a repeated token replaces the earlier record, with a warning', (t) => {
  const parsed = parseTokenFile('tok,first,1\nother,o,2\ntok,second,3\n');
  t.same(
    parsed.tokens.map((x) => [x.token, x.user.name]),
    [
      ['other', 'o'],
      ['tok', 'second'],
    ],
  );
  t.same(parsed.warnings, [{ line: 3, message: 'duplicate token; this record replaces the earlier one' }]);
  t.end();
});

void t.test('errors carry the source and the line', (t) => {
  const cases: [string, number, RegExp][] = [
    ['tok,user,uid\ntok2,user2\n', 2, /at least 3 columns .* found 2/],
    ['ok,a,b\n\nx"y,u,1\n', 3, /bare "/],
    ['ok,a,b\n"unterminated,u,1\n', 2, /missing "/],
    ['"tok"x,u,1\n', 1, /extraneous or missing "/],
  ];
  for (const [text, line, reason] of cases) {
    const err = (() => {
      try {
        parseTokenFile(text, '/etc/tokens.csv');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    t.type(err, TokenFileError, JSON.stringify(text));
    if (!(err instanceof TokenFileError)) continue;
    t.equal(err.line, line, JSON.stringify(text));
    t.equal(err.source, '/etc/tokens.csv');
    t.match(err.reason, reason);
    t.match(err.message, `/etc/tokens.csv:${line}:`);
  }
  t.end();
});

void t.test('render then parse round-trips, quoting what needs quoting', (t) => {
  const tokens = [
    { token: 'abc', user: { name: 'admin', uid: 'admin', groups: ['system:masters'] } },
    { token: 'def', user: { name: 'a,b', uid: ' sp', groups: ['g1', 'g2'] } },
    { token: 'ghi', user: { name: 'q"uote', uid: 'u', groups: [] } },
  ];
  const text = renderTokenFile(tokens);
  t.equal(text.split('\n')[0], 'abc,admin,admin,system:masters');
  t.equal(text.split('\n')[1], 'def,"a,b"," sp","g1,g2"');
  t.same(parseTokenFile(text).tokens, tokens);
  t.throws(() => renderTokenFile([{ token: 'has space', user: ADMIN_TOKEN_USER }]), RangeError);
  t.end();
});

void t.test('generated tokens are 32 random bytes in base64url', (t) => {
  const fixed = generateStaticToken((n) => Buffer.alloc(n, 0xff));
  t.equal(fixed, Buffer.alloc(32, 0xff).toString('base64url'));
  t.equal(fixed.length, 43);
  const a = generateStaticToken();
  t.match(a, /^[A-Za-z0-9_-]{43}$/);
  t.not(a, generateStaticToken());
  t.end();
});

void t.test('authenticateToken finds the user of an exact token only', (t) => {
  const { tokens } = parseTokenFile('secret-one,alice,a,"dev,ops"\nsecret-two,bob,b\n');
  t.same(authenticateToken(tokens, 'secret-one'), { name: 'alice', uid: 'a', groups: ['dev', 'ops'] });
  t.same(authenticateToken(tokens, 'secret-two')?.name, 'bob');
  for (const wrong of ['', 'secret-on', 'secret-one ', 'SECRET-ONE', 'secret-onex']) {
    t.equal(authenticateToken(tokens, wrong), undefined, JSON.stringify(wrong));
  }
  t.equal(authenticateToken([], 'secret-one'), undefined);
  t.end();
});

void t.test('bearerTokenFromHeader reads the header as kube-apiserver does', (t) => {
  t.equal(bearerTokenFromHeader('Bearer abc'), 'abc');
  t.equal(bearerTokenFromHeader('  bearer abc  '), 'abc');
  t.equal(bearerTokenFromHeader('BEARER abc extra'), 'abc');
  t.equal(bearerTokenFromHeader('Basic abc'), undefined);
  t.equal(bearerTokenFromHeader('Bearer'), undefined);
  t.equal(bearerTokenFromHeader('Bearer  abc'), undefined);
  t.equal(bearerTokenFromHeader(undefined), undefined);
  t.end();
});

void t.test('ensureAdminToken creates a 0600 file, then reuses its admin token', async (t) => {
  const path = join(tempDir(t), 'tokens.csv');
  t.equal(await loadTokenFile(path), undefined);
  const first = await ensureAdminToken(path);
  t.equal(first.created, true);
  t.equal(fileMode(path), 0o600);
  t.equal(readFileSync(path, 'utf8'), `${first.adminToken},admin,admin,system:masters\n`);
  const again = await ensureAdminToken(path);
  t.equal(again.created, false);
  t.equal(again.adminToken, first.adminToken);
  t.same(authenticateToken(again.tokens.tokens, first.adminToken), ADMIN_TOKEN_USER);
});

void t.test('ensureAdminToken adds an admin to a file without one and keeps the other records', async (t) => {
  const path = join(tempDir(t), 'tokens.csv');
  writeFileSync(path, 'viewer-token,viewer,v1,"view,read"\n', { mode: 0o644 });
  const result = await ensureAdminToken(path);
  t.equal(result.created, true);
  const reread = await loadTokenFile(path);
  t.same(
    reread?.tokens.map((x) => x.user.name),
    ['viewer', 'admin'],
  );
  t.same(reread?.tokens[0]?.user.groups, ['view', 'read']);
  t.equal(fileMode(path), 0o600);
});

void t.test('loadTokenFile reports a malformed file with its path and line', async (t) => {
  const path = join(tempDir(t), 'tokens.csv');
  writeFileSync(path, 'good,u,1\nbad\n');
  const err = await loadTokenFile(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(err, TokenFileError);
  t.match(err, { source: path, line: 2 });
});
