/**
 * The gRPC service `flotilla.raft.v1.Peer`, served on a member's peer URL, and the channel and
 * server settings both ends use. No .proto: bodies are raw bytes (wire.ts frames), so the
 * serializers are the identity.
 *
 *   rpc Stream(stream Frame) returns (Empty)   one long-lived call per (sender, receiver)
 *   rpc Probe(Empty) returns (Empty)           round-trip-time sample, with a deadline
 *
 * Both calls carry PEER_METADATA; a member refuses calls from another cluster or addressed to
 * another member id with FAILED_PRECONDITION, and calls without valid ids with INVALID_ARGUMENT.
 * The receiver sends response headers as soon as it accepts a stream: that is the sender's sign
 * that the peer is up and willing (the stream itself never returns a message while healthy).
 */
import * as grpc from '@grpc/grpc-js';
import { InvalidPeerUrlError } from './errors.js';

export const PEER_SERVICE_NAME = 'flotilla.raft.v1.Peer';

/** Metadata keys of every peer call. Ids are decimal; the cluster id is opaque text. */
export const PEER_METADATA = Object.freeze({
  clusterId: 'flotilla-cluster-id',
  from: 'flotilla-raft-from',
  to: 'flotilla-raft-to',
});

/** Client keepalive: ping an idle or silent connection this often, and drop it if unanswered. */
export const PEER_KEEPALIVE_TIME_MS = 10_000;
export const PEER_KEEPALIVE_TIMEOUT_MS = 5_000;
/** The channel's reconnect backoff; its cap bounds how long a restarted peer goes unnoticed. */
export const PEER_RECONNECT_BACKOFF_INITIAL_MS = 100;
export const PEER_RECONNECT_BACKOFF_MAX_MS = 1_000;
/**
 * Largest frame a member accepts (grpc's default is 4 MiB). Senders cut frames near
 * PEER_FRAME_TARGET_BYTES, so only a single message larger than that (a big MsgApp or snapshot
 * chunk) comes near this bound; one larger still is dropped at the sender, never sent.
 */
export const PEER_MAX_FRAME_BYTES = 64 * 1024 * 1024;

const identity = (b: Buffer): Buffer => b;

export const PEER_STREAM_PATH = `/${PEER_SERVICE_NAME}/Stream`;
export const PEER_PROBE_PATH = `/${PEER_SERVICE_NAME}/Probe`;

export const PEER_SERVICE_DEFINITION: grpc.ServiceDefinition = {
  Stream: {
    path: PEER_STREAM_PATH,
    requestStream: true,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'stream',
  },
  Probe: {
    path: PEER_PROBE_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'probe',
  },
};

/** Settings of the channel to one peer. */
export const PEER_CHANNEL_OPTIONS: grpc.ChannelOptions = Object.freeze({
  'grpc.keepalive_time_ms': PEER_KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': PEER_KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': PEER_RECONNECT_BACKOFF_INITIAL_MS,
  'grpc.max_reconnect_backoff_ms': PEER_RECONNECT_BACKOFF_MAX_MS,
  // Each transport owns its connections, so stop() really closes them (grpc-js otherwise shares
  // subchannels process-wide between clients with equal targets and options).
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_send_message_length': PEER_MAX_FRAME_BYTES,
  'grpc.max_receive_message_length': PEER_MAX_FRAME_BYTES,
  // A peer URL names a member directly; no HTTP proxy may sit in between.
  'grpc.enable_http_proxy': 0,
  // No replays, and no retry buffer that acknowledges writes before they reach HTTP/2: write()
  // returns false when frames really wait, which is the backpressure the link's queue relies on.
  'grpc.enable_retries': 0,
  'grpc.per_rpc_retry_buffer_size': 0,
});

/** Settings of the server on a member's peer URL (also fit for other services on that port). */
export const PEER_SERVER_OPTIONS: grpc.ServerOptions = Object.freeze({
  'grpc.keepalive_time_ms': PEER_KEEPALIVE_TIME_MS,
  'grpc.keepalive_timeout_ms': PEER_KEEPALIVE_TIMEOUT_MS,
  'grpc.keepalive_permit_without_calls': 1,
  // Lets clients ping every PEER_KEEPALIVE_TIME_MS (C-core servers refuse pings faster than 5 min).
  'grpc.http2.min_ping_interval_without_data_ms': PEER_KEEPALIVE_TIME_MS / 2,
  'grpc.max_receive_message_length': PEER_MAX_FRAME_BYTES,
});

/** A server for a member's peer URL: register the peer service (and later others) on it, then bind. */
export function createPeerServer(): grpc.Server {
  return new grpc.Server(PEER_SERVER_OPTIONS);
}

/** The gRPC target (`host:port`) of a peer URL `http://host:port`. */
export function peerTarget(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidPeerUrlError(url, 'not a URL');
  }
  if (parsed.protocol !== 'http:') throw new InvalidPeerUrlError(url, `scheme ${parsed.protocol} is not served (only http:)`);
  if (parsed.hostname === '') throw new InvalidPeerUrlError(url, 'no host');
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.username !== '') {
    throw new InvalidPeerUrlError(url, 'a peer URL is only scheme, host and port');
  }
  // URL drops a scheme's default port (http://h:80 has port ''), so '' means 80, as in a browser.
  return `${parsed.hostname}:${parsed.port === '' ? '80' : parsed.port}`;
}

/**
 * Binds server to a peer URL (port 0: one the OS picks) without TLS; returns the bound port.
 * A grpc-js server serves as soon as it is bound.
 */
export function bindPeerServer(server: grpc.Server, url: string): Promise<number> {
  const target = peerTarget(url);
  return new Promise((resolve, reject) => {
    server.bindAsync(target, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) reject(err);
      else resolve(port);
    });
  });
}
