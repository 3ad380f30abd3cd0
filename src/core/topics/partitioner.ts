/**
 * Which partition a record goes to. Kafka's default partitioner, so the same key lands on the same partition
 * number as it would in Kafka with the same partition count:
 *   explicit partition  → that partition
 *   key present         → toPositive(murmur2(key)) % partitions   (murmur2 as in Kafka's Utils.murmur2, seed 0x9747b28c)
 *   no key              → sticky: every keyless record of one produce call goes to one partition, the next call
 *                         moves to the next partition (round-robin per batch, like Kafka's sticky partitioner).
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 (32-bit, signed result like Java's int). */
export function murmur2(data: Buffer): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = length & ~3;
  // Java's fall-through switch on length % 4, written as three guards (tsconfig forbids fall-through).
  const rest = length & 3;
  if (rest >= 3) h ^= data[tail + 2] << 16;
  if (rest >= 2) h ^= data[tail + 1] << 8;
  if (rest >= 1) {
    h ^= data[tail];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: clears the sign bit (not Math.abs, which fails on MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

export function partitionForKey(key: Buffer, partitions: number): number {
  return toPositive(murmur2(key)) % partitions;
}

/** Round-robin cursor for keyless records, advanced once per produce call (sticky per batch). */
export class StickyCursor {
  private next = 0;

  /** The partition for this call's keyless records; the following call gets the next one. */
  take(partitions: number): number {
    const p = this.next % partitions;
    this.next = (p + 1) % partitions;
    return p;
  }
}
