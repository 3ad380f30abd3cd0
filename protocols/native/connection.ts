/**
 * One native-protocol connection over any Duplex (TCP socket, TLS socket, WebSocket stream).
 *
 *   AWAIT_AUTH ──AUTHENTICATE ok──► OPEN ──peer closes / fatal error / broker stop──► CLOSING ──► CLOSED
 *       │                                                                              ▲
 *       └──── auth timeout, bad credentials, any other request, malformed frame ───────┘
 *
 * Reading pauses while the socket's write buffer is full (write() returned false) or too many requests are in
 * flight, so a slow reader cannot make us buffer without bound.
 */
import type { Duplex } from 'node:stream';
import { BrokerError, isBrokerError, type ErrorCode } from '../../src/core/errors';
import type { Logger } from '../../src/core/logger';
import type { AuthenticatedUser, BrokerContext, ConnectionInfo, Permission, VirtualHost } from '../../src/core/types';
import { FrameType, NATIVE_LIMITS } from './constants';
import { BodyReader } from './codec/reader';
import { FrameParser, type Frame } from './codec/parser';
import { encodeError } from './codec/responses';
import { dispatch } from './dispatcher';
import type { Subscription } from './subscription';

/** What a connection may ask of the server that accepted it (for STATUS). */
export interface NativeServerInfo {
  readonly host: string;
  port(): number;
  connectionCount(): number;
  readonly startedAtMs: number;
}

export type ConnectionState = 'AWAIT_AUTH' | 'OPEN' | 'CLOSING' | 'CLOSED';

/** Errors after which the byte stream cannot be trusted: answer, then close. */
const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['FRAME_ERROR', 'MESSAGE_TOO_LARGE', 'UNEXPECTED_FRAME']);

/** How long a closing connection may take to flush its last frame before it is destroyed. */
const CLOSE_FLUSH_MAX_MS = 2_000;

let nextConnectionId = 1;

