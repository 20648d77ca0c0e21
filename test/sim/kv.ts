import { assert } from '../../core/index.js';

/** A client command replicated through the log. Sessions make retried or duplicated commands apply once (§6.3). */
export interface KvCommand {
  readonly client: number;
  readonly seq: number;
  readonly op: 'write' | 'cas';
  readonly key: string;
  readonly value: number;
  /** For cas: the value expected; null means "missing". */
  readonly expected?: number | null;
}

export interface KvResult {
  readonly ok: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeCommand(c: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(c));
}

export function decodeCommand(data: Uint8Array): KvCommand | undefined {
  if (data.length === 0) return undefined; // a leader's no-op
  return JSON.parse(dec.decode(data)) as KvCommand;
}

/**
 * The replicated state machine of the simulation: a register per key, plus the session table
 * that deduplicates commands (the network duplicates forwarded proposals).
 */
export class KvStateMachine {
  applied = 0;
  private data = new Map<string, number>();
  /** client -> [last applied seq, its result]. */
  private sessions = new Map<number, [number, KvResult]>();

  get(key: string): number | null {
    return this.data.get(key) ?? null;
  }

  /** Applies the entry at `index`; returns the command's result, or undefined for no-ops. */
  apply(index: number, data: Uint8Array): { cmd: KvCommand; result: KvResult } | undefined {
    assert(index === this.applied + 1, () => `apply out of order: ${index} after ${this.applied}`);
    this.applied = index;
    const cmd = decodeCommand(data);
    if (!cmd) return undefined;
    const session = this.sessions.get(cmd.client);
    if (session && cmd.seq <= session[0]) {
      return { cmd, result: cmd.seq === session[0] ? session[1] : { ok: false } };
    }
    let result: KvResult = { ok: true };
    if (cmd.op === 'write') {
      this.data.set(cmd.key, cmd.value);
    } else if ((this.data.get(cmd.key) ?? null) === cmd.expected) {
      this.data.set(cmd.key, cmd.value);
    } else {
      result = { ok: false };
    }
    this.sessions.set(cmd.client, [cmd.seq, result]);
    return { cmd, result };
  }

  /** Advances past a conf-change entry. */
  skip(index: number): void {
    assert(index === this.applied + 1, () => `apply out of order: ${index} after ${this.applied}`);
    this.applied = index;
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify({ data: [...this.data], sessions: [...this.sessions] }));
  }

  restore(index: number, snap: Uint8Array): void {
    this.applied = index;
    if (snap.length === 0) {
      this.data = new Map();
      this.sessions = new Map();
      return;
    }
    const s = JSON.parse(dec.decode(snap)) as { data: [string, number][]; sessions: [number, [number, KvResult]][] };
    this.data = new Map(s.data);
    this.sessions = new Map(s.sessions);
  }
}
