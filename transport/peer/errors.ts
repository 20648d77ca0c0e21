/**
 * Thrown by decodePeerFrame when bytes from a peer are not a v1 frame (a bug or version skew on the
 * sending side, or something that is not a Flotilla member). The receiving member ends that
 * stream with INVALID_ARGUMENT; the stream's other frames were delivered or are dropped whole.
 */
export class PeerWireFormatError extends Error {
  override readonly name = 'PeerWireFormatError';
  constructor(readonly detail: string) {
    super(`malformed peer frame: ${detail}`);
  }
}

/**
 * Thrown by addPeer and listen when a peer URL is not `http://host:port` (the only scheme served:
 * peer TLS is not implemented yet, so an https URL is refused rather than silently downgraded).
 */
export class InvalidPeerUrlError extends Error {
  override readonly name = 'InvalidPeerUrlError';
  constructor(readonly url: string, readonly reason: string) {
    super(`invalid peer URL ${JSON.stringify(url)}: ${reason}`);
  }
}
