import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ApiBenchTarget } from './api-client.js';

/** Thrown when a kubeconfig cannot be read or lacks what `bench api` needs (its current context's server). */
export class KubeconfigTargetError extends Error {
  override readonly name = 'KubeconfigTargetError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`kubeconfig ${path}: ${problem}`);
  }
}

interface NamedEntry<T> {
  readonly name?: string;
  readonly cluster?: T;
  readonly user?: T;
  readonly context?: T;
}

interface KubeconfigCluster {
  readonly server?: string;
  readonly 'certificate-authority-data'?: string;
  readonly 'certificate-authority'?: string;
  readonly 'insecure-skip-tls-verify'?: boolean;
}

interface KubeconfigUser {
  readonly token?: string;
  readonly tokenFile?: string;
  readonly 'client-certificate-data'?: string;
  readonly 'client-key-data'?: string;
  readonly 'client-certificate'?: string;
  readonly 'client-key'?: string;
}

interface KubeconfigContext {
  readonly cluster?: string;
  readonly user?: string;
}

interface Kubeconfig {
  readonly 'current-context'?: string;
  readonly clusters?: readonly NamedEntry<KubeconfigCluster>[];
  readonly users?: readonly NamedEntry<KubeconfigUser>[];
  readonly contexts?: readonly NamedEntry<KubeconfigContext>[];
}

/**
 * The server, CA and credential of a kubeconfig's current context, as kubectl would use them:
 * inline `*-data` fields (base64) or files relative to the kubeconfig's directory; a bearer
 * token or a client certificate. Exec and auth-provider plugins are not supported.
 */
export function loadKubeconfigTarget(path: string): ApiBenchTarget {
  let config: Kubeconfig;
  try {
    config = (parseYaml(readFileSync(path, 'utf8')) ?? {}) as Kubeconfig;
  } catch (err) {
    throw new KubeconfigTargetError(path, err instanceof Error ? err.message : String(err));
  }
  const contextName = config['current-context'];
  if (contextName === undefined || contextName === '') throw new KubeconfigTargetError(path, 'no current-context');
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new KubeconfigTargetError(path, `no context named ${contextName}`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigTargetError(path, `no server for cluster ${context.cluster ?? '(none)'}`);
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  const base = dirname(path);
  const file = (p: string): string => {
    try {
      return readFileSync(isAbsolute(p) ? p : join(base, p), 'utf8');
    } catch (err) {
      throw new KubeconfigTargetError(path, `cannot read ${p}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const data = (inline: string | undefined, filePath: string | undefined): string | undefined =>
    inline !== undefined ? Buffer.from(inline, 'base64').toString('utf8') : filePath !== undefined ? file(filePath) : undefined;

  const caPem = data(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const token = user.token ?? (user.tokenFile !== undefined ? file(user.tokenFile).trim() : undefined);
  const clientCertPem = data(user['client-certificate-data'], user['client-certificate']);
  const clientKeyPem = data(user['client-key-data'], user['client-key']);
  return {
    servers: [cluster.server],
    ...(caPem !== undefined ? { caPem } : {}),
    ...(token !== undefined ? { token } : {}),
    ...(clientCertPem !== undefined ? { clientCertPem } : {}),
    ...(clientKeyPem !== undefined ? { clientKeyPem } : {}),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTlsVerify: true } : {}),
  };
}
