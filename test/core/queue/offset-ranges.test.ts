import { OffsetRanges } from '../../../src/core/queue/offset-ranges';

/** Deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('OffsetRanges', () => {
  test('in-order adds only move the low-water mark', () => {
    const r = new OffsetRanges(10);
    for (let o = 10; o < 1000; o++) expect(r.add(o)).toBe(true);
    expect(r.lowWaterMark).toBe(1000);
    expect(r.rangeCount).toBe(0);
    expect(r.add(5)).toBe(false);
  });

  test('out-of-order adds merge into the low-water mark when the gap fills', () => {
    const r = new OffsetRanges(0);
    r.add(2);
    r.add(4);
    r.add(3);
    expect(r.rangeCount).toBe(1);
    expect(r.toArray()).toEqual([0, 2, 5]);
    r.add(0);
    r.add(1);
    expect(r.toArray()).toEqual([5]);
  });

  test('random adds agree with a Set model; serialisation round-trips; clip and advance', () => {
    const next = rng(42);
    for (let round = 0; round < 20; round++) {
      const r = new OffsetRanges(0);
      const model = new Set<number>();
      for (let i = 0; i < 300; i++) {
        const o = Math.floor(next() * 200);
        expect(r.add(o)).toBe(!model.has(o));
        model.add(o);
      }
      for (let o = 0; o < 200; o++) expect(r.has(o)).toBe(model.has(o));
      const copy = OffsetRanges.fromArray(r.toArray());
      expect(copy.toArray()).toEqual(r.toArray());
      copy.clipTo(120);
      for (let o = 0; o < 200; o++) expect(copy.has(o)).toBe(o < 120 && model.has(o));
      copy.advanceTo(150);
      for (let o = 0; o < 200; o++) expect(copy.has(o)).toBe(o < 150 || (o < 120 && model.has(o)));
    }
  });

  test('fromArray drops malformed ranges instead of trusting them', () => {
    const r = OffsetRanges.fromArray([10, 20, 15, 30, 40, 12, 13]);
    expect(r.toArray()).toEqual([10, 30, 40]);
  });
});
