/**
 * Key pairs and their PEM form. Every key we generate is ECDSA P-256 (Go's TLS stack, and so
 * kubectl, accepts it; it is small and fast to generate). A CA key loaded from disk may also be
 * RSA or ECDSA P-384, so a cluster can bring an existing CA (kubeadm writes RSA keys).
 */
import type { KeyObject } from 'node:crypto';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { PkiFileError } from './errors.js';
import { x509 } from './x509.js';

export type PkiCryptoKey = webcrypto.CryptoKey;
export type PkiCryptoKeyPair = webcrypto.CryptoKeyPair;

/** The algorithm a key signs with: WebCrypto import parameters plus the signature hash. */
export interface PkiSigningAlgorithm {
  readonly importParams: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  readonly signingParams: { readonly name: string; readonly hash: string };
}

const P256_ALGORITHM: PkiSigningAlgorithm = {
  importParams: { name: 'ECDSA', namedCurve: 'P-256' },
  signingParams: { name: 'ECDSA', hash: 'SHA-256' },
};

/** A CA private key ready to sign, and the algorithm its signatures use. */
export interface PkiSigningKey {
  readonly privateKey: PkiCryptoKey;
  readonly algorithm: PkiSigningAlgorithm;
  /** The same key as Node sees it, for `X509Certificate.checkPrivateKey`. */
  readonly keyObject: KeyObject;
}

/** Bytes of a certificate serial number: 128 bits, above the 64 bits of entropy CAs must use. */
export const SERIAL_NUMBER_BYTES = 16;

/** A fresh ECDSA P-256 key pair (extractable, so the private key can be written as PKCS#8). */
export async function generatePkiKeyPair(): Promise<{ keys: PkiCryptoKeyPair; algorithm: PkiSigningAlgorithm }> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  return { keys, algorithm: P256_ALGORITHM };
}

/** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) of an extractable private key. */
export async function privateKeyToPem(key: PkiCryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

/**
 * Reads a PEM private key (PKCS#8, or the SEC1 `EC PRIVATE KEY` / PKCS#1 `RSA PRIVATE KEY` forms
 * other tools write) into a WebCrypto signing key. `path` only names the file in errors.
 */
export async function loadPkiSigningKey(pem: string, path: string): Promise<PkiSigningKey> {
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new PkiFileError(path, 'not a PEM private key', { cause: err });
  }
  const algorithm = signingAlgorithmOf(keyObject, path);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, algorithm.importParams, false, ['sign']);
  return { privateKey, algorithm, keyObject };
}

function signingAlgorithmOf(key: KeyObject, path: string): PkiSigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    return {
      importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      signingParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    };
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return P256_ALGORITHM;
    if (curve === 'secp384r1') {
      return { importParams: { name: 'ECDSA', namedCurve: 'P-384' }, signingParams: { name: 'ECDSA', hash: 'SHA-384' } };
    }
  }
  const what = key.asymmetricKeyType === 'ec' ? `EC curve ${String(key.asymmetricKeyDetails?.namedCurve)}` : String(key.asymmetricKeyType);
  throw new PkiFileError(path, `unsupported key type ${what} (want RSA, ECDSA P-256 or P-384)`);
}

/**
 * A random positive serial number as hex. The top bit is cleared so the DER INTEGER stays
 * positive without a padding byte, and the next one set so it keeps its full length.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(SERIAL_NUMBER_BYTES);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}
