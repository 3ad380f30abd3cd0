/**
 * Bad input over a raw socket: each case asserts the exact close code RabbitMQ would send, and that a second,
 * well-behaved amqplib connection keeps working meanwhile (bad input never takes the broker down).
 */
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { amqpUrl } from './amqp-helpers';
import { RawClient, rawFrame } from './raw-client';

let b: InProcessBroker;
let good: ChannelModel;
let goodCh: Channel;

beforeAll(async () => {
  b = await startBroker({ limits: { amqpHeartbeatSeconds: 60 } });
  good = await amqp.connect(amqpUrl(b.ports.amqp));
  goodCh = await good.createChannel();
});

afterEach(async () => {
  // The well-behaved connection still works after every abuse.
  const q = await goodCh.assertQueue('', { exclusive: true });
  goodCh.sendToQueue(q.queue, Buffer.from('still alive'));
  const got = await new Promise<string>((resolve) => {
    void goodCh.consume(q.queue, (m) => m && resolve(m.content.toString()), { noAck: true });
  });
  expect(got).toBe('still alive');
});

afterAll(async () => {
  await good.close();
  await b.stop();
});

test('broker shutdown closes connections with 320 CONNECTION_FORCED', async () => {
  const other = await startBroker();
  const c = await RawClient.handshake(other.ports.amqp);
  const stopping = other.stop();
  expect(await c.closeCode()).toBe(320);
  await stopping;
  c.destroy();
});

test('wrong protocol header: server answers AMQP 0-9-1 header and closes (§4.2.2)', async () => {
  const c = await RawClient.open(b.ports.amqp, false);
  c.write(Buffer.from('HTTP/1.1 GET /\r\n'));
  await c.waitClosed();
  expect(Buffer.concat(c.raw).subarray(0, 8)).toEqual(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
});

test('frame larger than frame_max is 501 FRAME_ERROR', async () => {
  const c = await RawClient.handshake(b.ports.amqp, { frameMax: 4096 });
  c.write(rawFrame(1, 1, Buffer.alloc(10_000)));
  expect(await c.closeCode()).toBe(501);
  c.destroy();
});

test('bad frame-end octet is 501 FRAME_ERROR', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.write(rawFrame(1, 0, Buffer.from([0, 10, 0, 51]), 0x00));
  expect(await c.closeCode()).toBe(501);
  c.destroy();
});

test('unknown method is 503 COMMAND_INVALID', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.write(rawFrame(1, 1, Buffer.from([0, 60, 3, 231])));
  expect(await c.closeCode()).toBe(503);
  c.destroy();
});

test('channel id above the negotiated channel_max is 530 NOT_ALLOWED', async () => {
  const c = await RawClient.handshake(b.ports.amqp, { channelMax: 10 });
  c.send(11, 'channel.open', { outOfBand: '' });
  expect(await c.closeCode()).toBe(530);
  c.destroy();
});

test('a method on a channel that was never opened is 504 CHANNEL_ERROR', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(3, 'queue.declare', { ticket: 0, queue: '', passive: false, durable: false, exclusive: true, autoDelete: false, noWait: false, arguments: {} } as never);
  expect(await c.closeCode()).toBe(504);
  c.destroy();
});

test('second channel.open on an open channel is 504', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.send(1, 'channel.open', { outOfBand: '' });
  expect(await c.closeCode()).toBe(504);
  c.destroy();
});

test('content body without a publish is 505 UNEXPECTED_FRAME', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.write(rawFrame(3, 1, Buffer.from('orphan body')));
  expect(await c.closeCode()).toBe(505);
  c.destroy();
});

test('a method where a content header is due is 505 UNEXPECTED_FRAME', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.send(1, 'basic.publish', { ticket: 0, exchange: '', routingKey: 'x', mandatory: false, immediate: false } as never);
  c.send(1, 'basic.qos', { prefetchSize: 0, prefetchCount: 1, global: false });
  expect(await c.closeCode()).toBe(505);
  c.destroy();
});

test('garbage inside a method frame never crashes the broker', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  // queue.declare with a truncated argument list.
  c.write(rawFrame(1, 1, Buffer.from([0, 50, 0, 10, 0, 0, 200, 1, 2])));
  const code = await c.closeCode();
  expect(code >= 500).toBe(true);
  c.destroy();
});

