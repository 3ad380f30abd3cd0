/** A raw native-protocol socket for protocol tests: send bytes, wait for frames or for the close. */
import net from 'node:net';
import { FrameType } from '../../protocols/native/constants';
import { FrameParser, type Frame } from '../../protocols/native/codec/parser';
import { BodyReader } from '../../protocols/native/codec/reader';
import { encodeAuthenticate, plainPayload } from '../../protocols/native/codec/requests';
import { decodeError, type ErrorBody } from '../../protocols/native/codec/responses';

export class RawClient {
  readonly frames: Frame[] = [];
  closed = false;
  private readonly parser = new FrameParser(64 * 1024 * 1024);
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.frames.push(...this.parser.feed(c));
      this.notify();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  static async connect(port: number): Promise<RawClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** Connects and authenticates as guest. */
  static async open(port: number): Promise<RawClient> {
    const c = await RawClient.connect(port);
    c.send(encodeAuthenticate(1, { mechanism: 'PLAIN', payload: plainPayload('guest', 'guest') }));
    const f = await c.waitFrame((x) => x.correlationId === 1);
    if (f.type !== (FrameType.AUTHENTICATE | 0x80)) throw new Error(`authentication failed: type ${f.type}`);
    return c;
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  send(buf: Buffer): void {
    this.socket.write(buf);
  }

  /** Waits for (and removes) the first frame matching pred. */
  async waitFrame(pred: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      if (this.closed) throw new Error('connection closed while waiting for a frame');
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Answer to correlation id corr (response or error). */
  reply(corr: number, timeoutMs?: number): Promise<Frame> {
    return this.waitFrame((f) => f.correlationId === corr, timeoutMs);
  }

  async waitClosed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('timed out waiting for close');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function errorOf(f: Frame): ErrorBody {
  if (f.type !== FrameType.ERROR) throw new Error(`expected an ERROR frame, got type 0x${f.type.toString(16)}`);
  return decodeError(new BodyReader(f.body));
}
