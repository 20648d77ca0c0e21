// The Kubernetes API server: registry, admission, authentication, and its actor.
export { ApiServer, SYSTEM_NAMESPACES } from './api-server.js';
export type { ApiServerOptions } from './api-server.js';
export { KUBERNETES_VERSION } from './api-handler.js';
export type { Authenticator, Authorizer, UserInfo } from './auth.js';
export { ALLOW_AUTHENTICATED, NO_AUTHENTICATION } from './auth.js';
export type { AdmissionAttributes, AdmissionPlugin } from './admission.js';
export { namespaceController, NAMESPACE_SYNC_INTERVAL_MS } from './namespace-controller.js';
export { ApiServerResourceClient } from './resource-client.js';
export { DEFAULT_COMPACTION_INTERVAL_MS, storeCompactor } from './compactor.js';
export * from './watch-cache/index.js';
export * from './pod-kubelet-index.js';
