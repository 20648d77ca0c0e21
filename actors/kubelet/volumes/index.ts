// Public surface of the kubelet's pod volumes: setting them up and refreshing them atomically,
// tearing them down, and turning volumeMounts into runtime mounts.
export { PodVolumeManager } from './pod-volume-manager.js';
export type { PodVolumeManagerOptions } from './pod-volume-manager.js';
export { VolumeSetupError } from './volume-errors.js';
export { writeVolumePayload, cleanPayloadPath, InvalidPayloadPathError } from './atomic-writer.js';
export type { FileProjection, VolumePayload } from './atomic-writer.js';
export { prepareHostPath, HostPathTypeError } from './host-path.js';
export { DEFAULT_VOLUME_FILE_MODE, PayloadError } from './volume-payloads.js';
export type { ObjectLookup } from '../env/index.js';
