import fs from 'node:fs';
import os from 'node:os';
import type { Message } from '../../../src/core/message';
import { rootLogger } from '../../../src/core/logger';
import type { ConsumerSpec, Delivery, QueueSpec } from '../../../src/core/types';
import { StreamQueue } from '../../../src/core/topics/stream-queue';
import { parseStreamOffset, retentionFromArguments } from '../../../src/core/topics/stream-args';
import { expectCode, makeRegistry, until, openSqliteStores } from './helpers';
import type { Fixture } from './helpers';

// Silent: one test provokes an error log on purpose.
const logger = rootLogger().child({ test: 'stream-queue' }, { level: 'silent' });

function spec(name = 'events', args: QueueSpec['arguments'] = {}): QueueSpec {
  return { name, durable: true, exclusive: false, autoDelete: false, arguments: { 'x-queue-type': 'stream', ...args } };
}

function msg(body: string, receivedAtMs?: number): Message {
  return {
    exchange: '',
    routingKey: 'events',
    properties: { contentType: 'text/plain', headers: { n: body }, deliveryMode: 2 },
    body: Buffer.from(body),
    receivedAtMs,
  };
}

/** The adapter side of a consumer: collects deliveries, credit can be switched off. */
function consumer(tag: string, args: ConsumerSpec['arguments'] = {}, prefetch = 10) {
  const got: Delivery[] = [];
  const state = { open: true, cancelledWith: null as string | null };
  const c: ConsumerSpec = {
    tag,
    noAck: false,
    exclusive: false,
    prefetch,
    priority: 0,
    arguments: args,
    owner: 'test',
    canDeliver: () => state.open,
    deliver: (d) => got.push(d),
    cancelled: (reason) => (state.cancelledWith = reason),
  };
  return { c, got, state, bodies: () => got.map((d) => d.message.body.toString()) };
}

async function withStream(args: QueueSpec['arguments'] = {}, now?: () => number): Promise<{ f: Fixture; q: StreamQueue }> {
  const f = makeRegistry();
  const q = await StreamQueue.open(spec('events', args), f.registry, { logger, now });
  return { f, q };
}

async function fill(q: StreamQueue, bodies: string[], receivedAtMs?: (i: number) => number): Promise<void> {
  await Promise.all(bodies.map((b, i) => q.enqueue(msg(b, receivedAtMs?.(i)))));
}

