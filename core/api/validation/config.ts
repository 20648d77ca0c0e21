// ConfigMap and Secret validation: keys, total size, immutability, and typed Secrets' required keys.
import { fieldForbidden, fieldInvalid, fieldRequired, fieldTooLong, keyPath, type ApiFieldError } from '../field-errors.js';
import { jsonEqual } from '../json.js';
import type { ConfigMap, Secret } from '../types/core.js';
import { isConfigMapKey, nameIsDnsSubdomain, utf8ByteLength } from './names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

/** Largest total payload of a ConfigMap or Secret: 1 MiB. */
export const MAX_CONFIG_PAYLOAD_BYTES = 1024 * 1024;
const IMMUTABLE_WHEN_SET = 'field is immutable when `immutable` is set';

/** Bytes a base64 string decodes to. */
function base64DecodedLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}

function validateKeys(map: Record<string, string> | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  for (const key of Object.keys(map ?? {})) {
    for (const message of isConfigMapKey(key)) errors.push(fieldInvalid(keyPath(path, key), key, message));
  }
  return errors;
}

function validateConfigMapContent(configMap: ConfigMap): ApiFieldError[] {
  const errors = validateKeys(configMap.data, 'data');
  let total = 0;
  for (const [key, value] of Object.entries(configMap.data ?? {})) {
    if (configMap.binaryData?.[key] !== undefined) errors.push(fieldInvalid(keyPath('data', key), key, 'duplicate of key present in binaryData'));
    total += utf8ByteLength(String(value));
  }
  errors.push(...validateKeys(configMap.binaryData, 'binaryData'));
  for (const value of Object.values(configMap.binaryData ?? {})) total += base64DecodedLength(String(value));
  if (total > MAX_CONFIG_PAYLOAD_BYTES) errors.push(fieldTooLong('', MAX_CONFIG_PAYLOAD_BYTES));
  return errors;
}

export function validateConfigMap(configMap: ConfigMap): ApiFieldError[] {
  return [...validateObjectMeta(configMap.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateConfigMapContent(configMap)];
}

export function validateConfigMapUpdate(next: ConfigMap, prev: ConfigMap): ApiFieldError[] {
  const errors = validateObjectMetaUpdate(next.metadata, prev.metadata);
  if (prev.immutable === true) {
    if (next.immutable !== true) errors.push(fieldForbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!jsonEqual(next.data, prev.data)) errors.push(fieldForbidden('data', IMMUTABLE_WHEN_SET));
    if (!jsonEqual(next.binaryData, prev.binaryData)) errors.push(fieldForbidden('binaryData', IMMUTABLE_WHEN_SET));
  }
  errors.push(...validateConfigMap(next));
  return errors;
}

/** Keys a typed Secret must carry, by type. */
const REQUIRED_SECRET_KEYS: Readonly<Record<string, readonly string[]>> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function base64ToText(value: string): string | undefined {
  try {
    const binary = atob(value);
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function validateSecretContent(secret: Secret): ApiFieldError[] {
  const data = secret.data ?? {};
  const errors = validateKeys(data, 'data');
  let total = 0;
  for (const value of Object.values(data)) total += base64DecodedLength(String(value));
  if (total > MAX_CONFIG_PAYLOAD_BYTES) errors.push(fieldTooLong('data', MAX_CONFIG_PAYLOAD_BYTES));
  const type = secret.type ?? '';
  if (type === 'kubernetes.io/service-account-token') {
    const key = 'kubernetes.io/service-account.name';
    if ((secret.metadata?.annotations?.[key] ?? '') === '') errors.push(fieldRequired(keyPath('metadata.annotations', key)));
  } else if (type === 'kubernetes.io/basic-auth') {
    if (data.username === undefined && data.password === undefined) {
      errors.push(fieldRequired(keyPath('data', 'username')), fieldRequired(keyPath('data', 'password')));
    }
  } else {
    for (const key of REQUIRED_SECRET_KEYS[type] ?? []) {
      const value = data[key];
      if (value === undefined || (type === 'kubernetes.io/ssh-auth' && value === '')) {
        errors.push(fieldRequired(keyPath('data', key)));
        if (type === 'kubernetes.io/dockercfg' || type === 'kubernetes.io/dockerconfigjson' || type === 'kubernetes.io/ssh-auth') break;
      } else if (type === 'kubernetes.io/dockercfg' || type === 'kubernetes.io/dockerconfigjson') {
        const text = base64ToText(value);
        let parsed: unknown;
        try {
          parsed = text === undefined ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (parsed === undefined || typeof parsed !== 'object' || parsed === null) {
          errors.push(fieldInvalid(keyPath('data', key), '<secret contents redacted>', 'invalid character in JSON'));
        }
      }
    }
  }
  return errors;
}

export function validateSecret(secret: Secret): ApiFieldError[] {
  return [...validateObjectMeta(secret.metadata, { namespaced: true, nameValidator: nameIsDnsSubdomain }), ...validateSecretContent(secret)];
}

export function validateSecretUpdate(next: Secret, prev: Secret): ApiFieldError[] {
  const errors = validateObjectMetaUpdate(next.metadata, prev.metadata);
  errors.push(...validateImmutableField(next.type ?? '', prev.type ?? '', 'type'));
  if (prev.immutable === true) {
    if (next.immutable !== true) errors.push(fieldForbidden('immutable', IMMUTABLE_WHEN_SET));
    if (!jsonEqual(next.data, prev.data)) errors.push(fieldForbidden('data', IMMUTABLE_WHEN_SET));
  }
  errors.push(...validateSecret(next));
  return errors;
}
