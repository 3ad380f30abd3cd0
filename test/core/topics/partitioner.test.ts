import { murmur2, partitionForKey, StickyCursor, toPositive } from '../../../src/core/topics/partitioner';

describe('partitioner', () => {
  // Vectors from Kafka's UtilsTest.testMurmur2: our hash equals Kafka's, so keys land on Kafka's partitions.
  test.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) matches Kafka', (text, expected) => {
    expect(murmur2(Buffer.from(text))).toBe(expected);
  });

  test('toPositive clears the sign bit, also for MIN_VALUE', () => {
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(0x7fffffff);
  });

  test('same key → same partition; keys spread over all partitions', () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) {
      const key = Buffer.from(`key-${i}`);
      const p = partitionForKey(key, 8);
      expect(partitionForKey(Buffer.from(`key-${i}`), 8)).toBe(p);
      counts[p]++;
    }
    // 1000 expected per partition; a fair hash stays well within ±20%.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(200);
  });

  test('sticky cursor rotates once per batch', () => {
    const c = new StickyCursor();
    expect([c.take(3), c.take(3), c.take(3), c.take(3)]).toEqual([0, 1, 2, 0]);
  });
});
