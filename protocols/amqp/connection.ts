/**
 * One AMQP 0-9-1 connection: protocol header, handshake, frame pump, heartbeats, alarms, close handshake.
 * Channel frames go to AmqpChannel; method semantics live in handlers/ behind dispatcher.ts.
 *
 * Connection state machine (AMQP 0-9-1 §2.2.4, and RabbitMQ's rabbit_reader):
 *
 *   [header] --bad header--> write AMQP 0 0 9 1, end ------------------------------------------+
 *      | good header: send connection.start                                                    |
 *      v                                                                                       |
 *   [start-ok] --start-ok, auth ok: send tune--> [tune-ok] --tune-ok--> [open]                  |
 *      | auth fails: connection.close 403 (or drop when no authentication_failure_close)       |
 *      |                                                    | connection.open ok: open-ok     |
 *      |                                                    v                                 |
 *      |                                                [opened] <--- channel traffic          |
 *      |                                                    |                                 |
 *      |   client connection.close: send close-ok, end      |  our error / stop(): send close  |
 *      |            +---------------------------------------+-------------+                   |
 *      v            v                                                     v                   v
 *   [closed] <-- socket closed <-- close-ok received or timeout -- [closing] (ignore all but close/close-ok)
 *
 * Frames are queued and handled one at a time, so an async handler (queue.declare hitting storage) never lets a
 * later frame of the same connection overtake it; the queue is bounded and the socket is paused when it fills.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { AuthenticatedUser, BrokerContext, ConnectionInfo, OwnerId, VirtualHost } from '../../src/core/types';
import type { Logger } from '../../src/core/logger';
import { AMQP_ADAPTER_LIMITS, PROTOCOL_HEADER_0_9_1, REPLY } from './constants';
import { AmqpError, classify, replyText } from './errors';
import {
  FRAME_TYPE,
  FrameParser,
  HEARTBEAT_FRAME,
  checkProtocolHeader,
  decodeMethod,
  encodeFrame,
  type AmqpMethod,
  type Frame,
  type MethodArgs,
  type MethodName,
} from './wire';
import { AmqpChannel, BASIC_PUBLISH_METHOD_ID } from './channel';
import { OutBuffer, OUT_PASS_THROUGH_BYTES } from './out-buffer';
import { FRAME_PAYLOAD_CEILING_BYTES } from './codec/frames';
import { handleConnectionMethod } from './handlers/connection';
import type { ReplyToRegistry } from './reply-to';
import { serverProperties } from './server-properties';
import { SASL_MECHANISMS } from './sasl';

export type ConnectionState = 'header' | 'start-ok' | 'tune-ok' | 'open' | 'opened' | 'closing' | 'closed';

/** What all connections of one server share. */
export interface AmqpServerShared {
  ctx: BrokerContext;
  replyTo: ReplyToRegistry;
  logger: Logger;
}

let connectionSeq = 0;
/** basic.ack's payload: class and method ids, delivery tag (u64), flags octet. */
const BASIC_ACK_PAYLOAD_BYTES = 13;
/** Handled frames kept at the front of the pending list before it is compacted. */
const PENDING_COMPACT_AT_FRAMES = 1024;
/** The shared empty pending list (never pushed to: onData replaces it before pushing). */
const NO_FRAMES: Frame[] = [];

export class AmqpConnection {
  readonly id: OwnerId;
  readonly ctx: BrokerContext;
  readonly shared: AmqpServerShared;
  readonly log: Logger;
  state: ConnectionState = 'header';

  // negotiated in tune/tune-ok
  frameMax: number;
  channelMax: number;
  heartbeatS = 0;

  user: AuthenticatedUser | null = null;
  authMechanism = 'PLAIN';
  vhost: VirtualHost | null = null;
  clientCapabilities = new Set<string>();
  clientProperties: unknown = null;

