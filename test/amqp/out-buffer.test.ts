/**
 * The outgoing-bytes slab (protocols/amqp/out-buffer.ts): deliveries encoded in place must be byte-identical to
 * the codec's method + content header + body frames, bytes handed to the socket must never be overwritten, and
 * through a real broker a burst larger than one slab, mixed with bodies that skip the slab, arrives intact and
 * in order.
 */
import amqp from 'amqplib';
import { encodeMethodWithContent } from '../../protocols/amqp/codec/content';
import { makeMethod } from '../../protocols/amqp/codec/methods.generated';
import { OutBuffer, OUT_SLAB_BYTES } from '../../protocols/amqp/out-buffer';
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { amqpUrl, Collector } from './amqp-helpers';

const RAW_PROPS = Buffer.from([0x10, 0x00, 0x02]); // flags: delivery-mode present; delivery-mode 2

function expected(channel: number, tag: string, deliveryTag: number, redelivered: boolean, exchange: string, routingKey: string, body: Buffer, frameMax: number): Buffer {
  const method = makeMethod('basic.deliver', { consumerTag: tag, deliveryTag, redelivered, exchange, routingKey });
  return encodeMethodWithContent(channel, method, {}, RAW_PROPS, body, frameMax);
}

function all(bufs: Buffer[]): Buffer {
  return Buffer.concat(bufs);
}

describe('OutBuffer', () => {
  test.each([
    ['small body', 1024, 131072],
    ['empty body', 0, 131072],
    ['body split over body frames', 10_000, 4096],
    ['body exactly one frame', 4096 - 8, 4096],
  ])('deliver() matches the codec: %s', (_name, size, frameMax) => {
    const body = Buffer.alloc(size);
    for (let i = 0; i < size; i++) body[i] = i & 0xff;
    const out = new OutBuffer();
    out.deliver(7, Buffer.from('ctag'), 2 ** 40 + 3, true, 'ex', 'rk', RAW_PROPS, body, frameMax);
    expect(all(out.take()).equals(expected(7, 'ctag', 2 ** 40 + 3, true, 'ex', 'rk', body, frameMax))).toBe(true);
  });

  test('multi-byte UTF-8 exchange and routing key are length-prefixed in bytes', () => {
    const out = new OutBuffer();
    const body = Buffer.from('héllo');
    out.deliver(1, Buffer.from('tâg'), 1, false, 'éx', 'clé.ü', RAW_PROPS, body, 131072);
    expect(all(out.take()).equals(expected(1, 'tâg', 1, false, 'éx', 'clé.ü', body, 131072))).toBe(true);
  });

  test('take() keeps order across slabs and never hands out bytes it later overwrites', () => {
    const out = new OutBuffer();
    expect(out.take()).toEqual([]);
    const frame = (i: number): Buffer => Buffer.alloc(1000, i & 0xff);
    out.append(frame(1));
    const first = out.take();
    expect(first).toHaveLength(1);
    const firstCopy = Buffer.from(first[0]);
    // More than a slab's worth in one tick: the slab fills and a new one is started.
    const count = Math.ceil((2 * OUT_SLAB_BYTES) / 1000);
    for (let i = 0; i < count; i++) out.append(frame(i + 2));
    expect(out.length).toBe(count * 1000);
    const second = out.take();
    expect(second.length).toBeGreaterThan(1);
    expect(first[0].equals(firstCopy)).toBe(true);
    const joined = all(second);
    expect(joined.length).toBe(count * 1000);
    for (let i = 0; i < count; i++) expect(joined[i * 1000]).toBe((i + 2) & 0xff);
    expect(out.length).toBe(0);
  });
});

describe('through the broker', () => {
  let b: InProcessBroker;
  beforeAll(async () => {
    b = await startBroker();
  });
  afterAll(async () => {
    await b.stop();
  });

  test('a burst larger than a slab, with bodies larger than a slab, arrives intact and in order', async () => {
    const conn = await amqp.connect(`${amqpUrl(b.ports.amqp)}?frameMax=8192`);
    try {
      const ch = await conn.createChannel();
      const q = await ch.assertQueue('', { exclusive: true });
      const sizes: number[] = [];
      for (let i = 0; i < 300; i++) sizes.push(i % 50 === 49 ? 40_000 : 1 + (i % 7) * 300);
      sizes.forEach((size, i) => ch.sendToQueue(q.queue, Buffer.alloc(size, i & 0xff), { headers: { i } }));
      const col = new Collector();
      await ch.consume(q.queue, col.onMessage, { noAck: true });
      await col.waitFor(sizes.length);
      col.messages.forEach((m, i) => {
        expect(m.properties.headers?.i).toBe(i);
        expect(m.content.length).toBe(sizes[i]);
        expect(m.content.every((x) => x === (i & 0xff))).toBe(true);
      });
    } finally {
      await conn.close();
    }
  });

  test('re-encoded deliveries (stream queue) whose body frames skip the slab stay in order', async () => {
    const conn = await amqp.connect(amqpUrl(b.ports.amqp));
    try {
      const ch = await conn.createChannel();
      const q = `out-buffer-stream-${process.pid}`;
      await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'stream' } });
      const sizes: number[] = [];
      for (let i = 0; i < 60; i++) sizes.push(i % 10 === 9 ? 50_000 : 100 + i);
      sizes.forEach((size, i) => ch.sendToQueue(q, Buffer.alloc(size, i & 0xff)));
      await ch.prefetch(100);
      const col = new Collector();
      await ch.consume(q, (m) => {
        col.onMessage(m);
        if (m !== null) ch.ack(m);
      }, { arguments: { 'x-stream-offset': 'first' } });
      await col.waitFor(sizes.length);
      col.messages.forEach((m, i) => {
        expect(m.properties.headers?.['x-stream-offset']).toBe(i);
        expect(m.content.length).toBe(sizes[i]);
        expect(m.content.every((x) => x === (i & 0xff))).toBe(true);
      });
      await ch.deleteQueue(q);
    } finally {
      await conn.close();
    }
  });
});
