/**
 * The PKI directory `<dataDir>/pki/`: `ca.crt`, `ca.key`, `apiserver.crt`, `apiserver.key`.
 * `ensureClusterPki` creates what is missing and keeps what is good; it never replaces a CA,
 * because every kubeconfig and client already trusts it.
 *
 * Call it once per cluster before the masters start (`flotilla up`); masters then read the files
 * with `loadClusterPki`. Two concurrent first runs cannot both create a CA (files are created
 * exclusively), but the loser fails instead of waiting.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterCaSigner, PemKeyPair } from './ca.js';
import { createClusterCa, DAY_MS, loadClusterCa, parseCertificatePem } from './ca.js';
import { createPkiFileExclusive, PUBLIC_FILE_MODE, readPkiFile, SECRET_FILE_MODE, writePkiFileAtomic } from './atomic-file.js';
import { PkiFileError } from './errors.js';
import { loadPkiSigningKey } from './keys.js';
import type { ServingCertificateSans } from './serving.js';
import { canonicalIpAddress, issueServingCertificate, servingCertificateSans } from './serving.js';
import { x509 } from './x509.js';

/** A serving certificate closer than this to its notAfter is reissued. */
export const SERVING_CERTIFICATE_RENEW_BEFORE_DAYS = 30;

export interface ClusterPkiPaths {
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
}

/** `<dataDir>/pki`. */
export function clusterPkiDir(dataDir: string): string {
  return join(dataDir, 'pki');
}

export function clusterPkiPaths(pkiDir: string): ClusterPkiPaths {
  return {
    caCert: join(pkiDir, 'ca.crt'),
    caKey: join(pkiDir, 'ca.key'),
    servingCert: join(pkiDir, 'apiserver.crt'),
    servingKey: join(pkiDir, 'apiserver.key'),
  };
}

/** What an API server needs to serve TLS, and what a kubeconfig needs to trust it. */
export interface ClusterPki {
  readonly dir: string;
  readonly paths: ClusterPkiPaths;
  readonly caCertPem: string;
  readonly servingCertPem: string;
  readonly servingKeyPem: string;
}

/** Why `ensureClusterPki` issued a new serving certificate. */
export type ServingCertificateIssueReason =
  | 'missing' // apiserver.crt or apiserver.key did not exist
  | 'key-mismatch' // apiserver.key is not the key of apiserver.crt
  | 'not-issued-by-ca' // apiserver.crt is not signed by ca.crt
  | 'expiring' // fewer than SERVING_CERTIFICATE_RENEW_BEFORE_DAYS left
  | 'missing-san'; // a requested host is not among its subjectAltNames

export interface EnsureClusterPkiResult extends ClusterPki {
  readonly caCreated: boolean;
  /** Undefined when the existing serving certificate was kept. */
  readonly servingCertificateIssued: ServingCertificateIssueReason | undefined;
}

export interface EnsureClusterPkiOptions {
  /** Extra host names and IPs of the API servers, besides localhost, 127.0.0.1, ::1 and kubernetes.default…. */
  readonly hosts?: readonly string[];
  /** The wall clock by default; tests move it. */
  readonly now?: Date;
}

/**
 * Creates the CA if neither ca.crt nor ca.key exists, and (re)issues the serving certificate if it
 * is missing, expiring, not signed by the CA, or lacks a requested host (the new one carries the
 * defaults plus exactly the requested hosts). Throws PkiFileError, naming the file, for unreadable
 * or corrupt files and for half a CA (one of ca.crt, ca.key without the other).
 */
export async function ensureClusterPki(pkiDir: string, options: EnsureClusterPkiOptions = {}): Promise<EnsureClusterPkiResult> {
  const now = options.now ?? new Date();
  const paths = clusterPkiPaths(pkiDir);
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });

  const { ca, created: caCreated } = await ensureCa(paths, now);
  const sans = servingCertificateSans(options.hosts);
  const existing = bothPresent(await readPair(paths.servingCert, paths.servingKey));
  const reason = existing === undefined ? 'missing' : await servingCertificateProblem(existing, paths, ca, sans, now);
  let serving = existing;
  if (reason !== undefined || serving === undefined) {
    serving = await issueServingCertificate(ca, { hosts: options.hosts ?? [], now });
    // Key first: a reader in between finds a key that does not fit the certificate and fails
    // loudly (loadClusterPki checks the pair) instead of serving with a stale pair.
    await writePkiFileAtomic(paths.servingKey, serving.keyPem, SECRET_FILE_MODE);
    await writePkiFileAtomic(paths.servingCert, serving.certPem, PUBLIC_FILE_MODE);
  }
  return {
    dir: pkiDir,
    paths,
    caCertPem: ca.certPem,
    servingCertPem: serving.certPem,
    servingKeyPem: serving.keyPem,
    caCreated,
    servingCertificateIssued: reason,
  };
}

/**
 * Reads ca.crt, apiserver.crt and apiserver.key (not ca.key: a master needs only these). Throws
 * PkiFileError naming the file when one is missing, corrupt, or the serving key is not the
 * certificate's.
 */