  private readonly channels = new Map<number, AmqpChannel>();
  private headerBuf: Buffer = Buffer.alloc(0);
  private parser: FrameParser | null = null;
  /**
   * Frames received and not yet handled: pending[pendingHead..]. An index, not shift(): shift() moves the rest
   * of the array on every call, quadratic in the ~180 frames a 64 KiB chunk of 1 KiB publishes carries.
   */
  private pending: Frame[] = NO_FRAMES;
  private pendingHead = 0;
  private busy = false;
  /** The connection has published at least once (RabbitMQ blocks only publishing connections on alarms). */
  hasPublished = false;
  private alarmBlocked = false;
  private notifiedBlocked = false;
  private writeBlocked = false;
  /** Publishes of all confirm channels waiting for their confirm (bounded by unconfirmedMax). */
  private unconfirmed = 0;
  /** Frames gathered during this tick, written once at its end (flushOut). */
  private readonly out = new OutBuffer();
  private flushScheduled = false;
  private readPaused = false;
  /** Bytes read in this event-loop turn (fair share, readBytesPerTurnMax). */
  private turnBytes = 0;
  private turnScheduled = false;
  private lastReadAtMs = Date.now();
  private lastWriteAtMs = Date.now();
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private readonly onClosed: (conn: AmqpConnection) => void;

  constructor(
    readonly stream: Duplex,
    readonly info: ConnectionInfo,
    shared: AmqpServerShared,
    onClosed: (conn: AmqpConnection) => void,
  ) {
    this.shared = shared;
    this.ctx = shared.ctx;
    this.onClosed = onClosed;
    this.id = `amqp:${info.remoteAddress}:${info.remotePort}#${++connectionSeq}`;
    this.log = shared.logger.child({ conn: this.id });
    this.frameMax = this.ctx.limits.amqpFrameMaxBytes;
    this.channelMax = this.ctx.limits.amqpChannelMax;

    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('drain', () => this.onDrain());
    stream.on('error', (err: Error) => {
      this.log.debug({ err: err.message }, 'socket error');
      this.teardown();
    });
    stream.on('close', () => this.teardown());
    stream.on('end', () => this.teardown());
    this.handshakeTimer = setTimeout(() => {
      if (this.state !== 'opened' && this.state !== 'closed') {
        this.log.info('handshake timeout');
        this.destroy();
      }
    }, AMQP_ADAPTER_LIMITS.handshakeTimeoutMs);
    this.handshakeTimer.unref();
  }

  // ------------------------------------------------------------------------------------------ writing

  /**
   * Queues bytes for the socket. Small frames are gathered in `out` and written as one buffer at the end of the
   * tick (a burst of deliveries and confirms becomes one write); large ones go straight to the socket, after
   * whatever was gathered before them.
   */
  write(buf: Buffer): void {
    if (this.state === 'closed' || this.stream.destroyed) return;
    if (buf.length >= OUT_PASS_THROUGH_BYTES) {
      this.flushOut();
      this.writeToStream(buf);
      return;
    }
    this.out.append(buf);
    this.outAppended();
  }

  /** basic.deliver + header + body encoded straight into the outgoing slab (the per-message hot path). */
  writeDelivery(
    channel: number,
    consumerTag: Buffer,
    deliveryTag: number,
    redelivered: boolean,
    exchange: string,
    routingKey: string,
    rawProperties: Buffer,
    body: Buffer,
  ): void {
    if (this.state === 'closed' || this.stream.destroyed) return;
    this.out.deliver(channel, consumerTag, deliveryTag, redelivered, exchange, routingKey, rawProperties, body, this.frameMax === 0 ? FRAME_PAYLOAD_CEILING_BYTES + 8 : this.frameMax);
    this.outAppended();
  }

