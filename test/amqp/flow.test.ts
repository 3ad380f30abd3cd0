/**
 * Flow control: connection.blocked/unblocked driven by the broker's resource alarms (publishing connections stop
 * being read), and socket backpressure (a consumer that does not read never makes the broker buffer without
 * bound; its messages stay in the queue until it reads again).
 */
import amqp from 'amqplib';
import { startBroker, waitFor, type InProcessBroker } from '../helpers/broker';
import { amqpUrl, Collector, once } from './amqp-helpers';
import { RawClient } from './raw-client';

/** Moves the memory watermark of the real alarm component and re-samples (the alarm itself is not mocked). */
function setMemoryWatermark(b: InProcessBroker, bytes: number): void {
  const alarms = b.broker.context().alarms as unknown as { src: { memoryHighWatermarkBytes: number }; check(): void };
  alarms.src.memoryHighWatermarkBytes = bytes;
  alarms.check();
}

test('memory alarm: connection.blocked, publishes held back, unblocked resumes them', async () => {
  const b = await startBroker();
  try {
    const publisher = await amqp.connect(amqpUrl(b.ports.amqp));
    const observer = await amqp.connect(amqpUrl(b.ports.amqp));
    const pch = await publisher.createChannel();
    const och = await observer.createChannel();
    const q = await och.assertQueue('blocked-q', { autoDelete: false });
    pch.sendToQueue(q.queue, Buffer.from('before'));
    await waitFor(async () => (await och.checkQueue(q.queue)).messageCount === 1, 5000, 'first message');

    const blocked = once<string>(publisher, 'blocked');
    setMemoryWatermark(b, 1);
    expect(typeof (await blocked)).toBe('string');
    pch.sendToQueue(q.queue, Buffer.from('while blocked'));
    // The observer (which never published) still works; the publisher's message is not taken in.
    for (let i = 0; i < 5; i++) expect((await och.checkQueue(q.queue)).messageCount).toBe(1);

    const unblocked = once(publisher, 'unblocked');
    setMemoryWatermark(b, Number.MAX_SAFE_INTEGER);
    await unblocked;
    await waitFor(async () => (await och.checkQueue(q.queue)).messageCount === 2, 5000, 'held message');
    await och.deleteQueue(q.queue);
    await publisher.close();
    await observer.close();
  } finally {
    await b.stop();
  }
});

test('a consumer that stops reading does not make the broker buffer its queue', async () => {
  const socketMax = 64 * 1024;
  const b = await startBroker({ limits: { socketWriteBufferMaxBytes: socketMax } });
  try {
    const conn = await amqp.connect(amqpUrl(b.ports.amqp));
    const ch = await conn.createConfirmChannel();
    const q = await ch.assertQueue('slow-consumer-q', { autoDelete: false });
    // More than loopback's kernel socket buffers can absorb (several MB), so the broker's own buffering shows.
    const n = 1000;
    const body = Buffer.alloc(32 * 1024, 'b');

    const raw = await RawClient.handshake(b.ports.amqp);
    raw.send(1, 'channel.open', { outOfBand: '' });
    await raw.expect('channel.open-ok');
    raw.send(1, 'basic.consume', { ticket: 0, queue: q.queue, consumerTag: 'slow', noLocal: false, noAck: true, exclusive: false, noWait: false, arguments: {} } as never);
    await raw.expect('basic.consume-ok');
    raw.socket.pause();

    for (let i = 0; i < n; i++) ch.sendToQueue(q.queue, body);
    await ch.waitForConfirms();
    // Most of the 32 MB stays in the queue: only about socketWriteBufferMaxBytes (+ kernel buffers) left it.
    const left = (await ch.checkQueue(q.queue)).messageCount;
    expect(left).toBeGreaterThan(n / 3);

    // Once the consumer reads again, everything arrives.
    let delivered = 0;
    const counter = setInterval(() => undefined, 1000);
    raw.socket.resume();
    await waitFor(async () => {
      for (;;) {
        const f = await raw.nextFrame(50).catch(() => null);
        if (f === null) break;
        if (f.type === 1 && f.payload.readUInt32BE(0) === ((60 << 16) | 60)) delivered++;
      }
      return delivered === n;
    }, 20_000, `${n} deliveries (got ${delivered})`);
    clearInterval(counter);
    raw.destroy();
    await ch.deleteQueue(q.queue);
    await conn.close();
  } finally {
    await b.stop();
  }
});

test('amqplib callback API: publish, consume, ack, channel error callback', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cb = require('amqplib/callback_api') as typeof import('amqplib/callback_api');
  const b = await startBroker();
  try {
    const conn = await new Promise<import('amqplib/callback_api').Connection>((resolve, reject) =>
      cb.connect(amqpUrl(b.ports.amqp), (err, c) => (err ? reject(err) : resolve(c))));
    const ch = await new Promise<import('amqplib/callback_api').Channel>((resolve, reject) =>
      conn.createChannel((err, c) => (err ? reject(err) : resolve(c))));
    const q = await new Promise<string>((resolve, reject) =>
      ch.assertQueue('', { exclusive: true }, (err, ok) => (err ? reject(err) : resolve(ok.queue))));
    const col = new Collector();
    await new Promise<void>((resolve, reject) => ch.consume(q, (m) => {
      col.onMessage(m);
      if (m) ch.ack(m);
    }, {}, (err) => (err ? reject(err) : resolve())));
    ch.sendToQueue(q, Buffer.from('cb1'));
    ch.sendToQueue(q, Buffer.from('cb2'));
    await col.waitFor(2);
    expect(col.bodies()).toEqual(['cb1', 'cb2']);

    const ch2 = await new Promise<import('amqplib/callback_api').Channel>((resolve, reject) =>
      conn.createChannel((err, c) => (err ? reject(err) : resolve(c))));
    ch2.on('error', () => undefined);
    const code = await new Promise<unknown>((resolve) => ch2.checkQueue('missing-cb-queue', (err) => resolve((err as { code?: unknown } | null)?.code)));
    expect(code).toBe(404);
    await new Promise<void>((resolve) => conn.close(() => resolve()));
  } finally {
    await b.stop();
  }
});
