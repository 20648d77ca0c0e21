/**
 * Everything `flotilla up` needs for HTTPS and authentication, in one call: the PKI directory,
 * the tokens file with an admin token, and the admin kubeconfig.
 */
import type { EnsureClusterPkiResult } from './files.js';
import { clusterPkiDir, ensureClusterPki } from './files.js';
import { kubeconfigPath, writeAdminKubeconfig } from './kubeconfig.js';
import type { ParsedTokenFile } from './tokens.js';
import { ensureAdminToken, tokenFilePath } from './tokens.js';

export interface EnsureClusterAccessOptions {
  /** `https://127.0.0.1:<port>` of the first master; kubectl takes one server. */
  readonly serverUrl: string;
  /** Extra host names and IPs for the serving certificate. */
  readonly hosts?: readonly string[];
  readonly now?: Date;
}

export interface ClusterAccess {
  readonly pki: EnsureClusterPkiResult;
  readonly tokenFilePath: string;
  readonly tokens: ParsedTokenFile;
  readonly adminToken: string;
  readonly kubeconfigPath: string;
}

/**
 * Ensures `<dataDir>/pki/` (see ensureClusterPki), `<dataDir>/pki/tokens.csv` with an admin token
 * (kept if present), and (re)writes `<dataDir>/kubeconfig` for the given server.
 */
export async function ensureClusterAccess(dataDir: string, options: EnsureClusterAccessOptions): Promise<ClusterAccess> {
  const pkiDir = clusterPkiDir(dataDir);
  const pki = await ensureClusterPki(pkiDir, {
    ...(options.hosts !== undefined ? { hosts: options.hosts } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  const tokensPath = tokenFilePath(pkiDir);
  const { adminToken, tokens } = await ensureAdminToken(tokensPath);
  const path = kubeconfigPath(dataDir);
  await writeAdminKubeconfig(path, { serverUrl: options.serverUrl, caCertPem: pki.caCertPem, token: adminToken });
  return { pki, tokenFilePath: tokensPath, tokens, adminToken, kubeconfigPath: path };
}
