/**
 * A 32-bit mix of an integer (the murmur3 finalizer). XOR-ing `mix32(i + 1)` over a set's
 * members gives a Zobrist hash: updated in O(1) when one member comes or goes.
 */
export function mix32(x: number): number {
  let z = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}