  private outAppended(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flushOut);
    }
    if (this.out.length >= this.ctx.limits.socketWriteBufferMaxBytes) this.flushOut();
  }

  private readonly flushOut = (): void => {
    this.flushScheduled = false;
    if (this.stream.destroyed) return;
    for (const b of this.out.take()) this.writeToStream(b);
  };

  private writeToStream(buf: Buffer): void {
    this.lastWriteAtMs = Date.now();
    if (!this.stream.write(buf)) this.writeBlocked = true;
    if (this.stream.writableLength >= this.ctx.limits.socketWriteBufferMaxBytes) this.updateReading();
  }

  writeMany(bufs: readonly Buffer[]): void {
    for (const b of bufs) this.write(b);
  }

  send<N extends MethodName>(channel: number, name: N, args: MethodArgs<N>): void {
    this.write(encodeFrame(channel, name, args));
  }

  /** Consumers may be handed deliveries: the socket is not backed up. */
  canWrite(): boolean {
    return (
      !this.writeBlocked &&
      this.state === 'opened' &&
      this.stream.writableLength + this.out.length < this.ctx.limits.socketWriteBufferMaxBytes
    );
  }

  private onDrain(): void {
    this.writeBlocked = false;
    this.updateReading();
    for (const ch of this.channels.values()) ch.resumeConsumers();
  }

  // ------------------------------------------------------------------------------------------ reading

  private onData(chunk: Buffer): void {
    this.lastReadAtMs = Date.now();
    if (this.state === 'closed') return;
    this.turnBytes += chunk.length;
    if (!this.turnScheduled) {
      this.turnScheduled = true;
      setImmediate(this.endTurn);
    }
    if (this.turnBytes >= AMQP_ADAPTER_LIMITS.readBytesPerTurnMax) this.updateReading();
    if (this.state === 'header') {
      this.headerBuf = this.headerBuf.length === 0 ? chunk : Buffer.concat([this.headerBuf, chunk]);
      const verdict = checkProtocolHeader(this.headerBuf);
      if (verdict === 'need-more') return;
      if (verdict === 'bad') {
        // AMQP 0-9-1 §4.2.2: answer with the protocol header we do speak, then close.
        this.log.debug('bad protocol header');
        this.stream.end(PROTOCOL_HEADER_0_9_1);
        this.teardown();
        return;
      }
      const rest = this.headerBuf.subarray(PROTOCOL_HEADER_0_9_1.length);
      this.headerBuf = Buffer.alloc(0);
      this.parser = new FrameParser(this.frameMax);
      this.state = 'start-ok';
      this.send(0, 'connection.start', {
        versionMajor: 0,
        versionMinor: 9,
        serverProperties: serverProperties(this.ctx.nodeName),
        mechanisms: Buffer.from(SASL_MECHANISMS.join(' ')),
        locales: Buffer.from('en_US'),
      });
      if (rest.length === 0) return;
      chunk = rest;
    }
    if (this.parser === null) return;
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      // Frame-level garbage (oversize, bad frame-end): the stream cannot be resynchronised.
      this.connectionError(err, 0, 0);
      return;
    }
    if (this.pendingHead === this.pending.length) {
      this.pending = frames;
      this.pendingHead = 0;
    } else {
      // Still busy with earlier frames (an async handler): append, dropping the handled prefix now and then.
      if (this.pendingHead > PENDING_COMPACT_AT_FRAMES) {
        this.pending = this.pending.slice(this.pendingHead);
        this.pendingHead = 0;
      }
      for (const f of frames) this.pending.push(f);
    }
    this.pump();
  }

  private pump(): void {
    while (this.pendingHead < this.pending.length && !this.busy && this.state !== 'closed') {
      if (this.alarmBlocked && this.hasPublished) break;
      const frame = this.pending[this.pendingHead++];
      const result = this.handleFrameSafely(frame);
      if (result !== undefined) {
        this.busy = true;
        result.finally(() => {
          this.busy = false;
          this.pump();
        });
        break;
      }
    }
    if (this.pendingHead === this.pending.length) this.dropPending();
    this.updateReading();
  }

  /** A new event-loop turn: this connection's read share starts again. */
  private readonly endTurn = (): void => {
    this.turnScheduled = false;
    const wasOver = this.turnBytes >= AMQP_ADAPTER_LIMITS.readBytesPerTurnMax;
    this.turnBytes = 0;
    if (wasOver) this.updateReading();
  };

  private dropPending(): void {
    this.pending = NO_FRAMES;
    this.pendingHead = 0;
  }

  /**
   * Reading pauses while frames pile up unhandled, while an alarm blocks a publishing connection, and while the
   * peer does not read its replies (our write buffer is full): every per-connection buffer stays bounded.
   */
  private updateReading(): void {
    const shouldPause =
      this.turnBytes >= AMQP_ADAPTER_LIMITS.readBytesPerTurnMax ||
      this.pending.length - this.pendingHead >= AMQP_ADAPTER_LIMITS.pendingFramesMax ||
      (this.alarmBlocked && this.hasPublished) ||
      this.unconfirmed >= AMQP_ADAPTER_LIMITS.unconfirmedMax ||
      this.stream.writableLength >= this.ctx.limits.socketWriteBufferMaxBytes;
    if (shouldPause && !this.readPaused) {
      this.readPaused = true;
      this.stream.pause();
    } else if (!shouldPause && this.readPaused) {
      this.readPaused = false;
      this.stream.resume();
    }
  }

  /** Handles one frame; returns a promise when the handler went async. Never throws. */
  private handleFrameSafely(frame: Frame): Promise<void> | undefined {
    let method: AmqpMethod | null = null;
    try {
      if (frame.type === FRAME_TYPE.HEARTBEAT) {
        if (frame.channel !== 0) throw new AmqpError(REPLY.FRAME_ERROR, 'heartbeat frame on non-zero channel', true);
        return undefined;
      }
      if (frame.type === FRAME_TYPE.METHOD) {
        if (frame.channel !== 0 && this.state === 'opened' && frame.payload.length >= 4) {
          // basic.publish and basic.ack (one per delivery) are the busiest inbound methods: handle them without
          // the generic decode and dispatch when nothing unusual applies (the channel falls back otherwise).
          const payload = frame.payload;
          const ch = this.channels.get(frame.channel);
          if (ch !== undefined) {
            if (payload.length === BASIC_ACK_PAYLOAD_BYTES && ch.tryFastAck(payload)) return undefined;
            if (payload.readUInt32BE(0) === BASIC_PUBLISH_METHOD_ID && ch.tryFastPublish(payload)) return undefined;
          }
        }
        method = decodeMethod(frame.payload);
      }
      if (this.state === 'closing') return this.handleWhileClosing(frame, method);
      if (frame.channel === 0) {
        if (method === null) {
          throw new AmqpError(REPLY.UNEXPECTED_FRAME, `expected method frame on channel 0, got frame type ${frame.type}`, true);
        }
        // Channel 0 carries only the connection class; anything else there is a channel error (AMQP 0-9-1 §2.3.7).
        if (method.classId !== 10) {
          throw new AmqpError(REPLY.CHANNEL_ERROR, `method '${method.name}' is not allowed on channel 0`, true);
        }
        const r = handleConnectionMethod(this, method);
        return r === undefined ? undefined : r.catch((err: unknown) => this.connectionError(err, 10, method === null ? 0 : method.methodId));
      }
      if (this.state !== 'opened') {
        throw new AmqpError(REPLY.CHANNEL_ERROR, `channel ${frame.channel} used before connection.open`, true);
      }
      return this.routeToChannel(frame, method);
    } catch (err) {
      this.connectionError(err, method === null ? 0 : method.classId, method === null ? 0 : method.methodId);
      return undefined;
    }
  }

  private routeToChannel(frame: Frame, method: AmqpMethod | null): Promise<void> | undefined {
    let ch = this.channels.get(frame.channel);
    if (ch === undefined) {
      if (method === null || method.name !== 'channel.open') {
        throw new AmqpError(REPLY.CHANNEL_ERROR, `expected 'channel.open' on channel ${frame.channel}`, true);
      }
      if (frame.channel > this.channelMax) {
        throw new AmqpError(REPLY.NOT_ALLOWED, `channel ${frame.channel} exceeds negotiated channel_max ${this.channelMax}`, true);
      }
      ch = new AmqpChannel(this, frame.channel);
      this.channels.set(frame.channel, ch);
    }
    return ch.handleFrame(frame, method);
  }

  /** After we sent connection.close only close and close-ok matter (AMQP 0-9-1 §2.2.4). */
  private handleWhileClosing(frame: Frame, method: AmqpMethod | null): undefined {
    if (frame.channel !== 0 || method === null) return undefined;
    if (method.name === 'connection.close') {
      this.send(0, 'connection.close-ok', {});
      this.finish();
    } else if (method.name === 'connection.close-ok') {
      this.finish();
    }
    return undefined;
  }

  forgetChannel(id: number): void {
    this.channels.delete(id);
  }

  channelCount(): number {
    return this.channels.size;
  }

  // ------------------------------------------------------------------------------------------ handshake hooks

  /** Called by the connection handlers once tune-ok has fixed the parameters. */
  applyTune(frameMax: number, channelMax: number, heartbeatS: number): void {
    this.frameMax = frameMax;
    this.channelMax = channelMax;
    this.heartbeatS = heartbeatS;
    this.parser?.setFrameMax(frameMax);
    this.startHeartbeats();
  }

  /** connection.open succeeded. */
  opened(vhost: VirtualHost): void {
    this.vhost = vhost;
    this.state = 'opened';
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
    if (this.ctx.alarms.blocked) this.alarmChanged(true, this.ctx.alarms.reason ?? 'resource alarm');
  }

  /** A publisher that outruns storage waits for its confirms instead of growing our backlog without bound. */
  unconfirmedChanged(delta: number): void {
    const before = this.unconfirmed;
    this.unconfirmed += delta;
    const max = AMQP_ADAPTER_LIMITS.unconfirmedMax;
    if ((before < max) !== (this.unconfirmed < max)) this.updateReading();
  }

  /** A publish arrived: from now on alarms stop reading from this connection. */
  notePublish(): void {
    if (!this.hasPublished) {
      this.hasPublished = true;
      if (this.alarmBlocked) this.updateReading();
    }
  }

  /** The server fans ctx.alarms 'blocked'/'unblocked' out to every connection (one listener, not one each). */
  alarmChanged(blocked: boolean, reason: string): void {
    if (this.state !== 'opened') return;
    this.alarmBlocked = blocked;
    if (this.clientCapabilities.has('connection.blocked')) {
      if (blocked && !this.notifiedBlocked) {
        this.notifiedBlocked = true;
        this.send(0, 'connection.blocked', { reason });
      } else if (!blocked && this.notifiedBlocked) {
        this.notifiedBlocked = false;
        this.send(0, 'connection.unblocked', {});
      }
    }
    if (!blocked) this.pump();
    else this.updateReading();
  }

  // ------------------------------------------------------------------------------------------ heartbeats

  private startHeartbeats(): void {
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (this.heartbeatS <= 0) return;
    const intervalMs = this.heartbeatS * 1000;
    // Tick at half the interval: send when we have been quiet, check the peer against 2 missed intervals.
    this.heartbeatTimer = setInterval(() => {
      const now = Date.now();
      // While we do not read (blocked by an alarm, backpressure) the peer's heartbeats sit unread: not its fault.
      if (this.readPaused) this.lastReadAtMs = now;
      if (now - this.lastReadAtMs > intervalMs * AMQP_ADAPTER_LIMITS.heartbeatMissedMax) {
        this.log.info({ heartbeatS: this.heartbeatS }, 'missed heartbeats from client, closing');
        this.destroy();
        return;
      }
      if (now - this.lastWriteAtMs >= intervalMs / 2) this.write(HEARTBEAT_FRAME);
    }, intervalMs / 2);
    this.heartbeatTimer.unref();
  }

  // ------------------------------------------------------------------------------------------ closing

  /** A hard error: connection.close with the code, then wait for close-ok. */
  connectionError(err: unknown, classId: number, methodId: number): void {
    const c = classify(err);
    if (c.unexpected) this.log.error({ err }, 'unexpected error in AMQP handler');
    else this.log.debug({ code: c.replyCode, text: c.text }, 'connection error');
    this.close(c.replyCode, c.text, classId, methodId);
  }

  /** Starts the server-initiated close handshake. */
  close(replyCode: number, text: string, classId = 0, methodId = 0): void {
    if (this.state === 'closing' || this.state === 'closed') return;
    this.state = 'closing';
    this.dropPending();
    this.closeChannels();
    this.send(0, 'connection.close', {
      replyCode,
      replyText: replyText(replyCode, text),
      classId,
      methodId,
    });
    this.closeTimer = setTimeout(() => this.destroy(), AMQP_ADAPTER_LIMITS.closeOkTimeoutMs);
    this.closeTimer.unref();
    this.updateReading();
  }

  /** Client asked to close: clean up, close-ok, end. */
  clientClosed(): void {
    this.closeChannels();
    this.send(0, 'connection.close-ok', {});
    this.finish();
  }

  private finish(): void {
    this.teardown();
    this.flushOut();
    this.stream.end();
  }

  destroy(): void {
    this.teardown();
    this.stream.destroy();
  }

  private closeChannels(): void {
    for (const ch of this.channels.values()) ch.cleanup();
    this.channels.clear();
  }

  private teardown(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.dropPending();
    this.closeChannels();
    if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer);
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    if (this.vhost !== null) {
      try {
        this.vhost.ownerClosed(this.id);
      } catch (err) {
        this.log.warn({ err }, 'ownerClosed failed');
      }
    }
    if (!this.stream.destroyed && !this.stream.writableEnded) {
      // Let queued close frames flush, but never wait on a peer that stopped reading.
      setTimeout(() => this.stream.destroy(), AMQP_ADAPTER_LIMITS.closeOkTimeoutMs).unref();
    }
    this.onClosed(this);
  }
}

/** Server-generated names ("amq.ctag-…", reply-to tokens): 16 random bytes, URL-safe base64 like RabbitMQ. */
export function randomName(prefix: string): string {
  return prefix + randomBytes(16).toString('base64url');
}
