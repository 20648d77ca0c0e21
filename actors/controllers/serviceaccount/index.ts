// Public surface of the ServiceAccounts controller (a `default` ServiceAccount per namespace).
export {
  makeServiceAccountReconciler,
  namespaceForServiceAccount,
  SA_NAMESPACE_RESOURCE,
  SERVICE_ACCOUNT_RESOURCE,
  SERVICE_ACCOUNTS_TO_ENSURE,
  serviceAccountController,
} from './serviceaccount-controller.js';
