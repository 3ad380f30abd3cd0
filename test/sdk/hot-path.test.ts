/**
 * The SDK hot paths reworked for throughput: one PRODUCE batch mixing explicit, keyed and keyless records resolves
 * every send() with its own partition and offset; a consumer's records carry topic and partition straight from
 * the decoder; many frames written in one tick (corked on both sides) all arrive, in order.
 */
import { BodyReader } from '../../protocols/native/codec/reader';
import { encodeFetchResponse, topicRecordSetDecoder } from '../../protocols/native/codec/responses';
import { Admin, Consumer, Producer } from '../../src/sdk';
import { startBroker, type InProcessBroker } from '../helpers/broker';

let b: InProcessBroker;
let broker: string;
let admin: Admin;

beforeAll(async () => {
  b = await startBroker();
  broker = `127.0.0.1:${b.ports.native}`;
  admin = new Admin({ broker });
  await admin.createTopic('mixed', { partitions: 3 });
});

afterAll(async () => {
  await admin.close();
  await b.stop();
});

test('topicRecordSetDecoder tags every record with topic and partition', () => {
  const frame = encodeFetchResponse(9, {
    partition: 2,
    highWatermark: 7,
    records: [
      { offset: 5, timestamp: 1, key: null, value: Buffer.from('a'), headers: null },
      { offset: 6, timestamp: 2, key: Buffer.from('k'), value: Buffer.from('b'), headers: { h: 'v' } },
    ],
  });
  const set = topicRecordSetDecoder('t')(new BodyReader(frame.subarray(10)));
  expect(set.highWatermark).toBe(7);
  expect(set.records).toEqual([
    { topic: 't', partition: 2, offset: 5, timestamp: 1, key: null, value: Buffer.from('a'), headers: null },
    { topic: 't', partition: 2, offset: 6, timestamp: 2, key: Buffer.from('k'), value: Buffer.from('b'), headers: { h: 'v' } },
  ]);
});

test('one batch of explicit, keyed and keyless records resolves each send with its partition and offset', async () => {
  const p = new Producer({ broker, lingerMs: 50, batchMaxRecords: 10_000 });
  await p.connect();
  await p.send('mixed', { value: 'warm-up', key: 'x' }); // learns the partition count
  const values = Array.from({ length: 300 }, (_, i) => `v${i}`);
  const metas = await Promise.all(
    values.map((v, i) => p.send('mixed', i % 3 === 0 ? { value: v, partition: i % 2 } : i % 3 === 1 ? { value: v, key: `k${i % 7}` } : { value: v })),
  );
  await p.close();
  const c = new Consumer({ broker });
  await c.assign([0, 1, 2].map((partition) => ({ topic: 'mixed', partition, offset: 0 })));
  const byValue = new Map<string, { partition: number; offset: number; topic: string }>();
  while (byValue.size < values.length + 1) {
    for (const r of await c.poll(5_000, 1_000)) byValue.set(r.value.toString(), { topic: r.topic, partition: r.partition, offset: r.offset });
  }
  await c.close();
  values.forEach((v, i) => expect(byValue.get(v)).toEqual(metas[i]));
  // Keyless records of one batch share one partition (sticky).
  expect(new Set(metas.filter((_, i) => i % 3 === 2).map((m) => m.partition)).size).toBe(1);
});

test('bufferMaxRecords bounds queued + unacknowledged records; waiting sends keep their order', async () => {
  await admin.createTopic('bounded', { partitions: 1 });
  const p = new Producer({ broker, bufferMaxRecords: 10, batchMaxRecords: 4, lingerMs: 1 });
  await p.connect();
  let maxSeen = 0;
  const sends = Array.from({ length: 100 }, (_, i) => {
    const s = p.send('bounded', { value: `r${i}` });
    maxSeen = Math.max(maxSeen, p.bufferedRecords);
    return s.then((m) => {
      maxSeen = Math.max(maxSeen, p.bufferedRecords);
      return m;
    });
  });
  expect(p.bufferedRecords).toBe(10);
  const metas = await Promise.all(sends);
  expect(maxSeen).toBeLessThanOrEqual(10);
  expect(metas.map((m) => m.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(p.bufferedRecords).toBe(0);
  await p.close();
});

test('records built when taken: a seek or pause in the middle of a buffered fetch answer drops exactly the stale records', async () => {
  await admin.createTopic('lazy', { partitions: 2 });
  const p = new Producer({ broker, lingerMs: 5, batchMaxRecords: 1_000 });
  await p.connect();
  // Partition 0 headerless (built lazily), partition 1 with headers on some records (decoded at once).
  await Promise.all(
    Array.from({ length: 400 }, (_, i) =>
      p.send('lazy', { value: `v${i}`, partition: i % 2, key: i % 5 === 0 ? `k${i}` : undefined, headers: i % 2 === 1 && i % 3 === 0 ? { n: i } : undefined }),
    ),
  );
  await p.close();
  const c = new Consumer({ broker, maxRecordsPerFetch: 150, bufferMaxRecords: 1_000 });
  await c.assign([0, 1].map((partition) => ({ topic: 'lazy', partition, offset: 0 })));
  const seen: { partition: number; offset: number; value: string; key: string | null; headers: unknown }[] = [];
  const take = async (n: number): Promise<void> => {
    // poll() may come back empty when every buffered record was stale (dropped): retry until the deadline.
    const deadline = Date.now() + 10_000;
    while (n > 0) {
      expect(Date.now()).toBeLessThan(deadline);
      const batch = await c.poll(1_000, n);
      for (const r of batch) seen.push({ partition: r.partition, offset: r.offset, value: r.value.toString(), key: r.key?.toString() ?? null, headers: r.headers });
      n -= batch.length;
    }
  };
  await take(50);
  // Back to offset 10 of partition 0 while answers of both partitions sit in the buffer, partly taken.
  c.seek('lazy', 0, 10);
  c.pause([{ topic: 'lazy', partition: 1 }]);
  seen.length = 0;
  await take(190);
  expect(seen.every((r) => r.partition === 0)).toBe(true);
  expect(seen.map((r) => r.offset)).toEqual(Array.from({ length: 190 }, (_, i) => 10 + i));
  c.resume([{ topic: 'lazy', partition: 1 }]);
  seen.length = 0;
  await take(200);
  const p1 = seen.filter((r) => r.partition === 1);
  // Partition 1 continues from its consumed position, no gaps, no repeats; values, keys and headers intact.
  expect(p1.map((r) => r.offset)).toEqual(Array.from({ length: p1.length }, (_, i) => p1[0].offset + i));
  for (const r of p1) {
    const i = r.offset * 2 + 1;
    expect(r).toEqual({ partition: 1, offset: r.offset, value: `v${i}`, key: i % 5 === 0 ? `k${i}` : null, headers: i % 3 === 0 ? { n: i } : null });
  }
  await c.close();
});
