/**
 * Which Table version an Accept header asks for: kubectl sends
 * `application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json`
 * on `get`, and the first acceptable range wins. Undefined means "send the object or list".
 */
export function acceptedTableVersion(accept: string): 'v1' | 'v1beta1' | undefined {
  for (const range of accept.split(',')) {
    const params = range.split(';').map((p) => p.trim().toLowerCase());
    if (params[0] !== 'application/json' || !params.includes('as=table') || !params.includes('g=meta.k8s.io')) continue;
    if (params.includes('v=v1')) return 'v1';
    if (params.includes('v=v1beta1')) return 'v1beta1';
  }
  return undefined;
}
