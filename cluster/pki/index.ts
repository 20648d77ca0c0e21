// Public surface of cluster/pki/: the cluster CA, serving and client certificates, the static
// tokens file, and the admin kubeconfig. Re-exported by cluster/index.ts.
export { PkiFileError, PkiHostError, TokenFileError } from './errors.js';
export type { PkiSigningKey, PkiSigningAlgorithm } from './keys.js';
export { createClusterCa, loadClusterCa, parseCertificatePem, CLUSTER_CA_COMMON_NAME, CLUSTER_CA_VALIDITY_DAYS, CERTIFICATE_BACKDATE_MS } from './ca.js';
export type { PemKeyPair, ClusterCaSigner, ClusterCaSource, CreateClusterCaOptions } from './ca.js';
export {
  issueServingCertificate,
  servingCertificateSans,
  canonicalIpAddress,
  API_SERVER_COMMON_NAME,
  SERVING_CERTIFICATE_VALIDITY_DAYS,
  DEFAULT_SERVING_DNS_NAMES,
  DEFAULT_SERVING_IP_ADDRESSES,
} from './serving.js';
export type { ServingCertificateSans, IssueServingCertificateOptions } from './serving.js';
export { issueClientCertificate, CLIENT_CERTIFICATE_VALIDITY_DAYS } from './client.js';
export type { IssueClientCertificateOptions } from './client.js';
export { ensureClusterPki, loadClusterPki, clusterPkiDir, clusterPkiPaths, SERVING_CERTIFICATE_RENEW_BEFORE_DAYS } from './files.js';
export type { ClusterPki, ClusterPkiPaths, EnsureClusterPkiOptions, EnsureClusterPkiResult, ServingCertificateIssueReason } from './files.js';
export {
  parseTokenFile,
  renderTokenFile,
  generateStaticToken,
  authenticateToken,
  bearerTokenFromHeader,
  loadTokenFile,
  ensureAdminToken,
  tokenFilePath,
  ADMIN_TOKEN_USER,
  GENERATED_TOKEN_BYTES,
} from './tokens.js';
export type { StaticToken, StaticTokenUser, ParsedTokenFile, TokenFileWarning, EnsureAdminTokenResult } from './tokens.js';
export { renderAdminKubeconfig, writeAdminKubeconfig, kubeconfigPath, apiServerUrl, KUBECONFIG_CLUSTER_NAME, KUBECONFIG_CONTEXT_NAME, KUBECONFIG_USER_NAME } from './kubeconfig.js';
export type { AdminKubeconfigOptions } from './kubeconfig.js';
export { ensureClusterAccess } from './cluster-access.js';
export type { ClusterAccess, EnsureClusterAccessOptions } from './cluster-access.js';
export { MAX_PKI_FILE_BYTES } from './atomic-file.js';
