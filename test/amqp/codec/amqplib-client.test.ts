/**
 * A real amqplib client over a real socket against a scripted server built only from the codec: we decode what
 * a real client sends (start-ok, tune-ok, open, declare with arguments, publish with properties, ack, close),
 * and the client decodes what we encode (start, tune, deliver with byte-exact re-emitted properties, ack).
 */
import * as net from 'node:net';
import * as amqplib from 'amqplib';
import type { MessageProperties } from '../../../src/core/message';
import {
  checkProtocolHeader,
  decodeContentHeader,
  decodeMethod,
  encodeBodyFrames,
  encodeContentHeaderFrameRaw,
  encodeMethod,
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_METHOD,
  FrameParser,
  headerNumber,
  makeMethod,
  type AmqpMethod,
  type AmqpMethodName,
  type MethodArgs,
} from '../../../protocols/amqp/codec';

interface Published {
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  raw: Buffer;
  body: Buffer;
}

/** Just enough of a broker to walk one client through connect → confirm publish → consume → close. */
class ScriptedServer {
  readonly received: AmqpMethod[] = [];
  readonly published: Published[] = [];
  private server = net.createServer((s) => this.serve(s));

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('no port');
    return addr.port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(sock: net.Socket): void {
    let header = Buffer.alloc(0);
    const parser = new FrameParser(4096);
    let publishSeq = 0;
    let current: { method: Extract<AmqpMethod, { name: 'basic.publish' }>; size: number; raw: Buffer; props: MessageProperties; parts: Buffer[] } | null = null;
    const send = <N extends AmqpMethodName>(ch: number, name: N, args: MethodArgs<N>): void => {
      sock.write(encodeMethod(ch, makeMethod(name, args)));
    };
    sock.on('data', (chunk: Buffer) => {
      if (header !== null && header.length < 8) {
        header = Buffer.concat([header, chunk]);
        const verdict = checkProtocolHeader(header);
        if (verdict === 'need-more') return;
        if (verdict === 'bad') {
          sock.destroy();
          return;
        }
        chunk = header.subarray(8);
        send(0, 'connection.start', {
          versionMajor: 0,
          versionMinor: 9,
          serverProperties: { product: 'codec-test', capabilities: { publisher_confirms: true, 'basic.nack': true } },
          mechanisms: Buffer.from('PLAIN AMQPLAIN'),
          locales: Buffer.from('en_US'),
        });
      }
      for (const f of parser.push(chunk)) {
        if (f.type === FRAME_HEADER && current) {
          const h = decodeContentHeader(f.payload);
          current.size = h.bodySize;
          current.raw = Buffer.from(h.rawProperties);
          current.props = h.properties;
          if (h.bodySize === 0) this.finishPublish(current, sock, ++publishSeq);
          continue;
        }
        if (f.type === FRAME_BODY && current) {
          current.parts.push(Buffer.from(f.payload));
          if (current.parts.reduce((n, p) => n + p.length, 0) === current.size) {
            this.finishPublish(current, sock, ++publishSeq);
            current = null;
          }
          continue;
        }
        if (f.type !== FRAME_METHOD) continue;
        const m = decodeMethod(f.payload);
        this.received.push(m);
        switch (m.name) {
          case 'connection.start-ok':
            send(0, 'connection.tune', { channelMax: 2047, frameMax: 131072, heartbeat: 0 });
            break;
          case 'connection.tune-ok':
            parser.setFrameMax(m.args.frameMax);
            break;
          case 'connection.open':
            send(0, 'connection.open-ok', { knownHosts: '' });
            break;
          case 'channel.open':
            send(f.channel, 'channel.open-ok', { channelId: '' });
            break;
          case 'confirm.select':
            send(f.channel, 'confirm.select-ok', {});
            break;
          case 'queue.declare':
            send(f.channel, 'queue.declare-ok', { queue: m.args.queue, messageCount: 0, consumerCount: 0 });
            break;
          case 'basic.publish':
            current = { method: m, size: 0, raw: Buffer.alloc(0), props: {}, parts: [] };
            break;
          case 'basic.consume': {
            send(f.channel, 'basic.consume-ok', { consumerTag: 'ctag-1' });
            const p = this.published[0];
            send(f.channel, 'basic.deliver', { consumerTag: 'ctag-1', deliveryTag: 1, redelivered: false, exchange: p.exchange, routingKey: p.routingKey });
            sock.write(encodeContentHeaderFrameRaw(f.channel, 60, p.body.length, p.raw));
            for (const b of encodeBodyFrames(f.channel, p.body, 131072)) sock.write(b);
            break;
          }
          case 'channel.close':
            send(f.channel, 'channel.close-ok', {});
            break;
          case 'connection.close':
            send(0, 'connection.close-ok', {});
            sock.end();
            break;
          default:
            break;
        }
      }
    });
    sock.on('error', () => sock.destroy());
  }

