/**
 * The delivery and ack hot paths (out-buffer deliveries, the basic.ack fast path in connection/channel) and the
 * per-turn read share over a raw socket: whatever the fast path does not take must still get the generic path's
 * answer, and a paused reader must always resume.
 */
import { encodeContentHeaderFrame } from '../../protocols/amqp/codec/properties';
import { encodeMethod, makeMethod } from '../../protocols/amqp/codec/methods.generated';
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { RawClient, rawFrame } from './raw-client';

let b: InProcessBroker;

beforeAll(async () => {
  b = await startBroker();
});

afterAll(async () => {
  await b.stop();
});

/** basic.publish to the default exchange with a body, as three frames. */
function publish(c: RawClient, channel: number, queue: string, body: string): void {
  c.send(channel, 'basic.publish', { ticket: 0, exchange: '', routingKey: queue, mandatory: false, immediate: false });
  c.write(encodeContentHeaderFrame(channel, 60, Buffer.byteLength(body), { contentType: 'text/plain', deliveryMode: 1 }));
  c.write(rawFrame(3, channel, Buffer.from(body)));
}

async function consumerWithDeliveries(c: RawClient, queue: string, bodies: string[]): Promise<number[]> {
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.send(1, 'queue.declare', { ticket: 0, queue, passive: false, durable: false, exclusive: true, autoDelete: false, noWait: false, arguments: {} });
  await c.expect('queue.declare-ok');
  for (const body of bodies) publish(c, 1, queue, body);
  c.send(1, 'basic.consume', { ticket: 0, queue, consumerTag: 'fp', noLocal: false, noAck: false, exclusive: false, noWait: false, arguments: {} });
  await c.expect('basic.consume-ok');
  const tags: number[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const d = await c.expect('basic.deliver');
    expect(d.args.consumerTag).toBe('fp');
    expect(d.args.routingKey).toBe(queue);
    const header = await c.nextFrame();
    expect(header?.type).toBe(2);
    const body = await c.nextFrame();
    expect(body?.payload.toString()).toBe(bodies[i]);
    tags.push(d.args.deliveryTag);
  }
  return tags;
}

test('single acks settle (queue empties); a repeated ack still gets 406 PRECONDITION_FAILED', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  try {
    const tags = await consumerWithDeliveries(c, 'fp-acks', ['a', 'b', 'c']);
    for (const t of tags) c.send(1, 'basic.ack', { deliveryTag: t, multiple: false });
    c.send(1, 'basic.ack', { deliveryTag: tags[0], multiple: false });
    expect(await c.channelCloseCode()).toBe(406);
    c.send(1, 'channel.close-ok', {});
    // The three acks were applied: nothing is redelivered on a fresh channel.
    c.send(2, 'channel.open', { outOfBand: '' });
    await c.expect('channel.open-ok');
    c.send(2, 'queue.declare', { ticket: 0, queue: 'fp-acks', passive: true, durable: false, exclusive: true, autoDelete: false, noWait: false, arguments: {} });
    const ok = await c.expect('queue.declare-ok');
    expect(ok.args.messageCount).toBe(0);
  } finally {
    c.destroy();
  }
});

test('an ack where a content header is due is still 505 UNEXPECTED_FRAME', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  try {
    const tags = await consumerWithDeliveries(c, 'fp-505', ['x']);
    c.send(1, 'basic.publish', { ticket: 0, exchange: '', routingKey: 'fp-505', mandatory: false, immediate: false });
    c.send(1, 'basic.ack', { deliveryTag: tags[0], multiple: false });
    expect(await c.closeCode()).toBe(505);
  } finally {
    c.destroy();
  }
});

test('multiple=true acks (not the fast path) settle everything up to the tag', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  try {
    const tags = await consumerWithDeliveries(c, 'fp-multi', ['1', '2', '3']);
    c.send(1, 'basic.ack', { deliveryTag: tags[2], multiple: true });
    c.send(1, 'basic.ack', { deliveryTag: tags[1], multiple: false });
    expect(await c.channelCloseCode()).toBe(406);
  } finally {
    c.destroy();
  }
});

test('a flood written at once is read a fair share per event-loop turn and all of it is confirmed', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  try {
    c.send(1, 'channel.open', { outOfBand: '' });
    await c.expect('channel.open-ok');
    c.send(1, 'queue.declare', { ticket: 0, queue: 'fp-flood', passive: false, durable: false, exclusive: true, autoDelete: false, noWait: false, arguments: {} });
    await c.expect('queue.declare-ok');
    c.send(1, 'confirm.select', { nowait: false });
    await c.expect('confirm.select-ok');
    // ~3.3 MB in one write: dozens of turns' worth of readBytesPerTurnMax.
    const count = 3000;
    const frames: Buffer[] = [];
    const body = Buffer.alloc(1024, 7);
    const capture = new RawCapture();
    for (let i = 0; i < count; i++) capture.publish(frames, 'fp-flood', body);
    c.write(Buffer.concat(frames));
    let confirmed = 0;
    while (confirmed < count) {
      const m = await c.nextMethod(10_000);
      if (m === null) throw new Error('connection closed');
      if (m.name === 'basic.ack') confirmed = m.args.deliveryTag;
      else if (m.name === 'basic.nack' || m.name === 'channel.close') throw new Error(`unexpected ${m.name}`);
    }
    expect(confirmed).toBe(count);
    c.send(1, 'queue.declare', { ticket: 0, queue: 'fp-flood', passive: true, durable: false, exclusive: true, autoDelete: false, noWait: false, arguments: {} });
    expect((await c.expect('queue.declare-ok')).args.messageCount).toBe(count);
  } finally {
    c.destroy();
  }
});

