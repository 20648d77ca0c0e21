// Public surface of transport/peer: the Raft peer transport over gRPC, and in memory for tests.
export { GrpcRaftTransport, PEER_FRAME_TARGET_BYTES, PEER_REDIAL_DELAY_MS, PEER_REJECTED_REDIAL_DELAY_MS, PEER_DIAL_TIMEOUT_MS, PEER_PROBE_INTERVAL_MS, PEER_PROBE_TIMEOUT_MS } from './grpc-transport.js';
export type { GrpcRaftTransportOptions } from './grpc-transport.js';
export { InMemoryNetwork, InMemoryTransport } from './memory-transport.js';
export type { InMemoryTransportOptions } from './memory-transport.js';
export {
  PEER_SERVICE_NAME,
  PEER_SERVICE_DEFINITION,
  PEER_STREAM_PATH,
  PEER_PROBE_PATH,
  PEER_METADATA,
  PEER_CHANNEL_OPTIONS,
  PEER_SERVER_OPTIONS,
  PEER_KEEPALIVE_TIME_MS,
  PEER_KEEPALIVE_TIMEOUT_MS,
  PEER_RECONNECT_BACKOFF_INITIAL_MS,
  PEER_RECONNECT_BACKOFF_MAX_MS,
  PEER_MAX_FRAME_BYTES,
  createPeerServer,
  bindPeerServer,
  peerTarget,
} from './grpc-service.js';
// The queue and the codec are exported for their unit tests and for tools that read frames.
export { PeerQueue, PEER_QUEUE_MAX_MESSAGES, PEER_QUEUE_MAX_BYTES } from './queue.js';
export type { PeerQueueBounds } from './queue.js';
export { encodePeerFrame, decodePeerFrame, estimatePeerMessageBytes } from './wire.js';
export { PeerWireFormatError, InvalidPeerUrlError } from './errors.js';
export type { PeerLinkStats, PeerTransportStats, PeerTransportMetrics } from './stats.js';
export type { PeerTransportLogger } from './logger.js';
