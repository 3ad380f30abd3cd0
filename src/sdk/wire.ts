/**
 * One authenticated native-protocol connection: correlation ids, pending requests with timeouts, push frames.
 * It never reconnects; PolymqClient (client.ts) replaces a dead WireConnection with a new one.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { FrameType, RESPONSE_FLAG } from '../../protocols/native/constants';
import { FrameParser, type Frame } from '../../protocols/native/codec/parser';
import { BodyReader } from '../../protocols/native/codec/reader';
import { encodeAuthenticate, plainPayload } from '../../protocols/native/codec/requests';
import {
  decodeAuthenticateResponse,
  decodeError,
  decodePush,
  decodeSubscriptionEnd,
  type PushBody,
  type SubscriptionEndBody,
} from '../../protocols/native/codec/responses';
import { PolymqError } from './errors';

/** Frames larger than this from a broker are refused (a broker's own limit is 16 MiB by default). */
const CLIENT_FRAME_MAX_BYTES = 256 * 1024 * 1024;
/** Correlation ids wrap before 2^32 and skip 0 (0 marks pushes and connection-level errors). */
const CORRELATION_MAX = 0xffff_fff0;

interface Pending {
  resolve(r: BodyReader): void;
  reject(err: PolymqError): void;
  expectType: number;
  timer: NodeJS.Timeout | null;
}

export interface WireOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  connectTimeoutMs: number;
  /** A ready stream to use instead of a TCP connection (tests, WebSocket). */
  stream?: () => Duplex;
}

/**
 * Events: 'push' (PushBody), 'subscriptionEnd' (SubscriptionEndBody), 'close' (PolymqError | null),
 * 'brokerError' (PolymqError sent with correlation id 0).
 */
