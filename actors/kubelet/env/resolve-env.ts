// A container's environment as kubelet assembles it (makeEnvironmentVariables): envFrom sources
// first, then env entries in order, each able to refer to the ones before it.

import { QuantityParseError, type ConfigMap, type Container, type Pod, type Secret } from '../../../core/index.js';
import { containerResourceValue, podFieldValue, type DownwardNodeContext } from './downward-fields.js';
import { CreateContainerConfigError, UnsupportedFieldPathError } from './env-errors.js';
import { expandEnvReferences } from './expand-references.js';
import type { ObjectLookup } from './object-lookup.js';

/** What resolving needs from the node, plus where to report skipped envFrom keys. */
export interface ContainerEnvContext extends DownwardNodeContext {
  /**
   * Called with kubelet's `InvalidEnvironmentVariableNames` Event message when envFrom keys were
   * skipped for not being valid variable names.
   */
  readonly onInvalidEnvFromKeys?: (message: string) => void;
}

export interface ResolvedEnvVar {
  readonly name: string;
  readonly value: string;
}

const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** IsEnvVarName: letters, digits, `_`, `-`, `.`, not starting with a digit, and not `.`/`..`-prefixed. */
export function isValidEnvVarName(name: string): boolean {
  return ENV_VAR_NAME.test(name) && name !== '.' && !name.startsWith('..');
}

/** A Secret's values decoded from base64 (stringData, which the server folds into data, wins). */
export function decodedSecretData(secret: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(secret.data ?? {})) out[key] = Buffer.from(value, 'base64').toString('utf8');
  for (const [key, value] of Object.entries(secret.stringData ?? {})) out[key] = value;
  return out;
}

/** Memoizes lookups for one resolution, as kubelet reads each source once per container start. */
class SourceCache {
  private readonly configMaps = new Map<string, Promise<ConfigMap | undefined>>();
  private readonly secrets = new Map<string, Promise<Secret | undefined>>();
  constructor(private readonly lookup: ObjectLookup, private readonly namespace: string) {}

  configMap(name: string): Promise<ConfigMap | undefined> {
    let found = this.configMaps.get(name);
    if (found === undefined) {
      found = this.lookup.getConfigMap(this.namespace, name);
      this.configMaps.set(name, found);
    }
    return found;
  }

  secret(name: string): Promise<Secret | undefined> {
    let found = this.secrets.get(name);
    if (found === undefined) {
      found = this.lookup.getSecret(this.namespace, name);
      this.secrets.set(name, found);
    }
    return found;
  }
}

/**
 * The container's environment, resolved: envFrom (ConfigMaps and Secrets, with prefix; keys that
 * are not valid names skipped), then env in order (literal values with `$(VAR)` expansion against
 * the variables before them; fieldRef; resourceFieldRef; configMapKeyRef; secretKeyRef). A later
 * variable of the same name replaces an earlier one in place. Rejects with
 * CreateContainerConfigError when a source that is not optional is missing, or the lookup's own
 * error when the API cannot be read.
 */
export async function resolveContainerEnv(pod: Pod, container: Container, lookup: ObjectLookup, context: ContainerEnvContext): Promise<ResolvedEnvVar[]> {
  const namespace = pod.metadata?.namespace ?? '';
  const sources = new SourceCache(lookup, namespace);
  const vars = new Map<string, string>();
  const fail = (message: string): never => {
    throw new CreateContainerConfigError(container.name, message);
  };

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string>;
    let sourceName: string;
    let sourceKind: string;
    if (from.configMapRef !== undefined) {
      sourceName = from.configMapRef.name ?? '';
      sourceKind = 'configMap';
      const configMap = await sources.configMap(sourceName);
      if (configMap === undefined) {
        if (from.configMapRef.optional === true) continue;
        return fail(`configmap ${JSON.stringify(sourceName)} not found`);
      }
      data = configMap.data ?? {};
    } else if (from.secretRef !== undefined) {
      sourceName = from.secretRef.name ?? '';
      sourceKind = 'secret';
      const secret = await sources.secret(sourceName);
      if (secret === undefined) {
        if (from.secretRef.optional === true) continue;
        return fail(`secret ${JSON.stringify(sourceName)} not found`);
      }
      data = decodedSecretData(secret);
    } else {
      continue;
    }
    const invalidKeys: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      const name = prefix + key;
      if (!isValidEnvVarName(name)) {
        invalidKeys.push(name);
        continue;
      }
      vars.set(name, value);
    }
    if (invalidKeys.length > 0 && context.onInvalidEnvFromKeys !== undefined) {
      invalidKeys.sort();
      context.onInvalidEnvFromKeys(
        `Keys [${invalidKeys.join(', ')}] from the EnvFrom ${sourceKind} ${namespace}/${sourceName} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }

  for (const env of container.env ?? []) {
    let value: string | undefined = env.value ?? '';
    if (value !== '') {
      value = expandEnvReferences(value, (name) => vars.get(name));
    } else if (env.valueFrom !== undefined) {
      value = await resolveValueFrom(pod, container, env.valueFrom, sources, context, fail);
      // undefined: an optional source or key that is absent leaves the variable unset.
      if (value === undefined) continue;
    }
    vars.set(env.name, value);
  }
  return [...vars].map(([name, value]) => ({ name, value }));
}

async function resolveValueFrom(
  pod: Pod,
  container: Container,
  valueFrom: NonNullable<NonNullable<Container['env']>[number]['valueFrom']>,
  sources: SourceCache,
  context: ContainerEnvContext,
  fail: (message: string) => never,
): Promise<string | undefined> {
  const namespace = pod.metadata?.namespace ?? '';
  try {
    if (valueFrom.fieldRef !== undefined) return podFieldValue(pod, valueFrom.fieldRef.fieldPath, context);
    if (valueFrom.resourceFieldRef !== undefined) {
      const ref = valueFrom.resourceFieldRef;
      const target = ref.containerName !== undefined && ref.containerName !== '' ? findContainer(pod, ref.containerName) : container;
      if (target === undefined) return fail(`container ${ref.containerName ?? ''} not found in pod ${namespace}/${pod.metadata?.name ?? ''}`);
      return containerResourceValue(target, ref.resource, ref.divisor, context.nodeAllocatable);
    }
  } catch (error) {
    if (error instanceof UnsupportedFieldPathError || error instanceof QuantityParseError) return fail(error.message);
    throw error;
  }
  if (valueFrom.configMapKeyRef !== undefined) {
    const { name = '', key, optional = false } = valueFrom.configMapKeyRef;
    const configMap = await sources.configMap(name);
    if (configMap === undefined) return optional ? undefined : fail(`configmap ${JSON.stringify(name)} not found`);
    const value = configMap.data?.[key];
    if (value === undefined) return optional ? undefined : fail(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
    return value;
  }
  if (valueFrom.secretKeyRef !== undefined) {
    const { name = '', key, optional = false } = valueFrom.secretKeyRef;
    const secret = await sources.secret(name);
    if (secret === undefined) return optional ? undefined : fail(`secret ${JSON.stringify(name)} not found`);
    const value = decodedSecretData(secret)[key];
    if (value === undefined) return optional ? undefined : fail(`couldn't find key ${key} in Secret ${namespace}/${name}`);
    return value;
  }
  return '';
}

function findContainer(pod: Pod, name: string): Container | undefined {
  return [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
}
