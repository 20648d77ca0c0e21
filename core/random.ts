/**
 * A seeded source of randomness. Everything outside `cluster/` and `transport/` that needs
 * randomness takes one of these, so one seed reproduces a whole run.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). Requires n >= 1. */
  int(n: number): number;
}

/**
 * SplitMix32-style generator: tiny, fast, with good enough statistical quality for
 * simulation and jitter. Not for cryptography.
 */
export class SeededRandom implements Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z ^= z >>> 16;
    return (z >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A new generator whose sequence is independent of this one's, derived from it. */
  fork(): SeededRandom {
    return new SeededRandom(this.int(0x7fffffff) ^ 0x5bd1e995);
  }
}
