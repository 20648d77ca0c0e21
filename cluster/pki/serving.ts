/** The API server's serving certificate and the names (SANs) it must carry. */
import { isIP } from 'node:net';
import type { ClusterCaSigner, PemKeyPair } from './ca.js';
import { PkiHostError } from './errors.js';
import { issueLeafCertificate } from './leaf.js';
import { x509 } from './x509.js';

export const API_SERVER_COMMON_NAME = 'flotilla-apiserver';
export const SERVING_CERTIFICATE_VALIDITY_DAYS = 365;

/** The in-cluster names of the `kubernetes` Service, which every API server certificate carries. */
export const DEFAULT_SERVING_DNS_NAMES: readonly string[] = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
export const DEFAULT_SERVING_IP_ADDRESSES: readonly string[] = ['127.0.0.1', '::1'];

/** The subjectAltName entries of a serving certificate, normalized and without duplicates. */
export interface ServingCertificateSans {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
}

const MAX_DNS_NAME_LENGTH = 253;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The defaults plus `hosts`, each sorted into DNS names (lower-cased) and IP addresses (IPv6 in
 * its canonical compressed form; `[::1]` brackets accepted). Throws PkiHostError for a host that
 * is neither.
 */
export function servingCertificateSans(hosts: readonly string[] = []): ServingCertificateSans {
  const dnsNames = new Set(DEFAULT_SERVING_DNS_NAMES);
  const ipAddresses = new Set(DEFAULT_SERVING_IP_ADDRESSES);
  for (const host of hosts) {
    const ip = canonicalIpAddress(host);
    if (ip !== undefined) ipAddresses.add(ip);
    else dnsNames.add(canonicalDnsName(host));
  }
  return { dnsNames: [...dnsNames], ipAddresses: [...ipAddresses] };
}

/** An IP address in canonical form (IPv6 compressed, brackets removed), or undefined for a non-IP. */
export function canonicalIpAddress(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = isIP(bare);
  if (family === 4) return bare;
  if (family === 6) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return undefined;
}

/** RFC 1123 host name, optionally with a leading `*.` wildcard label. */
function canonicalDnsName(host: string): string {
  const name = host.toLowerCase();
  const labels = name.startsWith('*.') ? name.slice(2).split('.') : name.split('.');
  if (name.length === 0 || name.length > MAX_DNS_NAME_LENGTH || !labels.every((l) => DNS_LABEL.test(l))) {
    throw new PkiHostError(host);
  }
  return name;
}

export interface IssueServingCertificateOptions {
  /** Extra host names and IP addresses the API server is reached at, besides the defaults. */
  readonly hosts?: readonly string[];
  /** Issue time; defaults to the wall clock. */
  readonly now?: Date;
}

/** A serving certificate for the API server (CN flotilla-apiserver, extKeyUsage serverAuth, 1 year). */
export async function issueServingCertificate(ca: ClusterCaSigner, options: IssueServingCertificateOptions = {}): Promise<PemKeyPair> {
  const sans = servingCertificateSans(options.hosts);
  return issueLeafCertificate(ca, {
    commonName: API_SERVER_COMMON_NAME,
    dnsNames: sans.dnsNames,
    ipAddresses: sans.ipAddresses,
    extendedKeyUsages: [x509.ExtendedKeyUsage.serverAuth],
    validityDays: SERVING_CERTIFICATE_VALIDITY_DAYS,
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
}