describe('StreamQueue', () => {
  test('refuses consumers without prefetch or with auto-ack, and basic.get', async () => {
    const { q } = await withStream();
    await expectCode(() => q.consume(consumer('a', {}, 0).c), 'PRECONDITION_FAILED');
    await expectCode(() => q.consume({ ...consumer('a').c, noAck: true }), 'NOT_IMPLEMENTED');
    await expectCode(() => q.get(false, 'test'), 'NOT_IMPLEMENTED');
    await expectCode(() => q.consume(consumer('a', { 'x-stream-offset': 'bogus' }).c), 'PRECONDITION_FAILED');
    await expectCode(() => new StreamQueue(spec('has space'), makeRegistry().registry, { logger }), 'PRECONDITION_FAILED');
  });

  test('first: delivers from the start within prefetch; ack returns credit; offsets and properties kept', async () => {
    const { q } = await withStream();
    await fill(q, ['m0', 'm1', 'm2', 'm3', 'm4']);
    const a = consumer('a', { 'x-stream-offset': 'first' }, 2);
    q.consume(a.c);
    expect(a.bodies()).toEqual(['m0', 'm1']);
    q.ack([a.got[0].id]);
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2']);
    q.nack([a.got[1].id, a.got[2].id], true); // requeue is a no-op on streams: only credit comes back
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(a.got.map((d) => d.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(a.got.every((d) => !d.redelivered && d.queue === 'events')).toBe(true);
    expect(a.got[0].message.properties).toEqual({ contentType: 'text/plain', headers: { n: 'm0' }, deliveryMode: 2 });
    expect(q.info()).toEqual({ name: 'events', messageCount: 5, consumerCount: 1 });
  });

  test('next (default) sees only new messages, parked consumers wake on commit; last = last record', async () => {
    const { q } = await withStream();
    await fill(q, ['old0', 'old1']);
    const n = consumer('n');
    const l = consumer('l', { 'x-stream-offset': 'last' });
    q.consume(n.c);
    q.consume(l.c);
    expect(n.bodies()).toEqual([]);
    expect(l.bodies()).toEqual(['old1']);
    await fill(q, ['new0']);
    await until(() => n.got.length === 1 && l.got.length === 2);
    expect(n.bodies()).toEqual(['new0']);
    expect(n.got[0].offset).toBe(2);
  });

  test('numeric offset, timestamp (AMQP "T", seconds) and interval ("1h") starts', async () => {
    const now = Date.now();
    const hour = 3_600_000;
    const { q } = await withStream({}, () => now);
    // Four messages: 3h, 2h, 30 min and 1 min old.
    const ages = [3 * hour, 2 * hour, hour / 2, 60_000];
    await fill(q, ['a', 'b', 'c', 'd'], (i) => now - ages[i]);
    const byOffset = consumer('o', { 'x-stream-offset': 2 });
    const byLong = consumer('l', { 'x-stream-offset': BigInt(1) });
    const byTs = consumer('t', { 'x-stream-offset': { amqpType: 'T', value: Math.floor((now - 2.5 * hour) / 1000) } });
    const byAge = consumer('i', { 'x-stream-offset': '1h' });
    const beyond = consumer('b', { 'x-stream-offset': 99 });
    for (const c of [byOffset, byLong, byTs, byAge, beyond]) q.consume(c.c);
    expect(byOffset.bodies()).toEqual(['c', 'd']);
    expect(byLong.bodies()).toEqual(['b', 'c', 'd']);
    expect(byTs.bodies()).toEqual(['b', 'c', 'd']);
    expect(byAge.bodies()).toEqual(['c', 'd']);
    expect(beyond.bodies()).toEqual([]);
  });

  test('credit from the adapter: canDeliver false pauses, resume continues; cancel stops', async () => {
    const { q } = await withStream();
    await fill(q, ['x', 'y', 'z']);
    const a = consumer('a', { 'x-stream-offset': 'first' });
    a.state.open = false;
    q.consume(a.c);
    expect(a.got).toHaveLength(0);
    a.state.open = true;
    q.resume();
    expect(a.bodies()).toEqual(['x', 'y', 'z']);
    q.cancel('a');
    await fill(q, ['after']);
    expect(a.got).toHaveLength(3);
    expect(q.info().consumerCount).toBe(0);
  });

  test('AMQP messages and native records are the same log, readable both ways', async () => {
    const { f, q } = await withStream();
    await q.enqueue(msg('from-amqp'));
    const [batch] = f.registry.produce('events', [{ key: Buffer.from('k1'), value: Buffer.from('from-native'), headers: { trace: 't-1' } }]);
    await batch.durable;
    const native = f.registry.fetch('events', 0, 0, 10, 1 << 20);
    expect(native.map((r) => r.value.toString())).toEqual(['from-amqp', 'from-native']);
    expect(native[0].headers).toMatchObject({ n: 'from-amqp', contentType: 'text/plain' });
    const a = consumer('a', { 'x-stream-offset': 'first' });
    q.consume(a.c);
    expect(a.bodies()).toEqual(['from-amqp', 'from-native']);
    expect(a.got[1].message.properties.headers).toEqual({ trace: 't-1' });
    expect(a.got[1].message.routingKey).toBe('k1');
  });

  test('retention arguments map to the topic; bad values are PRECONDITION_FAILED; delete cancels consumers', async () => {
    expect(retentionFromArguments({ 'x-max-age': '7D', 'x-max-length-bytes': 1_000_000 })).toEqual({
      maxAgeMs: 7 * 86_400_000,
      maxBytes: 1_000_000,
    });
    expect(retentionFromArguments({ 'x-max-age': '30m' })).toEqual({ maxAgeMs: 1_800_000 });
    await expectCode(() => retentionFromArguments({ 'x-max-age': '7 days' }), 'PRECONDITION_FAILED');
    await expectCode(() => retentionFromArguments({ 'x-max-length-bytes': 'big' }), 'PRECONDITION_FAILED');
    expect(parseStreamOffset(undefined)).toEqual({ kind: 'next' });
    expect(parseStreamOffset({ amqpType: 'l', value: 7 })).toEqual({ kind: 'offset', offset: 7 });

    const { f, q } = await withStream({ 'x-max-age': '1h', 'x-max-length-bytes': { amqpType: 'l', value: 5000 } });
    expect(f.registry.describeTopic('events').retention).toEqual({ maxAgeMs: 3_600_000, maxBytes: 5000 });
    await fill(q, ['a', 'b']);
    const a = consumer('a', { 'x-stream-offset': 'first' });
    q.consume(a.c);
    await expectCode(f.registry.deleteTopic('events'), 'PRECONDITION_FAILED'); // only through the queue
    expect(await q.delete()).toBe(2);
    expect(a.state.cancelledWith).toBe('queue deleted');
    expect(f.registry.hasTopic('events')).toBe(false);
  });

  test('a consumer that joins before the topic exists starts once it does; an existing multi-partition topic is refused', async () => {
    const f = makeRegistry();
    const q = new StreamQueue(spec('early'), f.registry, { logger });
    const a = consumer('a', { 'x-stream-offset': 'first' });
    q.consume(a.c);
    await q.enqueue(msg('hello'));
    await until(() => a.got.length === 1);
    await f.registry.createTopic({ name: 'wide', partitions: 3, retention: {} });
    await expectCode(StreamQueue.open(spec('wide'), f.registry, { logger }), 'PRECONDITION_FAILED');
  });

  test('a stream on SQLite survives a restart with its messages and retention', async () => {
    const dir = fs.mkdtempSync(os.tmpdir() + '/polymq-');
    const open = (): ReturnType<typeof openSqliteStores> => openSqliteStores(dir);
    try {
      const first = await open();
      const a = makeRegistry(first);
      await a.registry.recover();
      const q1 = await StreamQueue.open(spec('events', { 'x-max-age': '7D' }), a.registry, { logger });
      await fill(q1, ['one', 'two']);
      q1.close();
      a.registry.close();
      await first.store.close();
      await first.meta.close();

      const second = await open();
      const b = makeRegistry(second);
      await b.registry.recover();
      const q2 = await StreamQueue.open(spec('events', { 'x-max-age': '7D' }), b.registry, { logger });
      const c = consumer('c', { 'x-stream-offset': 'first' });
      q2.consume(c.c);
      expect(c.bodies()).toEqual(['one', 'two']);
      expect(c.got[1].message.properties.contentType).toBe('text/plain');
      expect(b.registry.describeTopic('events').retention).toEqual({ maxAgeMs: 7 * 86_400_000 });
      q2.close();
      b.registry.close();
      await second.store.close();
      await second.meta.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