  private finishPublish(
    cur: { method: Extract<AmqpMethod, { name: 'basic.publish' }>; raw: Buffer; props: MessageProperties; parts: Buffer[] },
    sock: net.Socket,
    seq: number,
  ): void {
    this.published.push({ exchange: cur.method.args.exchange, routingKey: cur.method.args.routingKey, properties: cur.props, raw: cur.raw, body: Buffer.concat(cur.parts) });
    sock.write(encodeMethod(1, makeMethod('basic.ack', { deliveryTag: seq, multiple: false })));
  }
}

describe('real amqplib client against the codec', () => {
  test('handshake, confirmed publish with properties, consume of our deliver, ack, close', async () => {
    const server = new ScriptedServer();
    const port = await server.listen();
    const conn = await amqplib.connect(`amqp://guest:secret@127.0.0.1:${port}/vh`);
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('q1', { durable: true, arguments: { 'x-max-priority': 10, 'x-message-ttl': 60000, 'x-queue-type': 'classic' } });
    const headers = { 'x-int': 42, 'x-str': 'ünï', 'x-nested': { a: [1, 'b'] }, 'x-bool': true };
    await new Promise<void>((resolve, reject) =>
      ch.publish('', 'q1', Buffer.from('hello, codec'), {
        contentType: 'text/plain',
        deliveryMode: 2,
        priority: 3,
        correlationId: 'corr',
        replyTo: 'amq.rabbitmq.reply-to',
        expiration: '60000',
        messageId: 'mid',
        timestamp: 1_700_000_000,
        type: 'greeting',
        appId: 'test',
        headers,
      }, (err: unknown) => (err ? reject(err) : resolve())),
    );
    const got = await new Promise<amqplib.ConsumeMessage>((resolve) => {
      void ch.consume('q1', (msg) => {
        if (msg) resolve(msg);
      });
    });
    ch.ack(got);
    await ch.close();
    await conn.close();
    await server.close();

    const names = server.received.map((m) => m.name);
    expect(names).toEqual([
      'connection.start-ok',
      'connection.tune-ok',
      'connection.open',
      'channel.open',
      'confirm.select',
      'queue.declare',
      'basic.publish',
      'basic.consume',
      'basic.ack',
      'channel.close',
      'connection.close',
    ]);
    const startOk = server.received[0] as Extract<AmqpMethod, { name: 'connection.start-ok' }>;
    expect(startOk.args.mechanism).toBe('PLAIN');
    expect(startOk.args.response.equals(Buffer.from('\0guest\0secret'))).toBe(true);
    expect(typeof startOk.args.clientProperties.product).toBe('string');
    const open = server.received[2] as Extract<AmqpMethod, { name: 'connection.open' }>;
    expect(open.args.virtualHost).toBe('vh');
    const declare = server.received[5] as Extract<AmqpMethod, { name: 'queue.declare' }>;
    expect(declare.args).toMatchObject({ queue: 'q1', durable: true, passive: false, noWait: false });
    expect(headerNumber(declare.args.arguments['x-max-priority'])).toBe(10);
    expect(headerNumber(declare.args.arguments['x-message-ttl'])).toBe(60000);
    expect(declare.args.arguments['x-queue-type']).toBe('classic');

    const p = server.published[0];
    expect(p.body.toString()).toBe('hello, codec');
    expect(p.properties).toMatchObject({
      contentType: 'text/plain',
      deliveryMode: 2,
      priority: 3,
      correlationId: 'corr',
      replyTo: 'amq.rabbitmq.reply-to',
      expiration: '60000',
      messageId: 'mid',
      timestamp: 1_700_000_000,
      type: 'greeting',
      appId: 'test',
    });
    expect(headerNumber(p.properties.headers?.['x-int'])).toBe(42);
    expect(p.properties.headers?.['x-str']).toBe('ünï');

    // The client decoded our deliver and the re-emitted property bytes to what it had published.
    expect(got.content.toString()).toBe('hello, codec');
    expect(got.fields).toMatchObject({ consumerTag: 'ctag-1', deliveryTag: 1, redelivered: false, exchange: '', routingKey: 'q1' });
    expect(got.properties).toMatchObject({ contentType: 'text/plain', deliveryMode: 2, priority: 3, messageId: 'mid', timestamp: 1_700_000_000 });
    expect(got.properties.headers).toEqual(headers);
  });
});
