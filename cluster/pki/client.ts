/**
 * Client certificates: the user is the subject CN and the groups are its O values, which is how
 * kube-apiserver's x509 authenticator reads them. Not used by `flotilla up` yet (the kubeconfig
 * carries a bearer token); here for client-certificate authentication later.
 */
import type { ClusterCaSigner, PemKeyPair } from './ca.js';
import { issueLeafCertificate } from './leaf.js';
import { x509 } from './x509.js';

export const CLIENT_CERTIFICATE_VALIDITY_DAYS = 365;

export interface IssueClientCertificateOptions {
  /** The user name (subject CN). */
  readonly user: string;
  /** Group names (subject O, one RDN each). */
  readonly groups?: readonly string[];
  /** Issue time; defaults to the wall clock. */
  readonly now?: Date;
}

/** A client certificate (extKeyUsage clientAuth, 1 year). Throws RangeError for an empty user name. */
export async function issueClientCertificate(ca: ClusterCaSigner, options: IssueClientCertificateOptions): Promise<PemKeyPair> {
  if (options.user === '') throw new RangeError('a client certificate needs a user name');
  return issueLeafCertificate(ca, {
    commonName: options.user,
    organizations: options.groups ?? [],
    extendedKeyUsages: [x509.ExtendedKeyUsage.clientAuth],
    validityDays: CLIENT_CERTIFICATE_VALIDITY_DAYS,
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
}
