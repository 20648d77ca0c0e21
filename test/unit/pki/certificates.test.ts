// What the issued certificates contain, checked by parties other than the issuing library:
// Node's X.509 parser and TLS stack, and openssl when it is installed.
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import t from 'tap';
import {
  CLIENT_CERTIFICATE_VALIDITY_DAYS,
  CLUSTER_CA_VALIDITY_DAYS,
  createClusterCa,
  findExecutable,
  issueClientCertificate,
  issueServingCertificate,
  loadClusterCa,
  runTool,
  servingCertificateSans,
  SERVING_CERTIFICATE_VALIDITY_DAYS,
  tempDir,
} from './helpers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const SOURCE = { certPath: 'ca.crt', keyPath: 'ca.key' };
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

async function fixture(): Promise<{
  ca: Awaited<ReturnType<typeof createClusterCa>>;
  serving: Awaited<ReturnType<typeof issueServingCertificate>>;
  client: Awaited<ReturnType<typeof issueClientCertificate>>;
}> {
  const ca = await createClusterCa();
  const signer = await loadClusterCa(ca, SOURCE);
  const serving = await issueServingCertificate(signer, { hosts: ['master-1.example', '10.1.2.3'] });
  const client = await issueClientCertificate(signer, { user: 'alice', groups: ['dev', 'ops'] });
  return { ca, serving, client };
}

const made = fixture();
// Each test awaits `made` and sees a failure there; this only keeps it from counting as unhandled meanwhile.
made.catch(() => undefined);

void t.test('the CA is self-signed, a CA, named flotilla-ca, valid for 10 years', async (t) => {
  const { ca } = await made;
  const cert = new X509Certificate(ca.certPem);
  t.equal(cert.subject, 'CN=flotilla-ca');
  t.equal(cert.issuer, 'CN=flotilla-ca');
  t.equal(cert.ca, true);
  t.ok(cert.verify(cert.publicKey));
  t.equal(cert.publicKey.asymmetricKeyType, 'ec');
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS;
  t.ok(Math.abs(days - CLUSTER_CA_VALIDITY_DAYS) < 1, `${days} days`);
});

void t.test('the serving certificate carries the service names, loopback IPs and extra hosts', async (t) => {
  const { ca, serving } = await made;
  const cert = new X509Certificate(serving.certPem);
  const caCert = new X509Certificate(ca.certPem);
  t.equal(cert.subject, 'CN=flotilla-apiserver');
  t.equal(cert.ca, false);
  t.ok(cert.checkIssued(caCert));
  t.ok(cert.verify(caCert.publicKey));
  t.same(cert.keyUsage, [SERVER_AUTH]);
  t.equal(
    cert.subjectAltName,
    'DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, ' +
      'DNS:master-1.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.1.2.3',
  );
  for (const host of ['localhost', 'kubernetes.default.svc', 'master-1.example']) t.equal(cert.checkHost(host), host);
  for (const ip of ['127.0.0.1', '::1', '10.1.2.3']) t.equal(cert.checkIP(ip), ip);
  t.equal(cert.checkHost('other.example'), undefined);
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS;
  t.ok(Math.abs(days - SERVING_CERTIFICATE_VALIDITY_DAYS) < 1, `${days} days`);
  t.not(cert.serialNumber, new X509Certificate(ca.certPem).serialNumber);
});

void t.test('the client certificate names the user in CN and the groups in O', async (t) => {
  const { ca, client } = await made;
  const cert = new X509Certificate(client.certPem);
  t.equal(cert.subject, 'O=dev\nO=ops\nCN=alice');
  t.same(cert.keyUsage, [CLIENT_AUTH]);
  t.equal(cert.subjectAltName, undefined);
  t.ok(cert.verify(new X509Certificate(ca.certPem).publicKey));
  const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS;
  t.ok(Math.abs(days - CLIENT_CERTIFICATE_VALIDITY_DAYS) < 1, `${days} days`);
  const signer = await loadClusterCa(ca, SOURCE);
  await t.rejects(issueClientCertificate(signer, { user: '' }), RangeError);
});

