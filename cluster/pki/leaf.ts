/** Issuing end-entity certificates (serving and client) from the cluster CA. */
import type { ClusterCaSigner, PemKeyPair } from './ca.js';
import { CERTIFICATE_BACKDATE_MS, DAY_MS } from './ca.js';
import { generatePkiKeyPair, privateKeyToPem, randomSerialNumber } from './keys.js';
import { x509 } from './x509.js';

/** What goes into an end-entity certificate besides its fresh key. */
export interface LeafCertificateSpec {
  readonly commonName: string;
  /** Subject O values, one RDN each (Kubernetes reads them as the user's groups). */
  readonly organizations?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** extKeyUsage OIDs, e.g. `x509.ExtendedKeyUsage.serverAuth`. */
  readonly extendedKeyUsages: readonly string[];
  readonly validityDays: number;
  /** Issue time; defaults to the wall clock. */
  readonly now?: Date;
}

/**
 * A new key pair and a certificate for it signed by `ca`: basicConstraints CA:false and keyUsage
 * digitalSignature|keyEncipherment (both critical), the given extKeyUsage, subjectAltName when
 * there are names, and authorityKeyIdentifier = the CA's subjectKeyIdentifier.
 * Invariant: notAfter never exceeds the CA's notAfter (a chain is only as valid as its root).
 */
export async function issueLeafCertificate(ca: ClusterCaSigner, spec: LeafCertificateSpec): Promise<PemKeyPair> {
  const now = spec.now ?? new Date();
  const notAfterMs = Math.min(now.getTime() + spec.validityDays * DAY_MS, ca.cert.notAfter.getTime());
  const { keys } = await generatePkiKeyPair();

  const sans: x509.JsonGeneralName[] = [
    ...(spec.dnsNames ?? []).map((value): x509.JsonGeneralName => ({ type: 'dns', value })),
    ...(spec.ipAddresses ?? []).map((value): x509.JsonGeneralName => ({ type: 'ip', value })),
  ];
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([...spec.extendedKeyUsages], false),
  ];
  if (sans.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(sans, false));
  if (ca.subjectKeyId !== undefined) extensions.push(new x509.AuthorityKeyIdentifierExtension(ca.subjectKeyId, false));

  const subject: x509.JsonName = [...(spec.organizations ?? []).map((o) => ({ O: [o] })), { CN: [spec.commonName] }];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject,
    issuer: ca.cert.subjectName,
    notBefore: new Date(now.getTime() - CERTIFICATE_BACKDATE_MS),
    notAfter: new Date(notAfterMs),
    signingAlgorithm: ca.signingKey.algorithm.signingParams,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey.privateKey,
    extensions,
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await privateKeyToPem(keys.privateKey) };
}
