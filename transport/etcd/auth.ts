/**
 * Auth service, answering as etcd 3.4 does while authentication is disabled and no user or role
 * exists: Authenticate is refused with "authentication is not enabled" (clients that were given
 * credentials then carry on without a token), AuthEnable with "root user does not exist", lookups
 * find nothing, lists are empty. Creating users and roles is not offered: Flotilla's store has no
 * auth store to keep them in.
 */
import type * as grpc from '@grpc/grpc-js';
import type { ResponseHeader } from '../../raft/index.js';
import { StoreError } from '../../raft/index.js';
import type { HandlerContext } from './call.js';
import { unary } from './call.js';
import { UnsupportedError } from './errors.js';

/** Authenticate while authentication is disabled. */
export class AuthNotEnabledError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: authentication is not enabled');
  }
}
/** AuthEnable without a root user. */
export class RootUserNotExistError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: root user does not exist');
  }
}
/** A user operation naming a user that does not exist. */
export class UserNotFoundError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: user name not found');
  }
}
/** A role operation naming a role that does not exist. */
export class RoleNotFoundError extends StoreError {
  constructor() {
    super('FailedPrecondition', 'etcdserver: role name not found');
  }
}

export function authService(ctx: HandlerContext): grpc.UntypedServiceImplementation {
  const header = async (): Promise<{ header: ResponseHeader }> => ({ header: (await ctx.api.status()).header });
  const refuse = (method: string, err: () => Error): grpc.handleUnaryCall<object, object> =>
    unary(ctx, `Auth.${method}`, () => Promise.reject(err()));
  const unsupported = (): UnsupportedError => new UnsupportedError('etcdserver: users and roles are not supported by this server');
  return {
    AuthEnable: refuse('AuthEnable', () => new RootUserNotExistError()),
    AuthDisable: unary(ctx, 'Auth.AuthDisable', header),
    AuthStatus: unary(ctx, 'Auth.AuthStatus', async () => ({ ...(await header()), enabled: false, authRevision: 0 })),
    Authenticate: refuse('Authenticate', () => new AuthNotEnabledError()),
    UserAdd: refuse('UserAdd', unsupported),
    UserGet: refuse('UserGet', () => new UserNotFoundError()),
    UserList: unary(ctx, 'Auth.UserList', async () => ({ ...(await header()), users: [] })),
    UserDelete: refuse('UserDelete', () => new UserNotFoundError()),
    UserChangePassword: refuse('UserChangePassword', () => new UserNotFoundError()),
    UserGrantRole: refuse('UserGrantRole', () => new UserNotFoundError()),
    UserRevokeRole: refuse('UserRevokeRole', () => new UserNotFoundError()),
    RoleAdd: refuse('RoleAdd', unsupported),
    RoleGet: refuse('RoleGet', () => new RoleNotFoundError()),
    RoleList: unary(ctx, 'Auth.RoleList', async () => ({ ...(await header()), roles: [] })),
    RoleDelete: refuse('RoleDelete', () => new RoleNotFoundError()),
    RoleGrantPermission: refuse('RoleGrantPermission', () => new RoleNotFoundError()),
    RoleRevokePermission: refuse('RoleRevokePermission', () => new RoleNotFoundError()),
  };
}