export async function loadClusterPki(pkiDir: string): Promise<ClusterPki> {
  const paths = clusterPkiPaths(pkiDir);
  const caCertPem = await readRequired(paths.caCert);
  parseCertificatePem(caCertPem, paths.caCert);
  const servingCertPem = await readRequired(paths.servingCert);
  const servingKeyPem = await readRequired(paths.servingKey);
  const servingCert = parseCertificatePem(servingCertPem, paths.servingCert);
  const servingKey = await loadPkiSigningKey(servingKeyPem, paths.servingKey);
  if (!servingCert.checkPrivateKey(servingKey.keyObject)) {
    throw new PkiFileError(paths.servingKey, `private key does not belong to the certificate in ${paths.servingCert}`);
  }
  return { dir: pkiDir, paths, caCertPem, servingCertPem, servingKeyPem };
}

async function ensureCa(paths: ClusterPkiPaths, now: Date): Promise<{ ca: ClusterCaSigner; created: boolean }> {
  const existing = await readPair(paths.caCert, paths.caKey);
  const pair = bothPresent(existing);
  if (pair !== undefined) return { ca: await loadClusterCa(pair, certSource(paths)), created: false };
  if (existing.certPem !== undefined || existing.keyPem !== undefined) {
    const [present, missing] = existing.certPem === undefined ? [paths.caKey, paths.caCert] : [paths.caCert, paths.caKey];
    throw new PkiFileError(
      missing,
      `missing while ${present} exists; refusing to create a new CA over it (restore it, or remove both to start a new cluster CA)`,
    );
  }
  const fresh = await createClusterCa({ now });
  // Key first and exclusively: whoever publishes ca.key owns the CA; a concurrent creator stops here.
  if (!(await createPkiFileExclusive(paths.caKey, fresh.keyPem, SECRET_FILE_MODE))) {
    throw new PkiFileError(paths.caKey, 'created concurrently by another process; run again');
  }
  if (!(await createPkiFileExclusive(paths.caCert, fresh.certPem, PUBLIC_FILE_MODE))) {
    throw new PkiFileError(paths.caCert, 'created concurrently by another process; run again');
  }
  return { ca: await loadClusterCa(fresh, certSource(paths)), created: true };
}

function certSource(paths: ClusterPkiPaths): { certPath: string; keyPath: string } {
  return { certPath: paths.caCert, keyPath: paths.caKey };
}

async function readRequired(path: string): Promise<string> {
  const text = await readPkiFile(path);
  if (text === undefined) throw new PkiFileError(path, 'missing (run `flotilla up` to create the cluster PKI)');
  return text;
}

/** A certificate's and a key's text; either is undefined when its file does not exist. */
async function readPair(certPath: string, keyPath: string): Promise<{ certPem: string | undefined; keyPem: string | undefined }> {
  return { certPem: await readPkiFile(certPath), keyPem: await readPkiFile(keyPath) };
}

function bothPresent(pair: { certPem: string | undefined; keyPem: string | undefined }): PemKeyPair | undefined {
  return pair.certPem !== undefined && pair.keyPem !== undefined ? { certPem: pair.certPem, keyPem: pair.keyPem } : undefined;
}

async function servingCertificateProblem(
  serving: PemKeyPair,
  paths: ClusterPkiPaths,
  ca: ClusterCaSigner,
  sans: ServingCertificateSans,
  now: Date,
): Promise<ServingCertificateIssueReason | undefined> {
  const cert = parseCertificatePem(serving.certPem, paths.servingCert);
  const key = await loadPkiSigningKey(serving.keyPem, paths.servingKey);
  if (!cert.checkPrivateKey(key.keyObject)) return 'key-mismatch';
  if (!cert.checkIssued(ca.nodeCert) || !cert.verify(ca.nodeCert.publicKey)) return 'not-issued-by-ca';
  const renewAtMs = new Date(cert.validTo).getTime() - SERVING_CERTIFICATE_RENEW_BEFORE_DAYS * DAY_MS;
  if (now.getTime() >= renewAtMs) return 'expiring';
  const present = certificateSans(cert.raw);
  const missing = sans.dnsNames.some((n) => !present.dnsNames.has(n)) || sans.ipAddresses.some((ip) => !present.ipAddresses.has(ip));
  return missing ? 'missing-san' : undefined;
}

/** The DNS names (lower-cased) and IP addresses (canonical) in a certificate's subjectAltName. */
function certificateSans(der: Buffer): { dnsNames: Set<string>; ipAddresses: Set<string> } {
  const ext = new x509.X509Certificate(der).getExtension(x509.SubjectAlternativeNameExtension);
  const dnsNames = new Set<string>();
  const ipAddresses = new Set<string>();
  for (const name of ext?.names.toJSON() ?? []) {
    if (name.type === 'dns') dnsNames.add(name.value.toLowerCase());
    else if (name.type === 'ip') ipAddresses.add(canonicalIpAddress(name.value) ?? name.value);
  }
  return { dnsNames, ipAddresses };
}
