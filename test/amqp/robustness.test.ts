/**
 * Robustness: mutated and random frames after a valid handshake never take the broker down (each abusive
 * connection is closed on its own, a well-behaved one keeps working), and handleConnection serves any Duplex.
 */
import { Duplex, PassThrough } from 'node:stream';
import amqp from 'amqplib';
import { createAmqpServer } from '../../protocols/amqp/server';
import { FrameParser, PROTOCOL_HEADER } from '../../protocols/amqp/codec/frames';
import { decodeMethod } from '../../protocols/amqp/codec/methods.generated';
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { amqpUrl } from './amqp-helpers';
import { RawClient, rawFrame } from './raw-client';
import { mulberry32 as rng } from '../helpers/prng';

let b: InProcessBroker;
beforeAll(async () => {
  b = await startBroker();
});
afterAll(async () => {
  await b.stop();
});

test('random and mutated frames: the broker stays up and answers others', async () => {
  const good = await amqp.connect(amqpUrl(b.ports.amqp));
  const goodCh = await good.createChannel();
  const rand = rng(1234);
  // Valid method payloads to mutate: queue.declare, basic.publish, basic.ack, channel.open.
  const seeds = [
    Buffer.from([0, 50, 0, 10, 0, 0, 3, 113, 113, 113, 0, 0, 0, 0, 0]),
    Buffer.from([0, 60, 0, 40, 0, 0, 0, 1, 107, 0]),
    Buffer.from([0, 60, 0, 80, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
    Buffer.from([0, 20, 0, 10, 0]),
  ];
  for (let round = 0; round < 30; round++) {
    const c = await RawClient.handshake(b.ports.amqp);
    c.send(1, 'channel.open', { outOfBand: '' });
    await c.expect('channel.open-ok');
    for (let i = 0; i < 5; i++) {
      const seed = Buffer.from(seeds[Math.floor(rand() * seeds.length)]);
      for (let k = 0; k < 3; k++) seed[Math.floor(rand() * seed.length)] = Math.floor(rand() * 256);
      const type = [1, 1, 1, 2, 3, 8][Math.floor(rand() * 6)];
      c.write(rawFrame(type, Math.floor(rand() * 3), seed));
    }
    // Whatever happened, the connection either still answers or was closed by the broker; never a crash.
    c.destroy();
  }
  const q = await goodCh.assertQueue('', { exclusive: true });
  goodCh.sendToQueue(q.queue, Buffer.from('alive'));
  const m = await new Promise<string>((resolve) => {
    void goodCh.consume(q.queue, (msg) => msg && resolve(msg.content.toString()), { noAck: true });
  });
  expect(m).toBe('alive');
  await good.close();
});

test('handleConnection serves a non-TCP Duplex (e.g. a WebSocket stream)', async () => {
  const server = createAmqpServer(b.broker.context(), { host: '127.0.0.1', port: 0 });
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const serverSide = Duplex.from({ readable: toServer, writable: fromServer });
  server.handleConnection(serverSide, { remoteAddress: '127.0.0.1', remotePort: 1, transport: 'ws' });
  const parser = new FrameParser(0);
  const firstMethod = new Promise<string>((resolve) => {
    fromServer.on('data', (d: Buffer) => {
      for (const f of parser.push(d)) if (f.type === 1) resolve(decodeMethod(f.payload).name);
    });
  });
  toServer.write(PROTOCOL_HEADER);
  expect(await firstMethod).toBe('connection.start');
  expect(server.connectionCount()).toBe(1);
  serverSide.destroy();
  await server.stop();
});