export class WireConnection extends EventEmitter {
  private readonly pending = new Map<number, Pending>();
  private readonly parser = new FrameParser(CLIENT_FRAME_MAX_BYTES);
  private nextCorr = 1;
  private closedWith: PolymqError | null = null;
  private closed = false;
  private drained: Promise<void> | null = null;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: Error) => {
      this.closedWith ??= new PolymqError('CONNECTION_LOST', err.message);
    });
    socket.on('close', () => this.onClose());
  }

  /** Connects and authenticates (SASL PLAIN). Rejects with CONNECTION_REFUSED, REQUEST_TIMEOUT or ACCESS_REFUSED. */
  static async open(opts: WireOptions): Promise<WireConnection> {
    const socket = opts.stream ? opts.stream() : await connectTcp(opts.host, opts.port, opts.connectTimeoutMs);
    const wire = new WireConnection(socket);
    try {
      await wire.request(
        (corr) => encodeAuthenticate(corr, { mechanism: 'PLAIN', payload: plainPayload(opts.username, opts.password) }),
        FrameType.AUTHENTICATE,
        decodeAuthenticateResponse,
        opts.connectTimeoutMs,
      );
    } catch (err) {
      wire.close();
      throw err;
    }
    return wire;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a request and resolves with its decoded answer; rejects with PolymqError. timeoutMs 0 = none. */
  request<T>(build: (corr: number) => Buffer, type: number, decode: (r: BodyReader) => T, timeoutMs: number): Promise<T> {
    if (this.closed) return Promise.reject(this.closedWith ?? new PolymqError('CONNECTION_LOST', 'connection closed'));
    const corr = this.allocateCorrelation();
    return new Promise<T>((resolve, reject) => {
      const p: Pending = {
        resolve: (r) => {
          try {
            resolve(decode(r));
          } catch (err) {
            reject(new PolymqError('FRAME_ERROR', err instanceof Error ? err.message : 'malformed answer'));
          }
        },
        reject,
        expectType: type | RESPONSE_FLAG,
        timer: null,
      };
      if (timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(corr);
          reject(new PolymqError('REQUEST_TIMEOUT', `no answer to request type 0x${type.toString(16)} in ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.pending.set(corr, p);
      this.write(build(corr));
    });
  }

  /** Sends a frame that gets no answer (CREDIT, PRODUCE with acks none). */
  send(build: (corr: number) => Buffer): void {
    if (!this.closed) this.write(build(this.allocateCorrelation()));
  }

  /** Frames written in one tick (a producer's batches, a consumer's FETCHes) leave in one writev. */
  private write(frame: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(frame);
  }

  /** Whether the socket's write buffer is above its high-water mark (callers may wait for 'drain'). */
  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** One shared promise per congestion episode, so many waiting callers add one listener, not one each. */
  waitDrain(): Promise<void> {
    if (!this.socket.writableNeedDrain || this.closed) return Promise.resolve();
    this.drained ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.socket.off('drain', done);
        this.off('close', done);
        this.drained = null;
        resolve();
      };
      this.socket.on('drain', done);
      this.on('close', done);
    });
    return this.drained;
  }

  close(): void {
    if (this.closed) return;
    this.closedWith ??= new PolymqError('CLIENT_CLOSED', 'connection closed by the client');
    this.socket.end();
    const t = setTimeout(() => this.socket.destroy(), 1_000);
    t.unref();
    this.onClose();
  }

  private allocateCorrelation(): number {
    const c = this.nextCorr;
    this.nextCorr = this.nextCorr >= CORRELATION_MAX ? 1 : this.nextCorr + 1;
    return c;
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.feed(chunk);
    } catch (err) {
      this.closedWith = new PolymqError('FRAME_ERROR', err instanceof Error ? err.message : 'bad frame from broker');
      this.socket.destroy();
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    const r = new BodyReader(f.body);
    if (f.type === FrameType.RECORDS_PUSH) {
      const push: PushBody = decodePush(r);
      this.emit('push', push);
      return;
    }
    if (f.type === FrameType.SUBSCRIPTION_END) {
      const end: SubscriptionEndBody = decodeSubscriptionEnd(r);
      this.emit('subscriptionEnd', end);
      return;
    }
    if (f.type === FrameType.ERROR) {
      const e = decodeError(r);
      const err = new PolymqError(e.code, e.message);
      const p = f.correlationId === 0 ? undefined : this.pending.get(f.correlationId);
      if (p) {
        this.settle(f.correlationId, p);
        p.reject(err);
      } else {
        // Connection-level (correlation 0, e.g. BROKER_STOPPING: the close follows) or an error for a
        // fire-and-forget frame (PRODUCE with acks none), which only the application can act on.
        if (f.correlationId === 0) this.closedWith = err;
        this.emit('brokerError', err);
      }
      return;
    }
    const p = this.pending.get(f.correlationId);
    if (!p) return; // answer to a request that timed out
    this.settle(f.correlationId, p);
    if (f.type !== p.expectType) {
      p.reject(new PolymqError('UNEXPECTED_FRAME', `expected answer type 0x${p.expectType.toString(16)}, got 0x${f.type.toString(16)}`));
      return;
    }
    p.resolve(r);
  }

  private settle(corr: number, p: Pending): void {
    this.pending.delete(corr);
    if (p.timer) clearTimeout(p.timer);
  }

  private onClose(): void {
    if (this.closed && this.pending.size === 0) {
      return;
    }
    const wasClosed = this.closed;
    this.closed = true;
    const base = this.closedWith ?? new PolymqError('CONNECTION_LOST', 'connection to the broker lost');
    const err = base.code === 'CLIENT_CLOSED' ? base : new PolymqError('CONNECTION_LOST', `connection lost: ${base.message}`);
    for (const [corr, p] of this.pending) {
      this.settle(corr, p);
      p.reject(err);
    }
    if (!wasClosed) this.emit('close', this.closedWith);
  }
}

function connectTcp(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new PolymqError('REQUEST_TIMEOUT', `connect to ${host}:${port} timed out`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err: Error) => {
      clearTimeout(timer);
      reject(new PolymqError('CONNECTION_REFUSED', `cannot connect to ${host}:${port}: ${err.message}`));
    });
  });
}
