// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf) into JSON.
export type { KubeProtobufDecodeErrorReason } from './errors.js';
export { KubeProtobufDecodeError } from './errors.js';
export type { KubeProtobufDecoded, KubeProtobufDecodeOptions, KubeProtobufKind } from './envelope.js';
export {
  KUBE_PROTOBUF_MAGIC,
  KUBE_PROTOBUF_MEDIA_TYPE,
  KUBE_PROTOBUF_MAX_UNKNOWN_FIELDS,
  decodeKubeProtobuf,
  kubeProtobufKinds,
} from './envelope.js';
