// The PKI directory: created once, CA never replaced, serving certificate reissued only when
// missing, expiring, not the CA's, or short of a requested SAN; bad files named in errors.
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  clusterPkiDir,
  clusterPkiPaths,
  createClusterCa,
  ensureClusterPki,
  fileMode,
  loadClusterPki,
  PkiFileError,
  PkiHostError,
  SERVING_CERTIFICATE_VALIDITY_DAYS,
  tempDir,
} from './helpers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const T0 = new Date('2030-01-01T00:00:00Z');

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

void t.test('first run creates the four files with private keys 0600', async (t) => {
  const dir = clusterPkiDir(tempDir(t));
  const pki = await ensureClusterPki(dir, { now: T0 });
  t.equal(pki.caCreated, true);
  t.equal(pki.servingCertificateIssued, 'missing');
  const paths = clusterPkiPaths(dir);
  t.equal(pki.paths.caCert, paths.caCert);
  t.equal(fileMode(paths.caKey), 0o600);
  t.equal(fileMode(paths.servingKey), 0o600);
  t.equal(fileMode(paths.caCert), 0o644);
  t.equal(fileMode(paths.servingCert), 0o644);
  t.equal(fileMode(dir), 0o700);
  t.equal(readFileSync(paths.caCert, 'utf8'), pki.caCertPem);
  t.equal(readFileSync(paths.servingKey, 'utf8'), pki.servingKeyPem);
  t.match(pki.servingKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  t.match(readFileSync(paths.caKey, 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
  const loaded = await loadClusterPki(dir);
  t.same(loaded, { dir, paths, caCertPem: pki.caCertPem, servingCertPem: pki.servingCertPem, servingKeyPem: pki.servingKeyPem });
});

void t.test('a second run reuses the CA and keeps a good serving certificate', async (t) => {
  const dir = join(tempDir(t), 'pki');
  const first = await ensureClusterPki(dir, { now: T0, hosts: ['node1.example'] });
  const caKey = readFileSync(clusterPkiPaths(dir).caKey, 'utf8');
  const second = await ensureClusterPki(dir, { now: new Date(T0.getTime() + 100 * DAY_MS), hosts: ['node1.example'] });
  t.equal(second.caCreated, false);
  t.equal(second.servingCertificateIssued, undefined);
  t.equal(second.caCertPem, first.caCertPem);
  t.equal(second.servingCertPem, first.servingCertPem);
  t.equal(readFileSync(clusterPkiPaths(dir).caKey, 'utf8'), caKey);
  // Asking for fewer hosts than the certificate has is no reason to reissue.
  t.equal((await ensureClusterPki(dir, { now: T0 })).servingCertificateIssued, undefined);
});

void t.test('an existing CA from elsewhere is adopted, never replaced', async (t) => {
  const dir = join(tempDir(t), 'pki');
  const paths = clusterPkiPaths(dir);
  const own = await createClusterCa({ now: T0, commonName: 'my-company-ca' });
  await ensureClusterPki(dir, { now: T0 }); // creates the dir
  rmSync(paths.caCert);
  rmSync(paths.caKey);
  writeFileSync(paths.caCert, own.certPem);
  writeFileSync(paths.caKey, own.keyPem, { mode: 0o600 });
  const pki = await ensureClusterPki(dir, { now: T0 });
  t.equal(pki.caCreated, false);
  t.equal(pki.caCertPem, own.certPem);
  // The serving certificate was signed by the CA that was replaced under us: reissued from the new one.
  t.equal(pki.servingCertificateIssued, 'not-issued-by-ca');
  const serving = new X509Certificate(pki.servingCertPem);
  t.ok(serving.checkIssued(new X509Certificate(own.certPem)));
  t.ok(serving.verify(new X509Certificate(own.certPem).publicKey));
});

void t.test('half a CA is an error naming the missing file, and nothing is created', async (t) => {
  const dir = join(tempDir(t), 'pki');
  const paths = clusterPkiPaths(dir);
  await ensureClusterPki(dir, { now: T0 });
  const caCert = readFileSync(paths.caCert, 'utf8');
  rmSync(paths.caKey);
  const err = await rejection(ensureClusterPki(dir, { now: T0 }));
  t.type(err, PkiFileError);
  t.match(err, { path: paths.caKey });
  t.equal(readFileSync(paths.caCert, 'utf8'), caCert, 'ca.crt untouched');

  writeFileSync(paths.caKey, 'placeholder');
  rmSync(paths.caCert);
  const err2 = await rejection(ensureClusterPki(dir, { now: T0 }));
  t.type(err2, PkiFileError);
  t.match(err2, { path: paths.caCert });
  t.equal(readFileSync(paths.caKey, 'utf8'), 'placeholder', 'ca.key untouched');
});

void t.test('corrupt or mismatched files are errors naming the file', async (t) => {
  const reference = join(tempDir(t), 'pki');
  const good = await ensureClusterPki(reference, { now: T0 });
  const other = await createClusterCa({ now: T0 });
  const damaged = good.caCertPem.replace(/^(-----BEGIN CERTIFICATE-----\n).{20}/, '$1AAAAAAAAAAAAAAAAAAAA');
  const cases: [string, keyof ReturnType<typeof clusterPkiPaths>, string][] = [
    ['ca.crt not PEM', 'caCert', 'hello'],
    ['ca.crt damaged base64', 'caCert', damaged],
    ['ca.key not a key', 'caKey', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'],
    ['ca.key of another CA', 'caKey', other.keyPem],
    ['ca.crt is a leaf', 'caCert', good.servingCertPem],
    ['apiserver.crt not PEM', 'servingCert', 'garbage'],
    ['apiserver.key not PEM', 'servingKey', 'garbage'],
  ];
  for (const [name, file, content] of cases) {
    const dir = join(tempDir(t), 'pki');
    await ensureClusterPki(dir, { now: T0 });
    const paths = clusterPkiPaths(dir);
    writeFileSync(paths[file], content);
    const err = await rejection(ensureClusterPki(dir, { now: T0 }));
    t.type(err, PkiFileError, name);
    t.match(err, { path: paths[file] }, name);
    t.equal(readFileSync(paths[file], 'utf8'), content, `${name}: left as found`);
  }
});

void t.test('loadClusterPki names a missing or mismatched file', async (t) => {
  const dir = join(tempDir(t), 'pki');
  const paths = clusterPkiPaths(dir);
  const missing = await rejection(loadClusterPki(dir));
  t.type(missing, PkiFileError);
  t.match(missing, { path: paths.caCert });

  await ensureClusterPki(dir, { now: T0 });
  const otherDir = join(tempDir(t), 'pki');
  await ensureClusterPki(otherDir, { now: T0 });
  writeFileSync(paths.servingKey, readFileSync(clusterPkiPaths(otherDir).servingKey));
  const mismatch = await rejection(loadClusterPki(dir));
  t.type(mismatch, PkiFileError);
  t.match(mismatch, { path: paths.servingKey });
  // ensureClusterPki repairs a mismatched serving pair: both files are ours to reissue.
  t.equal((await ensureClusterPki(dir, { now: T0 })).servingCertificateIssued, 'key-mismatch');
  await loadClusterPki(dir);
});

void t.test('a requested host that the serving certificate lacks causes a reissue with it', async (t) => {
  const dir = join(tempDir(t), 'pki');
  const first = await ensureClusterPki(dir, { now: T0, hosts: ['10.0.0.5'] });
  const second = await ensureClusterPki(dir, { now: T0, hosts: ['10.0.0.5', 'Master-2.Example', '2001:DB8:0:0::1'] });
  t.equal(second.caCreated, false);
  t.equal(second.caCertPem, first.caCertPem);
  t.equal(second.servingCertificateIssued, 'missing-san');
  t.not(second.servingCertPem, first.servingCertPem);
  const sans = new X509Certificate(second.servingCertPem).subjectAltName ?? '';
  t.match(sans, 'DNS:master-2.example');
  t.match(sans, 'IP Address:10.0.0.5');
  t.match(sans, 'IP Address:2001:DB8:0:0:0:0:0:1');
  // The same hosts in another spelling are already covered.
  const third = await ensureClusterPki(dir, { now: T0, hosts: ['master-2.example', '[2001:db8::1]', '10.0.0.5'] });
  t.equal(third.servingCertificateIssued, undefined);
});

void t.test('a serving certificate within 30 days of expiry is reissued', async (t) => {
  const dir = join(tempDir(t), 'pki');
  const first = await ensureClusterPki(dir, { now: T0 });
  const notAfter = new Date(new X509Certificate(first.servingCertPem).validTo).getTime();
  t.equal(notAfter, T0.getTime() + SERVING_CERTIFICATE_VALIDITY_DAYS * DAY_MS);
  const kept = await ensureClusterPki(dir, { now: new Date(notAfter - 31 * DAY_MS) });
  t.equal(kept.servingCertificateIssued, undefined);
  const later = new Date(notAfter - 29 * DAY_MS);
  const renewed = await ensureClusterPki(dir, { now: later });
  t.equal(renewed.servingCertificateIssued, 'expiring');
  t.equal(renewed.caCertPem, first.caCertPem);
  t.equal(new Date(new X509Certificate(renewed.servingCertPem).validTo).getTime(), later.getTime() + SERVING_CERTIFICATE_VALIDITY_DAYS * DAY_MS);
});

void t.test('hosts that are neither IPs nor DNS names are refused', async (t) => {
  const dir = join(tempDir(t), 'pki');
  for (const host of ['', 'bad host', 'a..b', '-lead.example', 'x'.repeat(64), 'http://x']) {
    const err = await rejection(ensureClusterPki(dir, { now: T0, hosts: [host] }));
    t.type(err, PkiHostError, JSON.stringify(host));
    t.match(err, { host });
  }
});
