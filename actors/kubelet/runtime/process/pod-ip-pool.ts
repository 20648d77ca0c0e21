// Pod IPs from the node's pod CIDR. Until pod networking exists (a later issue), pods share the
// host's network namespace, so a pod's IP is a distinct loopback address (127.0.0.0/8 all
// routes to `lo` on Linux): servers that bind their pod IP do not collide with each other's
// ports, and the host reaches every pod at its IP.

/** Thrown when every address of the pod CIDR is taken. */
export class PodIpPoolExhaustedError extends Error {
  override readonly name = 'PodIpPoolExhaustedError';
  constructor(readonly cidr: string) {
    super(`no free pod IP left in ${cidr}`);
  }
}

/** Thrown for a pod CIDR that is not an IPv4 `a.b.c.d/n` with 16 ≤ n ≤ 30. */
export class InvalidPodCidrError extends Error {
  override readonly name = 'InvalidPodCidrError';
  constructor(readonly cidr: string) {
    super(`invalid pod CIDR ${JSON.stringify(cidr)}: want IPv4 a.b.c.d/n with 16 <= n <= 30`);
  }
}

function ipv4ToInt(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Hands out the addresses of a CIDR, lowest free first; the network and broadcast addresses and the first host (the gateway by convention) are never given. */
export class PodIpPool {
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();

  constructor(readonly cidr: string) {
    const [base, bitsText] = cidr.split('/');
    const bits = Number(bitsText);
    const baseInt = base === undefined ? undefined : ipv4ToInt(base);
    if (baseInt === undefined || !Number.isInteger(bits) || bits < 16 || bits > 30) throw new InvalidPodCidrError(cidr);
    const size = 2 ** (32 - bits);
    const network = baseInt - (baseInt % size);
    this.first = network + 2;
    this.last = network + size - 2;
  }

  /** Marks an address as in use (a sandbox re-adopted after a restart); ignores ones outside the CIDR. */
  reserve(ip: string): void {
    const n = ipv4ToInt(ip);
    if (n !== undefined && n >= this.first && n <= this.last) this.used.add(n);
  }

  allocate(): string {
    for (let n = this.first; n <= this.last; n++) {
      if (!this.used.has(n)) {
        this.used.add(n);
        return intToIpv4(n);
      }
    }
    throw new PodIpPoolExhaustedError(this.cidr);
  }

  release(ip: string): void {
    const n = ipv4ToInt(ip);
    if (n !== undefined) this.used.delete(n);
  }
}

/**
 * A node's default pod CIDR when none is configured: a /24 in 127.16.0.0/12 picked from a hash of
 * its name, so workers on one host rarely overlap (`flotilla up` assigns distinct ones).
 */
export function defaultPodCidrForNode(nodeName: string): string {
  let h = 2166136261;
  for (let i = 0; i < nodeName.length; i++) h = Math.imul(h ^ nodeName.charCodeAt(i), 16777619) >>> 0;
  const block = h % 4096;
  return `127.${16 + (block >>> 8)}.${block & 255}.0/24`;
}
