/**
 * The admin kubeconfig `flotilla up` writes to `<dataDir>/kubeconfig`: one cluster `flotilla`
 * trusting the cluster CA (embedded), one user `admin` with a bearer token, one context `flotilla`
 * (namespace default), current. kubectl takes a single server URL per cluster, so the launcher
 * passes the first master's; the other masters serve the same API with the same certificate.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SECRET_FILE_MODE, writePkiFileAtomic } from './atomic-file.js';

export const KUBECONFIG_CLUSTER_NAME = 'flotilla';
export const KUBECONFIG_CONTEXT_NAME = 'flotilla';
export const KUBECONFIG_USER_NAME = 'admin';

export interface AdminKubeconfigOptions {
  /** `https://host:port` of one API server. */
  readonly serverUrl: string;
  readonly caCertPem: string;
  readonly token: string;
  readonly namespace?: string;
}

/** `<dataDir>/kubeconfig`. */
export function kubeconfigPath(dataDir: string): string {
  return join(dataDir, 'kubeconfig');
}

/** `https://127.0.0.1:6443`, with brackets for an IPv6 host. */
export function apiServerUrl(host: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`not a TCP port: ${port}`);
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `https://${h}:${port}`;
}

/**
 * The kubeconfig YAML. Keys are in the order `kubectl config view` prints them. Throws RangeError
 * for a server URL that is not https (kubectl would send the token in the clear).
 */
export function renderAdminKubeconfig(options: AdminKubeconfigOptions): string {
  let url: URL;
  try {
    url = new URL(options.serverUrl);
  } catch {
    throw new RangeError(`not a URL: ${options.serverUrl}`);
  }
  if (url.protocol !== 'https:') throw new RangeError(`the API server URL must be https: ${options.serverUrl}`);
  const config = {
    apiVersion: 'v1',
    clusters: [
      {
        cluster: {
          'certificate-authority-data': Buffer.from(options.caCertPem, 'utf8').toString('base64'),
          server: options.serverUrl,
        },
        name: KUBECONFIG_CLUSTER_NAME,
      },
    ],
    contexts: [
      {
        context: { cluster: KUBECONFIG_CLUSTER_NAME, namespace: options.namespace ?? 'default', user: KUBECONFIG_USER_NAME },
        name: KUBECONFIG_CONTEXT_NAME,
      },
    ],
    'current-context': KUBECONFIG_CONTEXT_NAME,
    kind: 'Config',
    preferences: {},
    users: [{ name: KUBECONFIG_USER_NAME, user: { token: options.token } }],
  };
  return stringify(config, { lineWidth: 0 });
}

/** Writes the kubeconfig atomically with mode 0600 (it holds the admin token). */
export async function writeAdminKubeconfig(path: string, options: AdminKubeconfigOptions): Promise<void> {
  await writePkiFileAtomic(path, renderAdminKubeconfig(options), SECRET_FILE_MODE);
}
