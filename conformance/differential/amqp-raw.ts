/**
 * A raw AMQP 0-9-1 client over a TCP socket for what amqplib hides or refuses to send: protocol-header
 * negotiation, frames on unopened channels, malformed frames, and the exact connection.close a broker answers
 * with. It speaks only the handshake (PLAIN guest/guest) and a few hand-encoded methods (AMQP 0-9-1 §4.2).
 */
import net from 'node:net';
import { WAIT_MS_MAX } from './deadline';

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;
export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);

export interface Frame {
  type: number;
  channel: number;
  payload: Buffer;
}

/** How a raw exchange ended: the broker's connection.close / channel.close, or the socket closing. */
export type Ending = { close: 'connection' | 'channel'; code: number; classId: number; methodId: number } | 'socket-closed';

export function shortstr(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length]), b]);
}

export function longstr(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

export function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

export function method(classId: number, methodId: number, args: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([u16(classId), u16(methodId), args]);
}

export function frame(type: number, channel: number, payload: Buffer, end = FRAME_END): Buffer {
  return Buffer.concat([Buffer.from([type]), u16(channel), u32(payload.length), payload, Buffer.from([end])]);
}

export class RawAmqp {
  private buf = Buffer.alloc(0);
  private ended = false;
  private waiter: (() => void) | null = null;

  /** Negotiated in open(): the largest frame the broker accepts, and the highest channel number (0 = no limit). */
  frameMax = 0;
  channelMax = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  static async connect(url: string): Promise<RawAmqp> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawAmqp(socket);
  }

  /** Connects and completes start / tune / open on channel 0 as guest. */
  static async open(url: string): Promise<RawAmqp> {
    const raw = await RawAmqp.connect(url);
    raw.write(PROTOCOL_HEADER);
    await raw.expectMethod(10, 10);
    const response = Buffer.from('\0guest\0guest');
    raw.write(frame(FRAME_METHOD, 0, method(10, 11, Buffer.concat([u32(0), shortstr('PLAIN'), longstr(response), shortstr('en_US')]))));
    const tune = await raw.expectMethod(10, 30);
    const channelMax = tune.payload.readUInt16BE(4);
    const frameMax = tune.payload.readUInt32BE(6);
    raw.frameMax = frameMax;
    raw.channelMax = channelMax;
    raw.write(frame(FRAME_METHOD, 0, method(10, 31, Buffer.concat([u16(channelMax), u32(frameMax), u16(0)]))));
    raw.write(frame(FRAME_METHOD, 0, method(10, 40, Buffer.concat([shortstr('/'), shortstr(''), Buffer.from([0])]))));
    await raw.expectMethod(10, 41);
    return raw;
  }

  write(bytes: Buffer): void {
    if (!this.ended) this.socket.write(bytes);
  }

  /** Up to `n` raw bytes, or fewer if the socket closes first. */
  async bytes(n: number, timeoutMs: number = WAIT_MS_MAX): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n && !this.ended) await this.wait(deadline);
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** The next frame, or 'closed'. */
  async frame(timeoutMs: number = WAIT_MS_MAX): Promise<Frame | 'closed'> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buf.length >= 7) {
        const size = this.buf.readUInt32BE(3);
        if (this.buf.length >= 8 + size) {
          const f = { type: this.buf[0], channel: this.buf.readUInt16BE(1), payload: this.buf.subarray(7, 7 + size) };
          this.buf = this.buf.subarray(8 + size);
          return f;
        }
      }
      if (this.ended) return 'closed';
      await this.wait(deadline);
    }
  }

  async expectMethod(classId: number, methodId: number): Promise<Frame> {
    for (;;) {
      const f = await this.frame();
      if (f === 'closed') throw new Error(`socket closed before method ${classId}.${methodId}`);
      if (f.type === FRAME_METHOD && f.payload.readUInt16BE(0) === classId && f.payload.readUInt16BE(2) === methodId) return f;
      if (f.type === FRAME_METHOD && f.payload.readUInt16BE(0) === 10 && f.payload.readUInt16BE(2) === 50) throw new Error('connection closed by broker');
    }
  }

  /** The next method frame (class, method, frame), skipping heartbeats and content, or 'closed'. */
  async nextMethod(): Promise<{ classId: number; methodId: number; frame: Frame } | 'closed'> {
    for (;;) {
      const f = await this.frame();
      if (f === 'closed') return 'closed';
      if (f.type === FRAME_METHOD) return { classId: f.payload.readUInt16BE(0), methodId: f.payload.readUInt16BE(2), frame: f };
    }
  }

  /**
   * Reads until the broker closes something: connection.close (answered with close-ok) or channel.close, or the
   * socket itself. Other methods are skipped; `first`, if given, is a method already read.
   */
  async ending(first?: { classId: number; methodId: number; frame: Frame }): Promise<Ending> {
    let m: { classId: number; methodId: number; frame: Frame } | 'closed' = first ?? (await this.nextMethod());
    for (;;) {
      if (m === 'closed') return 'socket-closed';
      const isConnClose = m.classId === 10 && m.methodId === 50;
      if (isConnClose || (m.classId === 20 && m.methodId === 40)) {
        const p = m.frame.payload;
        const at = 7 + p[6];
        if (isConnClose) this.write(frame(FRAME_METHOD, 0, method(10, 51)));
        return { close: isConnClose ? 'connection' : 'channel', code: p.readUInt16BE(4), classId: p.readUInt16BE(at), methodId: p.readUInt16BE(at + 2) };
      }
      m = await this.nextMethod();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private async wait(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('timed out waiting for AMQP bytes');
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiter = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
