// Pod volume validation (ValidateVolumes): names, exactly one source, and the common sources'
// required fields.
import { childPath, fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, indexPath, type ApiFieldError } from '../field-errors.js';
import { isJsonObject } from '../json.js';
import type { KeyToPath, Volume } from '../types/pod.js';
import { validateDns1123LabelField } from './container.js';
import { isConfigMapKey } from './names.js';

const FILE_MODE_MESSAGE = 'must be a number between 0 and 0777 (octal), both inclusive';
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateMode(mode: number | undefined, path: string): ApiFieldError[] {
  return mode != null && (mode > 0o777 || mode < 0) ? [fieldInvalid(path, mode, FILE_MODE_MESSAGE)] : [];
}

function validateLocalPath(target: string, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  if (target.startsWith('/')) errors.push(fieldInvalid(path, target, 'must be a relative path'));
  if (target.split('/').includes('..')) errors.push(fieldInvalid(path, target, "must not contain '..'"));
  if (target.startsWith('..')) errors.push(fieldInvalid(path, target, "must not start with '..'"));
  return errors;
}

function validateKeyToPaths(items: readonly KeyToPath[] | undefined, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  (items ?? []).forEach((item, index) => {
    const itemPath = indexPath(path, index);
    if ((item.key ?? '') === '') {
      errors.push(fieldRequired(childPath(itemPath, 'key')));
    } else {
      for (const message of isConfigMapKey(item.key)) errors.push(fieldInvalid(childPath(itemPath, 'key'), item.key, message));
    }
    if ((item.path ?? '') === '') {
      errors.push(fieldRequired(childPath(itemPath, 'path')));
    } else {
      errors.push(...validateLocalPath(item.path, childPath(itemPath, 'path')));
    }
    errors.push(...validateMode(item.mode, childPath(itemPath, 'mode')));
  });
  return errors;
}

/** Which volume source keys are set on a volume (every key but `name` with a non-null value). */
function volumeSources(volume: Volume): string[] {
  return Object.keys(volume).filter((key) => key !== 'name' && volume[key] !== null && volume[key] !== undefined);
}

function validateVolumeSource(volume: Volume, path: string): ApiFieldError[] {
  const errors: ApiFieldError[] = [];
  const sources = volumeSources(volume);
  if (sources.length === 0) return [fieldRequired(path, 'must specify a volume type')];
  sources.slice(1).forEach((extra) => errors.push(fieldForbidden(childPath(path, extra), 'may not specify more than 1 volume type')));
  const source = sources[0] ?? '';
  const sourcePath = childPath(path, source);
  switch (source) {
    case 'hostPath': {
      const hostPath = volume.hostPath ?? { path: '' };
      if ((hostPath.path ?? '') === '') errors.push(fieldRequired(childPath(sourcePath, 'path')));
      if (hostPath.type != null && !HOST_PATH_TYPES.includes(hostPath.type)) {
        errors.push(fieldNotSupported(childPath(sourcePath, 'type'), hostPath.type, HOST_PATH_TYPES));
      }
      break;
    }
    case 'emptyDir': {
      const medium = volume.emptyDir?.medium ?? '';
      if (!['', 'Memory', 'HugePages'].includes(medium) && !medium.startsWith('HugePages-')) {
        errors.push(fieldNotSupported(childPath(sourcePath, 'medium'), medium, ['', 'HugePages', 'Memory']));
      }
      break;
    }
    case 'secret':
      if ((volume.secret?.secretName ?? '') === '') errors.push(fieldRequired(childPath(sourcePath, 'secretName')));
      errors.push(...validateMode(volume.secret?.defaultMode, childPath(sourcePath, 'defaultMode')));
      errors.push(...validateKeyToPaths(volume.secret?.items, childPath(sourcePath, 'items')));
      break;
    case 'configMap':
      if ((volume.configMap?.name ?? '') === '') errors.push(fieldRequired(childPath(sourcePath, 'name')));
      errors.push(...validateMode(volume.configMap?.defaultMode, childPath(sourcePath, 'defaultMode')));
      errors.push(...validateKeyToPaths(volume.configMap?.items, childPath(sourcePath, 'items')));
      break;
    case 'persistentVolumeClaim':
      if ((volume.persistentVolumeClaim?.claimName ?? '') === '') errors.push(fieldRequired(childPath(sourcePath, 'claimName')));
      break;
    case 'nfs': {
      const nfs = volume.nfs;
      if ((nfs?.server ?? '') === '') errors.push(fieldRequired(childPath(sourcePath, 'server')));
      if ((nfs?.path ?? '') === '') {
        errors.push(fieldRequired(childPath(sourcePath, 'path')));
      } else if (!(nfs?.path ?? '').startsWith('/')) {
        errors.push(fieldInvalid(childPath(sourcePath, 'path'), nfs?.path, 'must be an absolute path'));
      }
      break;
    }
    case 'downwardAPI':
      errors.push(...validateMode(volume.downwardAPI?.defaultMode, childPath(sourcePath, 'defaultMode')));
      (volume.downwardAPI?.items ?? []).forEach((item, index) => {
        const itemPath = indexPath(childPath(sourcePath, 'items'), index);
        if ((item.path ?? '') === '') errors.push(fieldRequired(childPath(itemPath, 'path')));
        else errors.push(...validateLocalPath(item.path, childPath(itemPath, 'path')));
        errors.push(...validateMode(item.mode, childPath(itemPath, 'mode')));
      });
      break;
    case 'projected':
      errors.push(...validateMode(volume.projected?.defaultMode, childPath(sourcePath, 'defaultMode')));
      break;
    case 'csi':
      if (!isJsonObject(volume.csi) || (typeof volume.csi.driver === 'string' ? volume.csi.driver : '') === '') {
        errors.push(fieldRequired(childPath(sourcePath, 'driver')));
      }
      break;
    default:
      break;
  }
  return errors;
}

/** Validates the volumes and returns the errors and the names of the valid ones (for volumeMounts). */
export function validateVolumes(volumes: readonly Volume[] | undefined, path: string): { errors: ApiFieldError[]; names: Set<string> } {
  const errors: ApiFieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((volume, index) => {
    const volumePath = indexPath(path, index);
    const namePath = childPath(volumePath, 'name');
    const volumeErrors = validateVolumeSource(volume, volumePath);
    const name = volume.name ?? '';
    if (name === '') volumeErrors.push(fieldRequired(namePath));
    else volumeErrors.push(...validateDns1123LabelField(name, namePath));
    if (names.has(name)) volumeErrors.push(fieldDuplicate(namePath, name));
    if (volumeErrors.length === 0) names.add(name);
    errors.push(...volumeErrors);
  });
  return { errors, names };
}