/** Builds publish frames (method + header + body) with the codec, for one big write. */
class RawCapture {
  publish(out: Buffer[], queue: string, body: Buffer): void {
    out.push(encodeMethod(1, makeMethod('basic.publish', { ticket: 0, exchange: '', routingKey: queue, mandatory: false, immediate: false })));
    out.push(encodeContentHeaderFrame(1, 60, body.length, { deliveryMode: 1 }));
    out.push(rawFrame(3, 1, body));
  }
}

describe('basic.publish fast path', () => {
  async function openWithQueues(c: RawClient, queues: string[]): Promise<void> {
    c.send(1, 'channel.open', { outOfBand: '' });
    await c.expect('channel.open-ok');
    for (const queue of queues) {
      c.send(1, 'queue.declare', { ticket: 0, queue, passive: false, durable: false, exclusive: true, autoDelete: false, noWait: false, arguments: {} });
      await c.expect('queue.declare-ok');
    }
  }

  async function countOf(c: RawClient, queue: string): Promise<number> {
    c.send(1, 'queue.declare', { ticket: 0, queue, passive: true, durable: false, exclusive: true, autoDelete: false, noWait: false, arguments: {} });
    return (await c.expect('queue.declare-ok')).args.messageCount;
  }

  test('changing routing keys and exchange names (amq.default too) route each publish where it says; mandatory returns', async () => {
    const c = await RawClient.handshake(b.ports.amqp);
    try {
      await openWithQueues(c, ['fpp-a', 'fpp-bb', 'fpp-ccc']);
      const keys = ['fpp-a', 'fpp-a', 'fpp-bb', 'fpp-a', 'fpp-ccc', 'fpp-ccc', 'fpp-bb'];
      for (const [i, key] of keys.entries()) {
        c.send(1, 'basic.publish', { ticket: 0, exchange: i % 2 === 0 ? '' : 'amq.default', routingKey: key, mandatory: false, immediate: false });
        c.write(encodeContentHeaderFrame(1, 60, 1, { deliveryMode: 1 }));
        c.write(rawFrame(3, 1, Buffer.from('x')));
      }
      c.send(1, 'basic.publish', { ticket: 0, exchange: '', routingKey: 'fpp-nowhere', mandatory: true, immediate: false });
      c.write(encodeContentHeaderFrame(1, 60, 1, { deliveryMode: 1 }));
      c.write(rawFrame(3, 1, Buffer.from('r')));
      const ret = await c.expect('basic.return');
      expect(ret.args.replyCode).toBe(312);
      expect(ret.args.routingKey).toBe('fpp-nowhere');
      expect(await countOf(c, 'fpp-a')).toBe(3);
      expect(await countOf(c, 'fpp-bb')).toBe(2);
      expect(await countOf(c, 'fpp-ccc')).toBe(2);
    } finally {
      c.destroy();
    }
  });

  test('immediate=true is still 540 NOT_IMPLEMENTED (connection error)', async () => {
    const c = await RawClient.handshake(b.ports.amqp);
    try {
      await openWithQueues(c, []);
      c.send(1, 'basic.publish', { ticket: 0, exchange: '', routingKey: 'q', mandatory: false, immediate: true });
      expect(await c.closeCode()).toBe(540);
    } finally {
      c.destroy();
    }
  });

  test('a missing exchange still closes the channel with 404 once the content is in; other channels go on', async () => {
    const c = await RawClient.handshake(b.ports.amqp);
    try {
      await openWithQueues(c, ['fpp-404']);
      c.send(2, 'channel.open', { outOfBand: '' });
      await c.expect('channel.open-ok');
      c.send(2, 'basic.publish', { ticket: 0, exchange: 'fpp-no-such-exchange', routingKey: 'k', mandatory: false, immediate: false });
      c.write(encodeContentHeaderFrame(2, 60, 1, { deliveryMode: 1 }));
      c.write(rawFrame(3, 2, Buffer.from('x')));
      expect(await c.channelCloseCode()).toBe(404);
      publish(c, 1, 'fpp-404', 'still fine');
      expect(await countOf(c, 'fpp-404')).toBe(1);
    } finally {
      c.destroy();
    }
  });

  test('a malformed basic.publish (trailing byte) gets the generic decoder error, not a publish', async () => {
    const c = await RawClient.handshake(b.ports.amqp);
    try {
      await openWithQueues(c, []);
      const m = encodeMethod(1, makeMethod('basic.publish', { ticket: 0, exchange: '', routingKey: 'q', mandatory: false, immediate: false }));
      const payload = Buffer.concat([m.subarray(7, m.length - 1), Buffer.from([0])]);
      c.write(rawFrame(1, 1, payload));
      expect(await c.closeCode()).toBe(501);
    } finally {
      c.destroy();
    }
  });
});
