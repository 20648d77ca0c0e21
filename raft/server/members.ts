import type { Member } from '../mvcc/index.js';

/**
 * A 53-bit hash (cyrb53): member and cluster ids must fit a JS number exactly, since int64s
 * travel as numbers. Deterministic, so every member computes the same ids from its flags.
 */
export function hash53(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const id = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return id === 0 ? 1 : id;
}

/** etcd derives a member's id from its peer URLs and the cluster token; so do we. */
export function memberId(peerURLs: readonly string[], clusterToken: string, salt = ''): number {
  return hash53([...peerURLs].sort().join(',') + '|' + clusterToken + '|' + salt);
}

/** The cluster id, from the cluster token (which every member, founding or joining, is given). */
export function clusterIdOf(clusterToken: string): number {
  return hash53(clusterToken, 7);
}

/** Parses etcd's --initial-cluster `name=url,name=url2,name2=url3`. */
export function parseInitialCluster(spec: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new Error(`--initial-cluster: "${part}" is not name=url`);
    const name = part.slice(0, eq);
    const url = part.slice(eq + 1);
    if (!/^https?:\/\/[^/]+$/.test(url)) throw new Error(`--initial-cluster: "${url}" is not a URL like http://host:port`);
    out.set(name, [...(out.get(name) ?? []), url]);
  }
  if (out.size === 0) throw new Error('--initial-cluster is empty');
  return out;
}

/**
 * The cluster's members with their names and URLs. Changed only by applying committed
 * conf-change entries (or restoring a snapshot), so every member agrees on it.
 */
export class MemberTable {
  private readonly members = new Map<number, Member>();

  constructor(initial: readonly Member[] = []) {
    for (const m of initial) this.members.set(m.ID, m);
  }

  list(): Member[] {
    return [...this.members.values()].sort((a, b) => a.ID - b.ID);
  }

  get(id: number): Member | undefined {
    return this.members.get(id);
  }

  set(m: Member): void {
    this.members.set(m.ID, m);
  }

  remove(id: number): void {
    this.members.delete(id);
  }

  replaceAll(ms: readonly Member[]): void {
    this.members.clear();
    for (const m of ms) this.members.set(m.ID, m);
  }
}