void t.test('a leaf never outlives its CA', async (t) => {
  const now = new Date('2030-01-01T00:00:00Z');
  const ca = await createClusterCa({ now, validityDays: 10 });
  const serving = await issueServingCertificate(await loadClusterCa(ca, SOURCE), { now });
  t.equal(new X509Certificate(serving.certPem).validTo, new X509Certificate(ca.certPem).validTo);
});

void t.test('servingCertificateSans normalizes and deduplicates', (t) => {
  const sans = servingCertificateSans(['LOCALHOST', '127.0.0.1', '[::1]', 'Api.Example', '*.apps.example', '2001:db8:0:0:0:0:0:1']);
  t.same(sans.ipAddresses, ['127.0.0.1', '::1', '2001:db8::1']);
  t.same(sans.dnsNames.slice(5), ['api.example', '*.apps.example']);
  t.end();
});

void t.test('Node TLS: a client trusting only the CA accepts the server, which accepts the client certificate', async (t) => {
  const { ca, serving, client } = await made;
  const server = createServer(
    { cert: serving.certPem, key: serving.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      res.end(JSON.stringify({ authorized: socket.authorized, cn: socket.getPeerCertificate().subject.CN }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as AddressInfo;
  for (const servername of ['localhost', 'kubernetes.default.svc']) {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', servername, ca: ca.certPem, cert: client.certPem, key: client.keyPem, agent: false },
        (res: IncomingMessage) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
      req.end();
    });
    t.same(JSON.parse(body), { authorized: true, cn: 'alice' }, servername);
  }
});

const openssl = findExecutable('openssl');

void t.test('openssl verifies the chain and purposes, and shows the extensions', { skip: openssl === undefined ? 'openssl not installed' : false }, async (t) => {
  const { ca, serving, client } = await made;
  const dir = tempDir(t);
  const caPath = join(dir, 'ca.crt');
  const servingPath = join(dir, 'apiserver.crt');
  const clientPath = join(dir, 'client.crt');
  writeFileSync(caPath, ca.certPem);
  writeFileSync(servingPath, serving.certPem);
  writeFileSync(clientPath, client.certPem);
  const bin = openssl!;

  const verify = await runTool(bin, ['verify', '-CAfile', caPath, servingPath]);
  t.equal(verify.code, 0, verify.stderr);
  t.match(verify.stdout, `${servingPath}: OK`);
  t.equal((await runTool(bin, ['verify', '-CAfile', caPath, '-purpose', 'sslserver', servingPath])).code, 0);
  t.equal((await runTool(bin, ['verify', '-CAfile', caPath, '-purpose', 'sslclient', clientPath])).code, 0);
  t.not((await runTool(bin, ['verify', '-CAfile', caPath, '-purpose', 'sslclient', servingPath])).code, 0, 'serving cert is not a client cert');

  const caText = (await runTool(bin, ['x509', '-in', caPath, '-noout', '-text'])).stdout;
  t.match(caText, /X509v3 Basic Constraints: critical\s+CA:TRUE/);
  t.match(caText, /X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
  const ski = /X509v3 Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(caText)?.[1];
  t.ok(ski, 'CA has a subjectKeyIdentifier');

  const text = (await runTool(bin, ['x509', '-in', servingPath, '-noout', '-text'])).stdout;
  t.match(text, /Issuer: CN ?= ?flotilla-ca/);
  t.match(text, /Subject: CN ?= ?flotilla-apiserver/);
  t.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
  t.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
  t.match(text, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication\n/);
  t.match(text, 'DNS:kubernetes.default.svc.cluster.local');
  t.match(text, 'IP Address:0:0:0:0:0:0:0:1');
  const aki = /X509v3 Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
  t.equal(aki, ski, 'authorityKeyIdentifier is the CA subjectKeyIdentifier');
});
