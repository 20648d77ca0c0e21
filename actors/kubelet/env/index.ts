// Public surface of the kubelet's container environment: env/envFrom resolution, `$(VAR)`
// expansion, the downward API values, and how ConfigMaps and Secrets are read.
export { resolveContainerEnv, isValidEnvVarName, decodedSecretData } from './resolve-env.js';
export type { ContainerEnvContext, ResolvedEnvVar } from './resolve-env.js';
export { expandEnvReferences, envLookup } from './expand-references.js';
export { podFieldValue, podMetadataFieldValue, containerResourceValue, formatDownwardMap } from './downward-fields.js';
export type { DownwardNodeContext } from './downward-fields.js';
export { CreateContainerConfigError, UnsupportedFieldPathError } from './env-errors.js';
export { objectLookupFromClient } from './object-lookup.js';
export type { ObjectLookup } from './object-lookup.js';
