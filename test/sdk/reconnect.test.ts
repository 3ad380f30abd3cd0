/**
 * Reconnect through a broker restart (kill -9 of a child broker, then restart on the same ports and data):
 * the producer retries and the consumer resumes; every record acknowledged with durable acks is there after
 * the restart.
 */
import { Admin, Consumer, PartitionStream, PolymqClient, Producer, type RecordMetadata } from '../../src/sdk';
import { startBrokerProcess, waitFor, type ChildBroker } from '../helpers/broker';

let child: ChildBroker;

afterAll(async () => {
  await child?.stop().catch(() => undefined);
});

test('no acknowledged record is lost across kill -9 and restart; clients reconnect by themselves', async () => {
  child = await startBrokerProcess();
  const broker = `127.0.0.1:${child.ports.native}`;
  const reconnect = { reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 500 };
  const admin = new Admin({ broker, ...reconnect });
  await admin.createTopic('durable', { partitions: 2 });

  const producer = new Producer({ broker, retries: 50, retryBackoffMs: 50, ...reconnect });
  const consumer = new Consumer({ broker, groupId: 'survivors', maxWaitMs: 200, heartbeatIntervalMs: 200, ...reconnect });
  await consumer.subscribe(['durable']);
  const consumed = new Set<string>();
  const draining = (async () => {
    for (;;) {
      const r = await consumer.nextRecord();
      if (r === null) return;
      consumed.add(r.value.toString());
    }
  })();

  // A push stream on partition 0 resubscribes by itself after the reconnect, from the first record not handed out.
  const streamClient = new PolymqClient({ broker, ...reconnect });
  const stream = new PartitionStream(streamClient, { topic: 'durable', partition: 0, offset: 0, windowRecords: 50 });
  await stream.start();
  const streamed: number[] = [];
  const streaming = (async () => {
    for (;;) {
      const r = await stream.next().catch(() => null);
      if (r === null) return;
      streamed.push(r.offset);
    }
  })();

  const acked: RecordMetadata[] = [];
  const ackedValues = new Set<string>();
  let failures = 0;
  let i = 0;
  const sendOne = async (): Promise<void> => {
    const value = `v${i++}`;
    try {
      acked.push(await producer.send('durable', { key: value, value }));
      ackedValues.add(value);
    } catch {
      failures++;
    }
  };
  for (let k = 0; k < 100; k++) await sendOne();
  // Kill the broker while sends are in flight, then bring it back on the same ports and data.
  const inflight = Array.from({ length: 50 }, () => sendOne());
  await child.kill();
  child = await child.restart();
  await Promise.all(inflight);
  for (let k = 0; k < 100; k++) await sendOne();
  await producer.close();
  expect(ackedValues.size).toBeGreaterThanOrEqual(200);

  // Every acknowledged record is in the log after the restart...
  const t = await admin.describeTopic('durable');
  const total = t.partitions.reduce((s, p) => s + p.endOffset - p.startOffset, 0);
  expect(total).toBeGreaterThanOrEqual(ackedValues.size);
  // ...and the group consumer, reconnected by itself, reads them all (at-least-once).
  await waitFor(() => [...ackedValues].every((v) => consumed.has(v)), 30_000, 'consumer saw every acked record');
  await consumer.close();
  await draining;
  const p0End = t.partitions[0].endOffset;
  await waitFor(() => streamed.length >= p0End, 30_000, 'stream caught up');
  // Offsets in order without gaps or repeats: the stream resumed exactly where it stopped.
  expect(streamed.slice(0, p0End)).toEqual(Array.from({ length: p0End }, (_, k) => k));
  await stream.close();
  await streaming;
  await streamClient.close();
  await admin.close();
  expect(failures).toBe(0);
});
