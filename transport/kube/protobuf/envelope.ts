import type { KubeProtoJsonObject } from './decoder.js';
import { decodeKubeProtoMessage } from './decoder.js';
import { KubeProtobufDecodeError } from './errors.js';
import { buildKubeProtoRegistry } from './schema.js';
import { CONTAINER_MESSAGES } from './schema-container.js';
import { CORE_V1_MESSAGES } from './schema-core.js';
import { META_V1_MESSAGES } from './schema-meta.js';
import { POD_SPEC_MESSAGES } from './schema-pod.js';
import { VOLUME_MESSAGES } from './schema-volume.js';
import { WORKLOAD_MESSAGES } from './schema-workloads.js';
import { expectWireType } from './special-types.js';
import { ProtobufWireReader, WIRE_LEN } from './wire-reader.js';

/** The media type of Kubernetes' protobuf encoding (kubectl's typed clients send it). */
export const KUBE_PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** Every protobuf body starts with these bytes, "k8s\0", before the runtime.Unknown envelope. */
export const KUBE_PROTOBUF_MAGIC: readonly number[] = [0x6b, 0x38, 0x73, 0x00];

/**
 * At most this many unknown field paths are listed: enough to name the problem in a Status, while
 * a hostile body of a million unknown fields costs no more memory than a few.
 */
export const KUBE_PROTOBUF_MAX_UNKNOWN_FIELDS = 100;

export interface KubeProtobufKind {
  readonly apiVersion: string;
  readonly kind: string;
}

export interface KubeProtobufDecoded {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object's JSON form, `kind` and `apiVersion` first, as Go's encoding/json writes it. */
  readonly object: KubeProtoJsonObject;
  /**
   * JSON paths of fields the tables do not know, the unknown field number after `#`
   * (`spec.template.spec.#99`, `data[key].#3` in a map entry); they were skipped. Deduplicated, in
   * no particular order, at most KUBE_PROTOBUF_MAX_UNKNOWN_FIELDS (non-empty whenever any were met).
   */
  readonly unknownFields: string[];
}

export interface KubeProtobufDecodeOptions {
  /**
   * Used when the envelope leaves apiVersion or kind empty, as kube-apiserver fills them from
   * the request's resource (`copyKindDefaults`).
   */
  readonly defaults?: Partial<KubeProtobufKind>;
}

const REGISTRY = buildKubeProtoRegistry(
  META_V1_MESSAGES,
  CORE_V1_MESSAGES,
  POD_SPEC_MESSAGES,
  CONTAINER_MESSAGES,
  VOLUME_MESSAGES,
  WORKLOAD_MESSAGES,
);

/** The kinds with tables, and the message each decodes with. */
const KIND_MESSAGES: ReadonlyMap<string, string> = new Map([
  ['v1/Namespace', 'Namespace'],
  ['v1/ConfigMap', 'ConfigMap'],
  ['v1/Secret', 'Secret'],
  ['v1/ServiceAccount', 'ServiceAccount'],
  ['v1/Service', 'Service'],
  ['v1/Pod', 'Pod'],
  ['apps/v1/Deployment', 'Deployment'],
  ['batch/v1/Job', 'Job'],
  ['batch/v1/CronJob', 'CronJob'],
]);

/** The apiVersion/kind pairs decodeKubeProtobuf can decode. */
export function kubeProtobufKinds(): KubeProtobufKind[] {
  return [...KIND_MESSAGES.keys()].map((key) => {
    const slash = key.lastIndexOf('/');
    return { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1) };
  });
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` request body (magic, then runtime.Unknown
 * `{1: typeMeta {1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType}`) into
 * the object's JSON form. Throws KubeProtobufDecodeError: `NotKubeProtobuf` without the magic or
 * envelope, `Malformed` / `InvalidValue` for bad data, `UnsupportedKind` for a kind with no tables.
 * Like kube-apiserver, it ignores contentEncoding and contentType (clients send them empty).
 */
export function decodeKubeProtobuf(body: Uint8Array, options: KubeProtobufDecodeOptions = {}): KubeProtobufDecoded {
  if (body.length < KUBE_PROTOBUF_MAGIC.length || KUBE_PROTOBUF_MAGIC.some((byte, i) => body[i] !== byte)) {
    throw new KubeProtobufDecodeError(
      'NotKubeProtobuf',
      `provided data does not appear to be a protobuf message, expected prefix [${KUBE_PROTOBUF_MAGIC.join(' ')}]`,
    );
  }
  if (body.length === KUBE_PROTOBUF_MAGIC.length) throw new KubeProtobufDecodeError('NotKubeProtobuf', 'empty body');

  const envelope = readEnvelope(body.subarray(KUBE_PROTOBUF_MAGIC.length));
  const apiVersion = envelope.apiVersion || (options.defaults?.apiVersion ?? '');
  const kind = envelope.kind || (options.defaults?.kind ?? '');
  if (kind === '' || apiVersion === '') {
    throw new KubeProtobufDecodeError('NotKubeProtobuf', 'the envelope names no apiVersion and kind');
  }
  const messageName = KIND_MESSAGES.get(`${apiVersion}/${kind}`);
  if (messageName === undefined) {
    throw new KubeProtobufDecodeError('UnsupportedKind', `cannot decode kind ${kind} of ${apiVersion} from protobuf; send application/json`);
  }

  const unknown = new Set<string>();
  const reportUnknown = (path: string): void => {
    if (unknown.size < KUBE_PROTOBUF_MAX_UNKNOWN_FIELDS) unknown.add(path);
  };
  const fields = decodeKubeProtoMessage(REGISTRY, messageName, envelope.raw, '', reportUnknown);
  return { apiVersion, kind, object: { kind, apiVersion, ...fields }, unknownFields: [...unknown] };
}

interface Envelope {
  readonly apiVersion: string;
  readonly kind: string;
  readonly raw: Uint8Array;
}

function readEnvelope(bytes: Uint8Array): Envelope {
  let apiVersion = '';
  let kind = '';
  let raw: Uint8Array = new Uint8Array(0);
  const reader = new ProtobufWireReader(bytes, '');
  while (!reader.done) {
    const tag = reader.readTag();
    if (tag.fieldNumber > 4) {
      reader.skipField(tag);
      continue;
    }
    expectWireType(tag, WIRE_LEN, '');
    const value = reader.readLengthDelimited();
    if (tag.fieldNumber === 2) raw = value;
    if (tag.fieldNumber !== 1) continue; // 3 and 4: contentEncoding and contentType
    const typeMeta = new ProtobufWireReader(value, '');
    while (!typeMeta.done) {
      const inner = typeMeta.readTag();
      if (inner.fieldNumber > 2) {
        typeMeta.skipField(inner);
        continue;
      }
      expectWireType(inner, WIRE_LEN, '');
      if (inner.fieldNumber === 1) apiVersion = typeMeta.readString();
      else kind = typeMeta.readString();
    }
  }
  return { apiVersion, kind, raw };
}
