/**
 * A bare AMQP client over a raw socket, for tests that send what no real client would (bad frames, channel ids
 * over channel_max, silence instead of heartbeats). Frames are built with the codec; replies parsed with it.
 */
import net from 'node:net';
import { FrameParser, PROTOCOL_HEADER, type Frame } from '../../protocols/amqp/codec/frames';
import { decodeMethod, encodeMethod, makeMethod, type AmqpMethod, type AmqpMethodName, type MethodArgs } from '../../protocols/amqp/codec/methods.generated';

export class RawClient {
  private readonly parser = new FrameParser(0);
  private readonly frames: Frame[] = [];
  private waiter: (() => void) | null = null;
  closed = false;
  raw: Buffer[] = [];
  private readonly closedP: Promise<void>;

  private constructor(readonly socket: net.Socket, private readonly parseFrames: boolean) {
    socket.on('data', (d: Buffer) => {
      this.raw.push(d);
      if (this.parseFrames) {
        try {
          for (const f of this.parser.push(d)) this.frames.push(f);
        } catch {
          // tests that break framing read `raw` instead
        }
      }
      this.waiter?.();
    });
    this.closedP = new Promise((resolve) => socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
      resolve();
    }));
    socket.on('error', () => undefined);
  }

  static async open(port: number, parseFrames = true): Promise<RawClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket, parseFrames);
  }

  /** Header, start-ok (PLAIN guest/guest), tune-ok with the given limits, open '/'. */
  static async handshake(port: number, tune: { channelMax?: number; frameMax?: number; heartbeat?: number } = {}): Promise<RawClient> {
    const c = await RawClient.open(port);
    c.socket.write(PROTOCOL_HEADER);
    await c.expect('connection.start');
    c.send(0, 'connection.start-ok', {
      clientProperties: { capabilities: { consumer_cancel_notify: true, 'connection.blocked': true } },
      mechanism: 'PLAIN',
      response: Buffer.from('\0guest\0guest'),
      locale: 'en_US',
    });
    const t = await c.expect('connection.tune');
    c.send(0, 'connection.tune-ok', {
      channelMax: tune.channelMax ?? t.args.channelMax,
      frameMax: tune.frameMax ?? t.args.frameMax,
      heartbeat: tune.heartbeat ?? 0,
    });
    c.send(0, 'connection.open', { virtualHost: '/', capabilities: '', insist: false });
    await c.expect('connection.open-ok');
    return c;
  }

  send<N extends AmqpMethodName>(channel: number, name: N, args: MethodArgs<N>): void {
    this.socket.write(encodeMethod(channel, makeMethod(name, args)));
  }

  write(buf: Buffer): void {
    this.socket.write(buf);
  }

  async nextFrame(timeoutMs = 5000): Promise<Frame | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error('no frame in time');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.frames.shift() ?? null;
  }

  async nextMethod(timeoutMs = 5000): Promise<AmqpMethod | null> {
    for (;;) {
      const f = await this.nextFrame(timeoutMs);
      if (f === null) return null;
      if (f.type === 1) return decodeMethod(f.payload);
    }
  }

  async expect<N extends AmqpMethodName>(name: N): Promise<Extract<AmqpMethod, { name: N }>> {
    const m = await this.nextMethod();
    if (m === null || m.name !== name) throw new Error(`expected ${name}, got ${m === null ? 'socket close' : m.name}`);
    return m as Extract<AmqpMethod, { name: N }>;
  }

  /** Reads until connection.close (answering close-ok) and returns its reply code. */
  async closeCode(): Promise<number> {
    for (;;) {
      const m = await this.nextMethod();
      if (m === null) throw new Error('socket closed without connection.close');
      if (m.name === 'connection.close') {
        this.send(0, 'connection.close-ok', {});
        return m.args.replyCode;
      }
    }
  }

  async channelCloseCode(): Promise<number> {
    for (;;) {
      const m = await this.nextMethod();
      if (m === null) throw new Error('socket closed without channel.close');
      if (m.name === 'channel.close') return m.args.replyCode;
      if (m.name === 'connection.close') throw new Error(`connection closed instead: ${m.args.replyCode}`);
    }
  }

  waitClosed(): Promise<void> {
    return this.closedP;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A frame with arbitrary type/channel/payload/frame-end, for breaking the framing on purpose. */
export function rawFrame(type: number, channel: number, payload: Buffer, frameEnd = 0xce): Buffer {
  const b = Buffer.alloc(8 + payload.length);
  b[0] = type;
  b.writeUInt16BE(channel, 1);
  b.writeUInt32BE(payload.length, 3);
  payload.copy(b, 7);
  b[7 + payload.length] = frameEnd;
  return b;
}
