import type { BackendEntry } from './backend.js';
import { bytesToKey, keySpan } from './bytes.js';
import { encodeRecord, revKey } from './codec.js';
import type { KeyHistory, KeyIndex, Revision } from './key-index.js';
import { finishRange, scanLimit } from './range.js';
import type { HistoryRecord, RevisionLog } from './revision-log.js';
import type { KeyValue, RangeRequest, RangeResponse, ResponseHeader } from './types.js';
import { ChangeEvent } from './watch.js';

/** Historical reads started at once for a range at an old revision. */
const HISTORICAL_READ_PARALLELISM = 64;

/**
 * The store's reads: ranges at the current revision from the key index's live KeyValues, at past
 * revisions through the index (which revision holds each key's value) and the revision log (the
 * record); watch catch-up events; the live records that hashKV and snapshots cover.
 *
 * Reads of the backend run pinned (revision-log.ts), so a compaction applied meanwhile waits for
 * them. Everything synchronous reads the state as it is at the call.
 */
export class HistoryReader {
  constructor(
    private readonly index: KeyIndex,
    private readonly log: RevisionLog,
    private readonly header: (revision: number) => ResponseHeader,
    private readonly compactRevision: () => number,
  ) {}

  /**
   * A range at revision `at` with header revision `headerRev`; from memory when `latest` (the
   * state as it is now), else from the history — synchronously when every record is still in
   * memory, else a Promise.
   */
  rangeAt(req: RangeRequest, at: number, headerRev: number, latest: boolean): RangeResponse | Promise<RangeResponse> {
    const span = keySpan(req.key, req.rangeEnd);
    const countOnly = req.countOnly === true;
    const limit = scanLimit(req);
    const finish = (kvs: KeyValue[], count: number): RangeResponse => {
      if (countOnly) return { header: this.header(headerRev), kvs: [], more: false, count };
      const done = finishRange(kvs, req);
      return { header: this.header(headerRev), kvs: done.kvs, more: done.more, count };
    };
    let count = 0;
    if (latest) {
      const kvs: KeyValue[] = [];
      this.index.forEachInSpan(span, (h) => {
        const kv = h.latest;
        if (kv === undefined) return;
        count++;
        if (!countOnly && (limit === 0 || kvs.length < limit)) kvs.push(kv);
      });
      return finish(kvs, count);
    }
    const found: { h: KeyHistory; rev: Revision }[] = [];
    this.index.forEachInSpan(span, (h) => {
      const rev = h.get(at);
      if (rev === undefined) return;
      count++;
      if (!countOnly && (limit === 0 || found.length < limit)) found.push({ h, rev });
    });
    const kvs: KeyValue[] = new Array<KeyValue>(found.length);
    const missing: number[] = [];
    for (let i = 0; i < found.length; i++) {
      const kv = this.recordInMemory(found[i]!.h, found[i]!.rev);
      if (kv !== undefined) kvs[i] = kv;
      else missing.push(i);
    }
    if (missing.length === 0) return finish(kvs, count);
    return this.log.pinned(async () => {
      for (let j = 0; j < missing.length; j += HISTORICAL_READ_PARALLELISM) {
        await Promise.all(
          missing.slice(j, j + HISTORICAL_READ_PARALLELISM).map(async (i) => {
            const { rev } = found[i]!;
            kvs[i] = await this.log.get(rev.main, rev.sub);
          }),
        );
      }
      return finish(kvs, count);
    });
  }

  /**
   * The watch hub's history read: events of whole revisions in [fromRev, toRev], about
   * maxRecords of them, and the last revision covered.
   */
  readEvents(fromRev: number, toRev: number, compactRev: number, maxRecords: number, withPrevKv: boolean): Promise<{ events: ChangeEvent[]; throughRev: number }> {
    return this.log.pinned(async () => {
      const events: ChangeEvent[] = [];
      let throughRev = toRev;
      let lastMain = 0;
      scan: for await (const chunk of this.log.scan(fromRev, toRev)) {
        for (const rec of chunk) {
          if (events.length >= maxRecords && rec.main !== lastMain) {
            throughRev = lastMain;
            break scan;
          }
          if (this.isGarbage(rec, compactRev)) continue;
          events.push(new ChangeEvent(rec.tombstone ? 'DELETE' : 'PUT', rec.kv, bytesToKey(rec.kv.key), undefined));
          lastMain = rec.main;
        }
      }
      if (withPrevKv) for (const ev of events) ev.prevKv = await this.kvAt(ev.key, ev.revision - 1);
      return { events, throughRev };
    });
  }

  /**
   * The revision records up to `upTo` that reads at or after compactRev can need (compaction
   * garbage left out), as stored: revision key and record bytes. The caller pins the scan.
   */
  async *liveRecords(upTo: number, compactRev: number): AsyncIterable<BackendEntry[]> {
    for await (const chunk of this.log.scan(0, upTo)) {
      const out: BackendEntry[] = [];
      for (const rec of chunk) {
        if (this.isGarbage(rec, compactRev)) continue;
        if (rec.stored !== undefined) {
          out.push(rec.stored);
        } else {
          const key = revKey(rec.main, rec.sub, rec.tombstone);
          out.push([key, encodeRecord(key, rec.kv)]);
        }
      }
      yield out;
    }
  }

  /** The put record at rev of key h when memory has it: the live KeyValue, or an unflushed record. */
  private recordInMemory(h: KeyHistory, rev: Revision): KeyValue | undefined {
    const live = h.latest;
    if (live !== undefined && live.modRevision === rev.main) return live;
    return this.log.memoryGet(rev.main, rev.sub);
  }

  /** The key's KeyValue at revision rev (a watch event's prevKv), if it existed and is not compacted. */
  private async kvAt(key: string, rev: number): Promise<KeyValue | undefined> {
    if (rev < this.compactRevision() || rev <= 0) return undefined;
    const h = this.index.get(key);
    const at = h?.get(rev);
    if (h === undefined || at === undefined) return undefined;
    return this.recordInMemory(h, at) ?? this.log.get(at.main, at.sub);
  }

  /** Records that compaction at compactRev deletes (or has): no read at or after it needs them. */
  private isGarbage(rec: HistoryRecord, compactRev: number): boolean {
    if (rec.main > compactRev) return false;
    const kept = this.index.get(bytesToKey(rec.kv.key))?.keptAt(compactRev);
    return kept === undefined || kept.main !== rec.main || kept.sub !== rec.sub;
  }
}
