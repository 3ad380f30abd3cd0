/**
 * SDK against an in-process broker: per-partition ordering and key stickiness, commit & resume, seek & replay
 * (offset and timestamp), pause/resume, push streams with credit, ack levels and typed errors.
 */
import { Admin, Consumer, PartitionStream, PolymqClient, PolymqError, Producer, type ConsumedRecord } from '../../src/sdk';
import { startBroker, type InProcessBroker } from '../helpers/broker';

let b: InProcessBroker;
let broker: string;
let admin: Admin;

beforeAll(async () => {
  b = await startBroker();
  broker = `127.0.0.1:${b.ports.native}`;
  admin = new Admin({ broker });
  await admin.connect();
});

afterAll(async () => {
  await admin.close();
  await b.stop();
});

async function take(consumer: Consumer, n: number): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  while (out.length < n) {
    const r = await consumer.nextRecord();
    if (r === null) break;
    out.push(r);
  }
  return out;
}

async function produceValues(topic: string, values: string[], extra: { key?: string; partition?: number } = {}): Promise<void> {
  const p = new Producer({ broker });
  await p.sendBatch(topic, values.map((v) => ({ value: v, ...extra })));
  await p.close();
}

test('records keep their order per partition and a key always lands on one partition', async () => {
  await admin.createTopic('orders', { partitions: 3 });
  const producer = new Producer({ broker, lingerMs: 5, batchMaxRecords: 37 });
  const keys = ['a', 'b', 'c', 'd', 'e'];
  const sends = [];
  for (let i = 0; i < 300; i++) sends.push(producer.send('orders', { key: keys[i % 5], value: `${keys[i % 5]}-${i}` }));
  const meta = await Promise.all(sends);
  await producer.close();
  const partitionOfKey = new Map<string, number>();
  meta.forEach((m, i) => {
    const k = keys[i % 5];
    expect(partitionOfKey.get(k) ?? m.partition).toBe(m.partition);
    partitionOfKey.set(k, m.partition);
  });

  const consumer = new Consumer({ broker });
  await consumer.assign([0, 1, 2].map((p) => ({ topic: 'orders', partition: p, offset: 0 })));
  const got = await take(consumer, 300);
  await consumer.close();
  const lastIndexOfKey = new Map<string, number>();
  const lastOffsetOfPartition = new Map<number, number>();
  for (const r of got) {
    const [k, i] = r.value.toString().split('-');
    expect(r.key?.toString()).toBe(k);
    expect(r.partition).toBe(partitionOfKey.get(k));
    expect(Number(i)).toBeGreaterThan(lastIndexOfKey.get(k) ?? -1);
    lastIndexOfKey.set(k, Number(i));
    expect(r.offset).toBe((lastOffsetOfPartition.get(r.partition) ?? -1) + 1);
    lastOffsetOfPartition.set(r.partition, r.offset);
  }
  // Acknowledged offsets are the offsets the consumer sees.
  const byValue = new Map(got.map((r) => [r.value.toString(), `${r.partition}/${r.offset}`]));
  meta.forEach((m, i) => expect(byValue.get(`${keys[i % 5]}-${i}`)).toBe(`${m.partition}/${m.offset}`));
});

test('a group commits and a new member resumes after the last commit', async () => {
  await admin.createTopic('resume', { partitions: 2 });
  await produceValues('resume', Array.from({ length: 40 }, (_, i) => `r${i}`));
  const c1 = new Consumer({ broker, groupId: 'resumers', autoCommit: false });
  await c1.subscribe(['resume']);
  const first = await take(c1, 25);
  await c1.commit();
  await c1.close();

  const c2 = new Consumer({ broker, groupId: 'resumers', autoCommit: false });
  await c2.subscribe(['resume']);
  const rest = await take(c2, 15);
  await c2.commit();
  await c2.close();
  const all = [...first, ...rest].map((r) => r.value.toString()).sort();
  expect(all).toEqual(Array.from({ length: 40 }, (_, i) => `r${i}`).sort());
  const g = await admin.describeGroup('resumers');
  expect(g.lag.reduce((s, l) => s + l.lag, 0)).toBe(0);
  const committed = await admin.fetchOffsets('resumers', 'resume');
  expect(committed.reduce((s, o) => s + o.offset, 0)).toBe(40);
});

test('auto commit commits consumed records on close', async () => {
  await admin.createTopic('autocommit', { partitions: 1 });
  await produceValues('autocommit', ['a', 'b', 'c', 'd']);
  const c = new Consumer({ broker, groupId: 'auto', autoCommitIntervalMs: 100_000 });
  await c.subscribe(['autocommit']);
  await take(c, 3);
  await c.close();
  expect(await admin.fetchOffsets('auto', 'autocommit')).toEqual([{ topic: 'autocommit', partition: 0, offset: 3 }]);
});

