/** What a member's `/status` endpoint answers (served on its metrics URL). */
export interface MemberStatus {
  readonly name: string;
  readonly id: string;
  readonly raft: {
    readonly state: 'follower' | 'pre-candidate' | 'candidate' | 'leader';
    readonly term: number;
    readonly commitIndex: number;
    readonly appliedIndex: number;
    readonly leader: string;
  };
}

/** GETs a member's /status, or undefined when it does not answer within timeoutMs. */
export async function fetchStatus(metricsUrl: string, timeoutMs = 3000): Promise<MemberStatus | undefined> {
  try {
    const res = await fetch(`${metricsUrl}/status`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return undefined;
    return (await res.json()) as MemberStatus;
  } catch {
    return undefined;
  }
}
