/**
 * The server's view of the protos: service definitions whose request decoders remember each
 * message's size on the wire (etcd refuses requests over --max-request-bytes by that size), and
 * whose response encoders write proto3's canonical form (see canonical.ts).
 */
import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition, PackageDefinition } from '@grpc/proto-loader';
import { Canonicalizer } from './canonical.js';
import type { EtcdServiceName } from './protos.js';
import { ETCD_SERVICE_NAMES, loadEtcdProtos } from './protos.js';

export interface EtcdWire {
  readonly services: Readonly<Record<EtcdServiceName, grpc.ServiceDefinition>>;
  /** Size in bytes of a request message as it arrived; undefined for one that did not. */
  requestBytes(request: object): number | undefined;
  /** Encoded size of a WatchResponse, as the client will receive it. */
  watchResponseBytes(response: object): number;
  /** Bytes one event adds to a WatchResponse (the field tag and length prefix included). */
  watchEventBytes(event: object): number;
}

const WATCH_RESPONSE = 'etcdserverpb.WatchResponse';
const EVENT = 'mvccpb.Event';

export function createEtcdWire(def: PackageDefinition = loadEtcdProtos()): EtcdWire {
  const canonicalizer = new Canonicalizer(def);
  // Keyed by the decoded object: the handler receives that same object.
  const sizes = new WeakMap<object, number>();

  const services = {} as Record<EtcdServiceName, grpc.ServiceDefinition>;
  for (const serviceName of ETCD_SERVICE_NAMES) {
    const service = def[`etcdserverpb.${serviceName}`];
    if (!service || 'format' in service) throw new Error(`etcdserverpb.${serviceName} is not a service in the loaded protos`);
    const methods: Record<string, MethodDefinition<object, object>> = {};
    for (const [methodName, method] of Object.entries(service)) {
      // Every request and response type of etcd's services is a top-level message of etcdserverpb.
      const responseType = `etcdserverpb.${(method.responseType.type as { name: string }).name}`;
      if (!def[responseType]) throw new Error(`no message ${responseType} for the response of ${method.path}`);
      methods[methodName] = {
        ...method,
        requestDeserialize: (bytes: Buffer): object => {
          const request = method.requestDeserialize(bytes);
          sizes.set(request, bytes.length);
          return request;
        },
        responseSerialize: (value: object): Buffer => method.responseSerialize(canonicalizer.canonical(responseType, value) as object),
      };
    }
    services[serviceName] = methods as grpc.ServiceDefinition;
  }

  const message = (name: string): { serialize(value: object): Buffer } => {
    const entry = def[name];
    if (!entry || !('format' in entry) || entry.format !== 'Protocol Buffer 3 DescriptorProto') throw new Error(`${name} is not a message`);
    return entry;
  };
  const watchResponse = message(WATCH_RESPONSE);
  const event = message(EVENT);

  return {
    services,
    requestBytes: (request) => sizes.get(request),
    watchResponseBytes: (response) => watchResponse.serialize(canonicalizer.canonical(WATCH_RESPONSE, response) as object).length,
    watchEventBytes: (ev) => {
      const n = event.serialize(canonicalizer.canonical(EVENT, ev) as object).length;
      return 1 + varintBytes(n) + n;
    },
  };
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}
