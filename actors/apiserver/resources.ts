import { API_RESOURCES, resourceApiVersion } from '../../core/index.js';
import type { ApiResourceType } from '../../core/index.js';

/**
 * The resources this API server serves, looked up the ways requests name them: by
 * group/version/resource from a URL, by apiVersion/kind from a body.
 */
export class ResourceTable {
  private readonly byPath = new Map<string, ApiResourceType>();
  private readonly byKind = new Map<string, ApiResourceType>();

  constructor(readonly all: readonly ApiResourceType[] = API_RESOURCES) {
    for (const r of all) {
      this.byPath.set(`${r.group}/${r.version}/${r.resource}`, r);
      this.byKind.set(`${resourceApiVersion(r)}/${r.kind}`, r);
    }
  }

  lookup(group: string, version: string, resource: string): ApiResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${resource}`);
  }

  byApiVersionKind(apiVersion: string, kind: string): ApiResourceType | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }

  /** Whether any resource is served under this group (and version). */
  servesGroupVersion(group: string, version?: string): boolean {
    return this.all.some((r) => r.group === group && (version === undefined || r.version === version));
  }
}