export class NativeConnection {
  readonly id: string;
  state: ConnectionState = 'AWAIT_AUTH';
  user: AuthenticatedUser | null = null;
  readonly vhost: VirtualHost;
  readonly subscriptions = new Map<number, Subscription>();
  /** Cancellers of pending long-polls and waits, run on close. */
  readonly cleanups = new Set<() => void>();
  private readonly parser: FrameParser;
  private readonly log: Logger;
  private inflight = 0;
  private authInFlight = false;
  /** Frames that arrived while AUTHENTICATE was being decided (bounded: reading pauses at the limit). */
  private readonly held: Frame[] = [];
  private congested = false;
  private authTimer: NodeJS.Timeout | null;
  private readonly drainListeners = new Set<() => void>();
  /** A cork is open until the end of this tick (see send). */
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.stream.uncork();
  };

  constructor(
    readonly ctx: BrokerContext,
    readonly stream: Duplex,
    readonly info: ConnectionInfo,
    readonly server: NativeServerInfo,
    private readonly onClosed: (c: NativeConnection) => void,
  ) {
    this.id = `native:${info.remoteAddress}:${info.remotePort}#${nextConnectionId++}`;
    this.vhost = ctx.defaultVhost;
    this.parser = new FrameParser(ctx.limits.nativeFrameMaxBytes);
    this.log = ctx.logger.child({ component: 'native', conn: this.id });
    this.authTimer = setTimeout(() => this.fail('ACCESS_REFUSED', 'authentication timeout'), NATIVE_LIMITS.authTimeoutMs);
    this.authTimer.unref();
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('drain', () => this.onDrain());
    stream.on('error', (err: Error) => this.log.debug({ err }, 'socket error'));
    stream.on('close', () => this.closed());
    stream.on('end', () => this.closed());
  }

  get isOpen(): boolean {
    return this.state === 'OPEN' || this.state === 'AWAIT_AUTH';
  }

  /** Whether pushes should wait for 'drain'. */
  get isCongested(): boolean {
    return this.congested;
  }

  authenticated(user: AuthenticatedUser): void {
    this.user = user;
    this.state = 'OPEN';
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
  }

  /** Throws ACCESS_REFUSED unless the user may do `permission` on `resource`. */
  authorize(resource: string, permission: Permission): void {
    if (!this.user) throw new BrokerError('ACCESS_REFUSED', 'not authenticated');
    this.ctx.security.authorize(this.user, this.vhost.name, resource, permission);
  }

  isAdministrator(): boolean {
    return this.user?.tags.includes('administrator') ?? false;
  }

  isLoopback(): boolean {
    const a = this.info.remoteAddress;
    return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1' || a.startsWith('127.');
  }

  /**
   * Writes one encoded frame; returns false when the socket asked us to wait for 'drain'. Frames sent in one tick
   * (e.g. the acks of every PRODUCE that one group commit made durable) are corked and leave in one writev.
   */
  send(frame: Buffer): boolean {
    if (this.state === 'CLOSED' || this.stream.destroyed || this.stream.writableEnded) return false;
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(this.uncork);
    }
    const ok = this.stream.write(frame);
    if (!ok && !this.congested) {
      this.congested = true;
      this.updateReading();
    }
    return ok;
  }

  /** Runs fn once the socket has drained (at once when it is not congested). */
  whenDrained(fn: () => void): void {
    if (!this.congested) fn();
    else this.drainListeners.add(fn);
  }

  sendError(corr: number, err: unknown): void {
    if (isBrokerError(err)) {
      this.send(encodeError(corr, err.code, err.message));
      if (FATAL_CODES.has(err.code)) this.close();
      return;
    }
    this.log.error({ err }, 'internal error handling native request');
    this.send(encodeError(corr, 'INTERNAL_ERROR', 'internal error'));
  }

  /** Sends an error frame (correlation 0 unless given) and closes. */
  fail(code: ErrorCode, message: string, corr = 0): void {
    if (!this.isOpen) return;
    this.send(encodeError(corr, code, message));
    this.close();
  }

  /** Polite close: flush what is queued, then end the stream. */
  close(): void {
    if (!this.isOpen) return;
    this.state = 'CLOSING';
    this.releaseResources();
    this.stream.end();
    const t = setTimeout(() => this.stream.destroy(), CLOSE_FLUSH_MAX_MS);
    t.unref();
  }

  private onData(chunk: Buffer): void {
    if (!this.isOpen) return;
    let frames: Frame[];
    try {
      frames = this.parser.feed(chunk);
    } catch (err) {
      const e = isBrokerError(err) ? err : new BrokerError('FRAME_ERROR', 'unparseable frame');
      this.fail(e.code, e.message);
      return;
    }
    for (const f of frames) {
      if (!this.isOpen) return;
      this.handleFrame(f);
    }
  }

  private handleFrame(frame: Frame): void {
    // Frames pipelined behind AUTHENTICATE wait until it has been decided, instead of being refused.
    if (this.authInFlight) {
      this.held.push(frame);
      if (this.held.length === NATIVE_LIMITS.inflightRequestsMax) this.stream.pause();
      return;
    }
    const r = new BodyReader(frame.body);
    const result = dispatch(this, frame, r);
    if (result === undefined) return;
    if (frame.type === FrameType.AUTHENTICATE) {
      this.authInFlight = true;
      void result.finally(() => {
        this.authInFlight = false;
        const held = this.held.splice(0);
        for (const f of held) if (this.isOpen) this.handleFrame(f);
        this.updateReading();
      });
    }
    this.inflight++;
    if (this.inflight === NATIVE_LIMITS.inflightRequestsMax) this.updateReading();
    result
      .catch((err: unknown) => this.sendError(frame.correlationId, err))
      .finally(() => {
        this.inflight--;
        if (this.inflight === NATIVE_LIMITS.inflightRequestsMax - 1) this.updateReading();
      });
  }

  private onDrain(): void {
    this.congested = false;
    this.updateReading();
    const fns = [...this.drainListeners];
    this.drainListeners.clear();
    for (const fn of fns) fn();
  }

  private updateReading(): void {
    const shouldPause =
      this.congested || this.inflight >= NATIVE_LIMITS.inflightRequestsMax || this.held.length >= NATIVE_LIMITS.inflightRequestsMax;
    if (shouldPause) this.stream.pause();
    else if (this.isOpen) this.stream.resume();
  }

  private releaseResources(): void {
    if (this.authTimer) clearTimeout(this.authTimer);
    this.authTimer = null;
    for (const s of this.subscriptions.values()) s.stop();
    this.subscriptions.clear();
    for (const c of this.cleanups) c();
    this.cleanups.clear();
    this.drainListeners.clear();
    this.held.length = 0;
  }

  private closed(): void {
    if (this.state === 'CLOSED') return;
    this.releaseResources();
    this.state = 'CLOSED';
    if (!this.stream.destroyed) this.stream.destroy();
    this.onClosed(this);
  }
}
