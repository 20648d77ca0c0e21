// The ServiceAccounts controller, as kube's: every active namespace has a `default`
// ServiceAccount, created when missing (and again if deleted). Terminating namespaces are left
// alone (their contents are being deleted by the namespace controller).

import type { Namespace, ResourceObject, ServiceAccount } from '../../../core/index.js';
import { isAlreadyExists, isBeingDeleted, isNotFound, metaNamespaceKeyOf } from '../../../core/index.js';
import type { ControllerContext, ControllerDefinition, ReconcileRequest, ReconcileResult, Reconciler } from '../framework/controller-contract.js';

export const SA_NAMESPACE_RESOURCE = { group: '', version: 'v1', resource: 'namespaces' } as const;
export const SERVICE_ACCOUNT_RESOURCE = { group: '', version: 'v1', resource: 'serviceaccounts' } as const;
/** The ServiceAccounts every namespace gets (kube's --service-accounts-to-ensure default). */
export const SERVICE_ACCOUNTS_TO_ENSURE: readonly string[] = ['default'];

export function namespaceForServiceAccount(object: ResourceObject): readonly ReconcileRequest[] {
  const name = object.metadata?.name ?? '';
  return SERVICE_ACCOUNTS_TO_ENSURE.includes(name) ? [{ namespace: '', name: object.metadata?.namespace ?? '' }] : [];
}

export function makeServiceAccountReconciler(context: ControllerContext): Reconciler {
  const { client } = context;
  const namespaces = context.informers.informerFor<Namespace>(SA_NAMESPACE_RESOURCE).cache;
  const accounts = context.informers.informerFor<ServiceAccount>(SERVICE_ACCOUNT_RESOURCE).cache;
  return {
    async reconcile(request: ReconcileRequest): Promise<ReconcileResult> {
      const namespace = namespaces.get(request.name);
      if (namespace === undefined || isBeingDeleted(namespace) || (namespace.status?.phase ?? 'Active') !== 'Active') return {};
      for (const name of SERVICE_ACCOUNTS_TO_ENSURE) {
        if (accounts.get(metaNamespaceKeyOf(request.name, name)) !== undefined) continue;
        try {
          await client.create<ServiceAccount>(SERVICE_ACCOUNT_RESOURCE, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: request.name } });
        } catch (err) {
          // Exists (the cache lagged) is done; NotFound/Forbidden means the namespace is going.
          if (!isAlreadyExists(err) && !isNotFound(err)) throw err;
        }
      }
      return {};
    },
  };
}

export const serviceAccountController: ControllerDefinition = {
  name: 'serviceaccount',
  primary: SA_NAMESPACE_RESOURCE,
  watches: [{ resource: SERVICE_ACCOUNT_RESOURCE, mapToRequests: namespaceForServiceAccount }],
  makeReconciler: makeServiceAccountReconciler,
};
