/**
 * The cluster certificate authority: a self-signed CA that signs the API server's serving
 * certificate and client certificates, and that kubeconfigs carry as the one root to trust.
 */
import { X509Certificate as NodeX509Certificate } from 'node:crypto';
import { PkiFileError } from './errors.js';
import type { PkiSigningKey } from './keys.js';
import { generatePkiKeyPair, loadPkiSigningKey, privateKeyToPem, randomSerialNumber } from './keys.js';
import { x509 } from './x509.js';

export const CLUSTER_CA_COMMON_NAME = 'flotilla-ca';
export const CLUSTER_CA_VALIDITY_DAYS = 3650;
/**
 * How far before "now" a new certificate's notBefore lies, so a host whose clock is a little
 * behind the issuer's still accepts it (kubeadm backdates for the same reason).
 */
export const CERTIFICATE_BACKDATE_MS = 5 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate and its private key, both PEM (the key PKCS#8). */
export interface PemKeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CreateClusterCaOptions {
  /** Issue time; defaults to the wall clock. */
  readonly now?: Date;
  readonly commonName?: string;
  readonly validityDays?: number;
}

/**
 * A new self-signed CA: basicConstraints CA:true and keyUsage keyCertSign|cRLSign (both critical),
 * and a subjectKeyIdentifier that issued certificates name as their authorityKeyIdentifier.
 */
export async function createClusterCa(options: CreateClusterCaOptions = {}): Promise<PemKeyPair> {
  const now = options.now ?? new Date();
  const { keys, algorithm } = await generatePkiKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ CN: [options.commonName ?? CLUSTER_CA_COMMON_NAME] }],
    notBefore: new Date(now.getTime() - CERTIFICATE_BACKDATE_MS),
    notAfter: new Date(now.getTime() + (options.validityDays ?? CLUSTER_CA_VALIDITY_DAYS) * DAY_MS),
    signingAlgorithm: algorithm.signingParams,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: `${cert.toString('pem')}\n`, keyPem: await privateKeyToPem(keys.privateKey) };
}

/** A loaded CA, able to sign. */
export interface ClusterCaSigner {
  readonly certPem: string;
  readonly cert: x509.X509Certificate;
  /** Node's view of the same certificate, for `verify` and `checkPrivateKey`. */
  readonly nodeCert: NodeX509Certificate;
  readonly signingKey: PkiSigningKey;
  /** Hex subjectKeyIdentifier, when the CA has one (ours always do). */
  readonly subjectKeyId: string | undefined;
}

/** Where a CA's PEM came from, for errors. */
export interface ClusterCaSource {
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * Parses a CA certificate and key. Throws PkiFileError naming the file when either is not valid
 * PEM, the certificate is not a CA, or the key is not the certificate's.
 */
export async function loadClusterCa(pair: PemKeyPair, source: ClusterCaSource): Promise<ClusterCaSigner> {
  const nodeCert = parseCertificatePem(pair.certPem, source.certPath);
  if (!nodeCert.ca) throw new PkiFileError(source.certPath, 'certificate is not a CA (basicConstraints CA:false or missing)');
  const cert = new x509.X509Certificate(nodeCert.raw);
  const signingKey = await loadPkiSigningKey(pair.keyPem, source.keyPath);
  if (!nodeCert.checkPrivateKey(signingKey.keyObject)) {
    throw new PkiFileError(source.keyPath, `private key does not belong to the certificate in ${source.certPath}`);
  }
  const subjectKeyId = cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  return { certPem: pair.certPem, cert, nodeCert, signingKey, subjectKeyId };
}

/** The first certificate of a PEM text; PkiFileError naming `path` when there is none or it is corrupt. */
export function parseCertificatePem(pem: string, path: string): NodeX509Certificate {
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new PkiFileError(path, 'no PEM CERTIFICATE block');
  try {
    return new NodeX509Certificate(pem);
  } catch (err) {
    throw new PkiFileError(path, 'corrupt PEM certificate', { cause: err });
  }
}
