/**
 * Thrown when a PKI file (certificate, key, tokens file, kubeconfig) cannot be read, does not hold
 * what it should (corrupt or missing PEM, a key that does not fit its certificate), or is in a state
 * we refuse to repair (a CA key without its certificate: we never create a second CA over it).
 * `path` names the file; `reason` says what is wrong with it.
 */
export class PkiFileError extends Error {
  override readonly name = 'PkiFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${reason}`, options);
  }
}

/**
 * Thrown when a host asked to be in the serving certificate is neither an IP address nor a valid
 * DNS name (RFC 1123 labels, optionally a leading `*.` wildcard label).
 */
export class PkiHostError extends Error {
  override readonly name = 'PkiHostError';
  constructor(readonly host: string) {
    super(`not an IP address or DNS name: ${JSON.stringify(host)}`);
  }
}

/**
 * Thrown when a static tokens file (kube-apiserver `--token-auth-file` CSV) cannot be parsed:
 * malformed CSV quoting, or a record with fewer than 3 columns. `line` is 1-based.
 */
export class TokenFileError extends Error {
  override readonly name = 'TokenFileError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
  }
}
