/**
 * Settled offsets of a queue's log as a low-water mark plus sorted disjoint ranges above it. Every offset below
 * `lowWaterMark` is settled (acked, dropped, expired, dead-lettered); storage may reclaim it. Acks mostly arrive
 * in order, so the common case only moves the low-water mark; out-of-order acks become short ranges that merge
 * as the gaps fill.
 */
export class OffsetRanges {
  /** ranges[2i] = start (inclusive), ranges[2i+1] = end (exclusive); sorted, disjoint, non-adjacent, > lwm. */
  private ranges: number[] = [];
  private lwm: number;

  constructor(lowWaterMark = 0) {
    this.lwm = lowWaterMark;
  }

  get lowWaterMark(): number {
    return this.lwm;
  }

  /** Number of ranges above the low-water mark (fragmentation). */
  get rangeCount(): number {
    return this.ranges.length / 2;
  }

  has(offset: number): boolean {
    if (offset < this.lwm) return true;
    const i = this.findRange(offset);
    return i >= 0 && offset < this.ranges[2 * i + 1];
  }

  /** Marks one offset settled. Returns false when it already was. */
  add(offset: number): boolean {
    if (offset < this.lwm) return false;
    const r = this.ranges;
    if (offset === this.lwm) {
      this.lwm++;
      if (r.length > 0 && r[0] === this.lwm) {
        this.lwm = r[1];
        r.splice(0, 2);
      }
      return true;
    }
    const i = this.findRange(offset); // last range with start <= offset, or -1
    if (i >= 0 && offset < r[2 * i + 1]) return false;
    const joinsLeft = i >= 0 && r[2 * i + 1] === offset;
    const joinsRight = 2 * (i + 1) < r.length && r[2 * (i + 1)] === offset + 1;
    if (joinsLeft && joinsRight) {
      r[2 * i + 1] = r[2 * (i + 1) + 1];
      r.splice(2 * (i + 1), 2);
    } else if (joinsLeft) {
      r[2 * i + 1] = offset + 1;
    } else if (joinsRight) {
      r[2 * (i + 1)] = offset;
    } else {
      r.splice(2 * (i + 1), 0, offset, offset + 1);
    }
    return true;
  }

  /** Raises the low-water mark (e.g. to the log's start offset after recovery). */
  advanceTo(offset: number): void {
    if (offset <= this.lwm) return;
    this.lwm = offset;
    const r = this.ranges;
    let drop = 0;
    while (drop < r.length && r[drop + 1] <= this.lwm) drop += 2;
    r.splice(0, drop);
    if (r.length > 0 && r[0] <= this.lwm) {
      this.lwm = Math.max(this.lwm, r[1]);
      r.splice(0, 2);
    }
  }

  /** Forgets everything at or above `end` (offsets the log no longer has after a crash). */
  clipTo(end: number): boolean {
    const r = this.ranges;
    let changed = false;
    if (this.lwm > end) {
      this.lwm = end;
      changed = true;
    }
    while (r.length > 0 && r[r.length - 2] >= end) {
      r.length -= 2;
      changed = true;
    }
    if (r.length > 0 && r[r.length - 1] > end) {
      r[r.length - 1] = end;
      changed = true;
    }
    return changed;
  }

  /** Serialisable form: [lwm, start0, end0, start1, end1, ...]. */
  toArray(): number[] {
    return [this.lwm, ...this.ranges];
  }

  static fromArray(a: readonly number[]): OffsetRanges {
    const set = new OffsetRanges(a.length > 0 ? a[0] : 0);
    // Persisted ranges are sorted and disjoint (toArray wrote them); anything else is dropped, never trusted.
    let last = set.lwm;
    for (let i = 1; i + 1 < a.length; i += 2) {
      const start = a[i];
      const end = a[i + 1];
      if (!Number.isInteger(start) || !Number.isInteger(end) || start <= last || end <= start) continue;
      set.ranges.push(start, end);
      last = end;
    }
    return set;
  }

  /** Index of the last range whose start <= offset, or -1. */
  private findRange(offset: number): number {
    const r = this.ranges;
    let lo = 0;
    let hi = r.length / 2 - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (r[2 * mid] <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
