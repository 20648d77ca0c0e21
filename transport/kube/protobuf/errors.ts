/**
 * Why a protobuf request body could not be decoded:
 * - `NotKubeProtobuf`: the body lacks the `k8s\0` magic or the runtime.Unknown envelope;
 * - `Malformed`: truncated or invalid protobuf wire data, or a field sent with the wrong wire type;
 * - `InvalidValue`: well-formed wire data holding a value the JSON form cannot carry (an
 *   out-of-range integer or timestamp, an unparsable quantity, an unknown IntOrString type);
 * - `UnsupportedKind`: a kind this decoder has no message tables for.
 */
export type KubeProtobufDecodeErrorReason = 'NotKubeProtobuf' | 'Malformed' | 'InvalidValue' | 'UnsupportedKind';

/**
 * Thrown by decodeKubeProtobuf when a `application/vnd.kubernetes.protobuf` body cannot be turned
 * into the object's JSON form. kube-apiserver answers 400 BadRequest for undecodable bodies; a
 * kind with no tables here (`UnsupportedKind`) is ours to refuse, as 415 UnsupportedMediaType,
 * so that the client can retry with JSON. `path` is the JSON path of the field being decoded
 * ('' for the envelope).
 */
export class KubeProtobufDecodeError extends Error {
  override readonly name = 'KubeProtobufDecodeError';
  constructor(
    readonly reason: KubeProtobufDecodeErrorReason,
    readonly detail: string,
    readonly path = '',
  ) {
    super(path === '' ? `protobuf body: ${detail}` : `protobuf body: ${path}: ${detail}`);
  }
}
