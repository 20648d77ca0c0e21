/**
 * Watch fragments (WatchCreateRequest.fragment): a revision whose events do not fit in one
 * response under the request size limit goes out as several, every one but the last marked
 * `fragment`, so clients that cap their receive size still get it. Same rule as etcd: a response
 * under the limit, or with a single event, is sent whole; otherwise each fragment takes events
 * while it stays under the limit, and always at least one.
 */
import type { WatchResponse } from '../../raft/index.js';
import type { EtcdWire } from './wire.js';

export function fragmentWatchResponse(response: WatchResponse, maxBytes: number, wire: EtcdWire): WatchResponse[] {
  if (response.events.length < 2 || wire.watchResponseBytes(response) < maxBytes) return [response];
  const baseBytes = wire.watchResponseBytes({ ...response, events: [], fragment: true });
  const fragments: WatchResponse[] = [];
  let start = 0;
  while (start < response.events.length) {
    let bytes = baseBytes;
    let end = start;
    while (end < response.events.length) {
      const eventBytes = wire.watchEventBytes(response.events[end] as object);
      if (end > start && bytes + eventBytes >= maxBytes) break;
      bytes += eventBytes;
      end++;
    }
    fragments.push({ ...response, events: response.events.slice(start, end), fragment: end < response.events.length });
    start = end;
  }
  return fragments;
}
