import { ApiForbiddenError, ApiUnauthorizedError } from '../../core/index.js';
import type { KubeRequestInfo } from '../../transport/index.js';

/** Who made a request, as kube-apiserver's user.Info. */
export interface UserInfo {
  readonly name: string;
  readonly uid: string;
  readonly groups: readonly string[];
}

/** Finds the user behind a request's credentials; undefined when there are none it accepts. */
export interface Authenticator {
  authenticate(headers: { readonly authorization?: string | undefined }): UserInfo | undefined;
}

/** Decides whether a user may make a request. One step of the chain; RBAC will be another. */
export interface Authorizer {
  /** Throws ApiForbiddenError to refuse. */
  authorize(user: UserInfo, info: KubeRequestInfo): void;
}

/** Paths anyone may read, as kube's system:public-info-viewer role allows. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

/**
 * Authentication then authorization, in that order. A request without accepted credentials is
 * anonymous: it may read the public paths and nothing else (401), as kube with anonymous auth
 * and the default roles.
 */
export function authenticateAndAuthorize(authn: Authenticator, authz: Authorizer, headers: { readonly authorization?: string | undefined }, info: KubeRequestInfo): UserInfo {
  const user = authn.authenticate(headers);
  if (user === undefined) {
    if (!info.isResourceRequest && info.verb === 'get' && (PUBLIC_PATHS.has(info.path) || info.path.startsWith('/healthz/') || info.path.startsWith('/livez/') || info.path.startsWith('/readyz/'))) return ANONYMOUS;
    throw new ApiUnauthorizedError('Unauthorized');
  }
  authz.authorize(user, info);
  return user;
}

/** Every authenticated user may do everything (until RBAC). */
export const ALLOW_AUTHENTICATED: Authorizer = {
  authorize(user: UserInfo): void {
    if (user.groups.includes('system:unauthenticated')) throw new ApiForbiddenError({ group: '', resource: '' }, '', 'anonymous access is not allowed');
  },
};

/** For a server run without authentication (tests, `--insecure` local use): everyone is admin. */
export const NO_AUTHENTICATION: Authenticator = {
  authenticate: () => ({ name: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] }),
};
