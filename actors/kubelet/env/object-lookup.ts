// How the kubelet's volume and environment code reads the ConfigMaps and Secrets a pod refers to.

import { isNotFound, type ConfigMap, type ResourceClient, type Secret } from '../../../core/index.js';

/**
 * Reads ConfigMaps and Secrets by namespace and name. Resolves undefined for NotFound; rejects
 * for any other failure (the caller retries the pod's setup later).
 */
export interface ObjectLookup {
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  getSecret(namespace: string, name: string): Promise<Secret | undefined>;
}

const CONFIG_MAPS = { group: '', version: 'v1', resource: 'configmaps' } as const;
const SECRETS = { group: '', version: 'v1', resource: 'secrets' } as const;

async function getOrUndefined<T extends ConfigMap | Secret>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** An ObjectLookup reading straight from the API (one GET per call; no cache). */
export function objectLookupFromClient(client: ResourceClient): ObjectLookup {
  return {
    getConfigMap: (namespace, name) => getOrUndefined(() => client.get<ConfigMap>({ ...CONFIG_MAPS, namespace, name })),
    getSecret: (namespace, name) => getOrUndefined(() => client.get<Secret>({ ...SECRETS, namespace, name })),
  };
}