test('seek by offset and by timestamp replays records', async () => {
  await admin.createTopic('replay', { partitions: 1 });
  const p = new Producer({ broker });
  const base = 1_700_000_000_000;
  await p.sendBatch('replay', Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, timestamp: base + i * 1000 })));
  await p.close();
  const c = new Consumer({ broker });
  await c.assign([{ topic: 'replay', partition: 0, offset: 0 }]);
  expect((await take(c, 10)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  c.seek('replay', 0, 7);
  expect((await take(c, 3)).map((r) => r.value.toString())).toEqual(['v7', 'v8', 'v9']);
  await c.seekToTimestamp('replay', base + 4500);
  const again = await take(c, 5);
  expect(again.map((r) => r.offset)).toEqual([5, 6, 7, 8, 9]);
  expect(again[0].timestamp).toBe(base + 5000);
  await c.seekToBeginning('replay');
  expect((await take(c, 1))[0].offset).toBe(0);
  await c.close();
});

test('pause stops delivery of a partition, resume continues where it stopped', async () => {
  await admin.createTopic('pausing', { partitions: 2 });
  await produceValues('pausing', ['p0-a', 'p0-b'], { partition: 0 });
  await produceValues('pausing', ['p1-a', 'p1-b'], { partition: 1 });
  const c = new Consumer({ broker });
  await c.assign([{ topic: 'pausing', partition: 0, offset: 0 }, { topic: 'pausing', partition: 1, offset: 0 }]);
  c.pause([{ topic: 'pausing', partition: 0 }]);
  const got = await take(c, 2);
  // Records of p0 fetched before the pause may be dropped, never delivered while paused.
  expect(got.map((r) => r.value.toString())).toEqual(['p1-a', 'p1-b']);
  c.resume([{ topic: 'pausing', partition: 0 }]);
  expect((await take(c, 2)).map((r) => r.value.toString())).toEqual(['p0-a', 'p0-b']);
  await c.close();
});

test('PartitionStream follows a partition with credit, including records appended later', async () => {
  await admin.createTopic('stream', { partitions: 1 });
  await produceValues('stream', Array.from({ length: 25 }, (_, i) => `s${i}`));
  const client = new PolymqClient({ broker });
  const stream = new PartitionStream(client, { topic: 'stream', partition: 0, offset: 0, windowRecords: 4 });
  await stream.start();
  const got: string[] = [];
  for await (const r of stream) {
    got.push(r.value.toString());
    if (got.length === 25) void produceValues('stream', ['late']);
    if (got.length === 26) break;
  }
  expect(got).toEqual([...Array.from({ length: 25 }, (_, i) => `s${i}`), 'late']);
  await client.close();
});

test('ack levels none and leader; typed errors with codes', async () => {
  await admin.createTopic('acklevels', { partitions: 1 });
  const none = new Producer({ broker, acks: 'none' });
  const m = await none.send('acklevels', { value: 'fire' });
  expect(m.offset).toBe(-1);
  await none.close();
  const leader = new Producer({ broker, acks: 'leader' });
  expect((await leader.send('acklevels', { value: 'led' })).offset).toBe(1);
  const err = await leader.send('no-such-topic', { value: 'x' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PolymqError);
  expect((err as PolymqError).code).toBe('UNKNOWN_TOPIC');
  await leader.close();
  const dup = await admin.createTopic('acklevels').catch((e: unknown) => e);
  expect((dup as PolymqError).code).toBe('ALREADY_EXISTS');
  const refused = new Admin({ broker, password: 'wrong' });
  expect(((await refused.connect().catch((e: unknown) => e)) as PolymqError).code).toBe('ACCESS_REFUSED');
  await refused.close();
});

test('admin: list, describe, status, delete', async () => {
  await admin.createTopic('admin-t', { partitions: 2, retention: { maxAgeMs: 60_000 } });
  const d = await admin.describeTopic('admin-t');
  expect(d.partitions).toHaveLength(2);
  expect(d.retention).toEqual({ maxAgeMs: 60_000 });
  expect((await admin.listTopics()).map((t) => t.name)).toContain('admin-t');
  const s = await admin.status();
  expect(s.listeners.map((l) => l.protocol)).toEqual(expect.arrayContaining(['native', 'amqp', 'mqtt']));
  expect(s.topics.find((t) => t.name === 'admin-t')?.partitions).toBe(2);
  await admin.deleteTopic('admin-t');
  expect(((await admin.describeTopic('admin-t').catch((e: unknown) => e)) as PolymqError).code).toBe('UNKNOWN_TOPIC');
});

test('the SDK works over WebSocket /native on the HTTP port', async () => {
  await admin.createTopic('over-ws', { partitions: 1 });
  const websocketUrl = `ws://127.0.0.1:${b.ports.http}/native`;
  const p = new Producer({ websocketUrl });
  const sent = await p.sendBatch('over-ws', [{ value: 'w1' }, { value: 'w2', key: 'k' }]);
  expect(sent.map((m) => m.offset)).toEqual([0, 1]);
  await p.close();
  const c = new Consumer({ websocketUrl });
  await c.assign([{ topic: 'over-ws', partition: 0, offset: 0 }]);
  expect((await take(c, 2)).map((r) => r.value.toString())).toEqual(['w1', 'w2']);
  await c.close();
});
