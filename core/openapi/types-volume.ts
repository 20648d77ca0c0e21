import { atomicList, CORE_V1, FREEFORM, LABEL_SELECTOR, mapOf, OBJECT_META, QUANTITY, ref, type OpenApiTypeRegistry } from './schema-dsl.js';

const c = (name: string): string => `${CORE_V1}${name}`;

/**
 * Volume sources kube still serves but Flotilla does not model (cloud disks, legacy network
 * filesystems). They are accepted as given; strategic merge below them falls back to replace.
 */
const UNMODELLED_VOLUME_SOURCES = [
  'awsElasticBlockStore', 'azureDisk', 'azureFile', 'cephfs', 'cinder', 'fc', 'flexVolume', 'flocker',
  'gcePersistentDisk', 'gitRepo', 'glusterfs', 'iscsi', 'photonPersistentDisk', 'portworxVolume',
  'quobyte', 'rbd', 'scaleIO', 'storageos', 'vsphereVolume',
] as const;

/** core/v1 Volume, its modelled sources, and the PersistentVolumeClaim templates use. */
export const VOLUME_OPENAPI_TYPES: OpenApiTypeRegistry = {
  [c('Volume')]: {
    description: 'A named volume in a pod that any container in the pod may mount.',
    properties: {
      name: 'string',
      hostPath: ref(c('HostPathVolumeSource')),
      emptyDir: ref(c('EmptyDirVolumeSource')),
      secret: ref(c('SecretVolumeSource')),
      configMap: ref(c('ConfigMapVolumeSource')),
      persistentVolumeClaim: ref(c('PersistentVolumeClaimVolumeSource')),
      downwardAPI: ref(c('DownwardAPIVolumeSource')),
      projected: ref(c('ProjectedVolumeSource')),
      nfs: ref(c('NFSVolumeSource')),
      csi: ref(c('CSIVolumeSource')),
      ephemeral: ref(c('EphemeralVolumeSource')),
      image: ref(c('ImageVolumeSource')),
      ...Object.fromEntries(UNMODELLED_VOLUME_SOURCES.map((source) => [source, FREEFORM])),
    },
    required: ['name'],
  },
  [c('HostPathVolumeSource')]: { properties: { path: 'string', type: 'string' }, required: ['path'] },
  [c('EmptyDirVolumeSource')]: { properties: { medium: 'string', sizeLimit: ref(QUANTITY) } },
  [c('KeyToPath')]: { properties: { key: 'string', path: 'string', mode: 'int32' }, required: ['key', 'path'] },
  [c('SecretVolumeSource')]: {
    properties: { secretName: 'string', items: atomicList(ref(c('KeyToPath'))), defaultMode: 'int32', optional: 'boolean' },
  },
  [c('ConfigMapVolumeSource')]: {
    properties: { name: 'string', items: atomicList(ref(c('KeyToPath'))), defaultMode: 'int32', optional: 'boolean' },
  },
  [c('PersistentVolumeClaimVolumeSource')]: { properties: { claimName: 'string', readOnly: 'boolean' }, required: ['claimName'] },
  [c('DownwardAPIVolumeFile')]: {
    properties: {
      path: 'string',
      fieldRef: ref(c('ObjectFieldSelector')),
      resourceFieldRef: ref(c('ResourceFieldSelector')),
      mode: 'int32',
    },
    required: ['path'],
  },
  [c('DownwardAPIVolumeSource')]: { properties: { items: atomicList(ref(c('DownwardAPIVolumeFile'))), defaultMode: 'int32' } },
  [c('ProjectedVolumeSource')]: { properties: { sources: atomicList(ref(c('VolumeProjection'))), defaultMode: 'int32' } },
  [c('VolumeProjection')]: {
    properties: {
      secret: ref(c('SecretProjection')),
      downwardAPI: ref(c('DownwardAPIProjection')),
      configMap: ref(c('ConfigMapProjection')),
      serviceAccountToken: ref(c('ServiceAccountTokenProjection')),
      clusterTrustBundle: FREEFORM,
    },
  },
  [c('SecretProjection')]: { properties: { name: 'string', items: atomicList(ref(c('KeyToPath'))), optional: 'boolean' } },
  [c('ConfigMapProjection')]: { properties: { name: 'string', items: atomicList(ref(c('KeyToPath'))), optional: 'boolean' } },
  [c('DownwardAPIProjection')]: { properties: { items: atomicList(ref(c('DownwardAPIVolumeFile'))) } },
  [c('ServiceAccountTokenProjection')]: {
    properties: { audience: 'string', expirationSeconds: 'int64', path: 'string' },
    required: ['path'],
  },
  [c('NFSVolumeSource')]: { properties: { server: 'string', path: 'string', readOnly: 'boolean' }, required: ['server', 'path'] },
  [c('CSIVolumeSource')]: {
    properties: {
      driver: 'string',
      readOnly: 'boolean',
      fsType: 'string',
      volumeAttributes: mapOf('string'),
      nodePublishSecretRef: ref(c('LocalObjectReference')),
    },
    required: ['driver'],
  },
  [c('EphemeralVolumeSource')]: { properties: { volumeClaimTemplate: ref(c('PersistentVolumeClaimTemplate')) } },
  [c('PersistentVolumeClaimTemplate')]: {
    properties: { metadata: ref(OBJECT_META), spec: ref(c('PersistentVolumeClaimSpec')) },
    required: ['spec'],
  },
  [c('ImageVolumeSource')]: { properties: { reference: 'string', pullPolicy: 'string' } },
  [c('PersistentVolumeClaim')]: {
    description: 'A user request for a persistent volume (used here as a StatefulSet volume claim template).',
    properties: {
      apiVersion: 'string',
      kind: 'string',
      metadata: ref(OBJECT_META),
      spec: ref(c('PersistentVolumeClaimSpec')),
      status: FREEFORM,
    },
  },
  [c('PersistentVolumeClaimSpec')]: {
    properties: {
      accessModes: atomicList('string'),
      selector: ref(LABEL_SELECTOR),
      resources: ref(c('VolumeResourceRequirements')),
      volumeName: 'string',
      storageClassName: 'string',
      volumeMode: 'string',
      dataSource: FREEFORM,
      dataSourceRef: FREEFORM,
      volumeAttributesClassName: 'string',
    },
  },
  [c('VolumeResourceRequirements')]: {
    properties: { limits: mapOf(ref(QUANTITY)), requests: mapOf(ref(QUANTITY)) },
  },
};