test('unknown vhost in connection.open is 530 NOT_ALLOWED', async () => {
  const c = await RawClient.open(b.ports.amqp);
  c.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
  await c.expect('connection.start');
  c.send(0, 'connection.start-ok', { clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\0guest\0guest'), locale: 'en_US' });
  const t = await c.expect('connection.tune');
  c.send(0, 'connection.tune-ok', { channelMax: t.args.channelMax, frameMax: t.args.frameMax, heartbeat: 0 });
  c.send(0, 'connection.open', { virtualHost: 'no-such-vhost', capabilities: '', insist: false });
  expect(await c.closeCode()).toBe(530);
  c.destroy();
});

test('basic.publish with immediate=true is a 540 NOT_IMPLEMENTED connection error (RabbitMQ)', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.send(1, 'basic.publish', { ticket: 0, exchange: '', routingKey: 'x', mandatory: false, immediate: true } as never);
  expect(await c.closeCode()).toBe(540);
  c.destroy();
});

test('bad credentials without authentication_failure_close: the socket is just closed', async () => {
  const c = await RawClient.open(b.ports.amqp);
  c.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
  await c.expect('connection.start');
  c.send(0, 'connection.start-ok', { clientProperties: {}, mechanism: 'PLAIN', response: Buffer.from('\0guest\0nope'), locale: 'en_US' });
  expect(await c.nextMethod()).toBeNull();
});

test('bad credentials with authentication_failure_close: 403 ACCESS_REFUSED', async () => {
  const c = await RawClient.open(b.ports.amqp);
  c.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'));
  await c.expect('connection.start');
  c.send(0, 'connection.start-ok', {
    clientProperties: { capabilities: { authentication_failure_close: true } },
    mechanism: 'PLAIN', response: Buffer.from('\0guest\0nope'), locale: 'en_US',
  });
  expect(await c.closeCode()).toBe(403);
  c.destroy();
});

test('confirm.select on a transactional channel is 406, tx.select on a confirm channel too', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.send(1, 'tx.select', {});
  await c.expect('tx.select-ok');
  c.send(1, 'confirm.select', { nowait: false });
  expect(await c.channelCloseCode()).toBe(406);
  c.send(1, 'channel.close-ok', {});
  c.send(2, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  c.send(2, 'confirm.select', { nowait: false });
  await c.expect('confirm.select-ok');
  c.send(2, 'tx.select', {});
  expect(await c.channelCloseCode()).toBe(406);
  c.destroy();
});

test('nowait variants answer nothing and take effect', async () => {
  const c = await RawClient.handshake(b.ports.amqp);
  c.send(1, 'channel.open', { outOfBand: '' });
  await c.expect('channel.open-ok');
  const q = `nowait-q-${process.pid}`;
  c.send(1, 'exchange.declare', { ticket: 0, exchange: `${q}-x`, type: 'fanout', passive: false, durable: false, autoDelete: false, internal: false, noWait: true, arguments: {} } as never);
  c.send(1, 'queue.declare', { ticket: 0, queue: q, passive: false, durable: false, exclusive: true, autoDelete: false, noWait: true, arguments: {} } as never);
  c.send(1, 'queue.bind', { ticket: 0, queue: q, exchange: `${q}-x`, routingKey: '', noWait: true, arguments: {} } as never);
  c.send(1, 'basic.consume', { ticket: 0, queue: q, consumerTag: 'nw', noLocal: false, noAck: true, exclusive: false, noWait: true, arguments: {} } as never);
  c.send(1, 'queue.declare', { ticket: 0, queue: q, passive: true, durable: false, exclusive: false, autoDelete: false, noWait: false, arguments: {} } as never);
  const ok = await c.expect('queue.declare-ok');
  expect(ok.args.queue).toBe(q);
  expect(ok.args.consumerCount).toBe(1);
  c.send(1, 'exchange.delete', { ticket: 0, exchange: `${q}-x`, ifUnused: false, noWait: false } as never);
  await c.expect('exchange.delete-ok');
  c.destroy();
});

test('a silent client is disconnected after two missed heartbeats', async () => {
  const c = await RawClient.handshake(b.ports.amqp, { heartbeat: 1 });
  const started = Date.now();
  await c.waitClosed();
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(1500);
  expect(elapsed).toBeLessThan(6000);
});

test('the server sends heartbeats on an idle connection', async () => {
  const c = await RawClient.handshake(b.ports.amqp, { heartbeat: 1 });
  const f = await c.nextFrame(3000);
  expect(f?.type).toBe(8);
  c.destroy();
});
