/**
 * One MQTT network connection. Lifecycle:
 *
 *   AWAIT_CONNECT ──CONNECT──► CONNECTING ──CONNACK 0──► OPEN ──DISCONNECT / error / keep-alive / takeover──► CLOSED
 *        │  anything else        │ refused: CONNACK ≠ 0         │
 *        └───────────────────────┴──────────────────────────────┴──────────── socket closed ──────────────► CLOSED
 *
 * Bytes → MqttFramer (declared length checked before buffering) → fast-codec.ts (PUBLISH, PUBACK once open) or
 * mqtt-packet parser (everything else) → inbox → one handler per packet type (handlers/), run strictly in order
 * and synchronously until a handler awaits (CONNECT, SUBSCRIBE): that holds the next packet back, so a SUBACK is
 * never overtaken. PUBLISH handlers return at once; their acknowledgements are sent in receive order once the
 * core settled them [MQTT-4.6.0-2]. Everything written in one tick leaves in one writev (cork until nextTick).
 */
import type { Duplex } from 'node:stream';
import { generate, parser as createParser, type IPublishPacket, type Packet, type Parser, type QoS } from 'mqtt-packet';
import type { AuthenticatedUser, ConnectionInfo } from '../../src/core/types';
import type { Logger } from '../../src/core/logger';
import { isBrokerError } from '../../src/core/errors';
import { MqttProtocolError } from './errors';
import { publishTopicIsUtf8, unsupportedProtocolLevel } from './frame-checks';
import { decodePublish, decodePuback } from './fast-codec';
import { MqttFramer, type FrameResult } from './framer';
import { Outbound } from './outbound';
import { dispatch } from './handlers';
import { noteDisconnect } from './handlers/disconnect';
import { publishFromBroker } from './handlers/publish';
import type { HubConnection, MqttHub } from './hub';
import { RC, reasonText } from './reason';
import type { SessionState } from './session';

/** Packets parsed but not yet handled before we stop reading the socket. */
export const MQTT_INBOX_PACKETS_MAX = 256;
/** Publishes handed to the core but not yet settled before we stop reading the socket. */
export const MQTT_UNSETTLED_PUBLISHES_MAX = 4096;
/** How long a closing socket may take to flush before it is destroyed. */
const CLOSE_FLUSH_TIMEOUT_MS = 1000;
/** v5 default Receive Maximum when the client sends none (v5 §3.1.2.11.3). */
const CLIENT_RECEIVE_MAX_DEFAULT = 65_535;

export type ConnState = 'await-connect' | 'connecting' | 'open' | 'closed';
export type CloseCause = 'client-disconnect' | 'protocol-error' | 'takeover' | 'server-stop' | 'keepalive' | 'socket' | 'refused';

export interface WillSpec {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: NonNullable<IPublishPacket['properties']>;
  delaySec: number;
}

/** Inbound publishes that one promise settles (usually: one storage commit). */
interface SettleGroup {
  promise: Promise<void>;
  done: boolean;
  err: unknown;
  /** Publishes (QoS 0 and QoS 1/2) in the group not yet counted as settled. */
  count: number;
  /** Of which QoS 0. */
  qos0: number;
}

/** An inbound QoS 1/2 PUBLISH waiting for its turn to be acknowledged. */
interface AckEntry {
  group: SettleGroup;
  onSettled: (err: unknown) => void;
}

const PUBLISH_TYPE = 3;
const PUBACK_TYPE = 4;

/**
 * Packets gathered per connection are handed to the socket in one write at the end of the event-loop turn, or
 * as soon as this many bytes wait (a burst of deliveries then keeps going, and the socket's own buffer decides
 * about backpressure as before).
 */
export const MQTT_OUT_GATHER_MAX_BYTES = 64 * 1024;
/** Packets at least this large are written directly (after what waits), not copied into the gathered buffer. */
const MQTT_OUT_DIRECT_MIN_BYTES = 16 * 1024;

/** Connections with gathered packets; one setImmediate per event-loop turn flushes them all. */
const flushList: MqttConnection[] = [];
let flushScheduled = false;

function queueFlush(c: MqttConnection): void {
  flushList.push(c);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushAll);
  }
}

function flushAll(): void {
  flushScheduled = false;
  // Connections queued while flushing (a write callback) wait for the next turn's run.
  const n = flushList.length;
  for (let i = 0; i < n; i++) flushList[i].flushQueued();
  flushList.splice(0, n);
}

/** What became of a packet handed to send(). */
export type SendResult = 'sent' | 'too-large' | 'closed';

let connectionSeq = 0;

export class MqttConnection implements HubConnection {
  state: ConnState = 'await-connect';
  protocolVersion: 3 | 4 | 5 = 4;
  clientId = '';
  user: AuthenticatedUser | null = null;
  session: SessionState | null = null;
  will: WillSpec | null = null;
  readonly owner: string;
  private logger: Logger | null = null;
  /** Deliveries to the client: consumers, packet ids, in-flight QoS 1/2, topic aliases. */
  readonly out: Outbound;

  // Limits the client announced (v5 CONNECT properties).
  clientReceiveMax = CLIENT_RECEIVE_MAX_DEFAULT;
  clientPacketSizeMax = Number.POSITIVE_INFINITY;
  clientTopicAliasMax = 0;
  requestProblemInfo = true;

  /** Inbound topic aliases (client → us). */
  readonly inAliases = new Map<number, string>();

  /** Inbound QoS 1/2 PUBLISH handed to the core whose PUBACK/PUBREC is not sent yet. */
  inboundPending = 0;
  /** Packet ids of inbound QoS 2 PUBLISH not yet settled (a DUP of one of them is not routed again). */
  readonly inboundQos2Unsettled = new Set<number>();
  private unsettled = 0;
  private readonly ackQueue: AckEntry[] = [];
  /** The group the last publish joined (the next one joins it when settled by the same promise). */
  private lastGroup: SettleGroup | null = null;


  private readonly framer: MqttFramer;
  private parser: Parser | null = null;
  private readonly inbox: Packet[] = [];
  private pumping = false;
  private readingPaused = false;
  /** Set by the first PUBLISH: this connection is a publisher, blocked while a resource alarm is on. */
  hasPublished = false;
  /** The peer closed its side; no more deliveries, release once the inbox is handled. */
  private socketGone = false;
  private needDrain = false;
  /** Packets written but not yet handed to the socket (see writeBuffer), and their bytes. */
  private readonly outChunks: Buffer[] = [];
  private outBytes = 0;
  /** In the list flushAll works through. */
  private outQueued = false;
  keepAliveSec = 0;
  private lastRxMs = Date.now();
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;
  /** Set by a normal DISCONNECT: the will is discarded [MQTT-3.14.4-3]. */
  willDiscarded = false;

  constructor(
    readonly hub: MqttHub,
    readonly stream: Duplex,
    readonly info: ConnectionInfo,
    private readonly onClosed: (c: MqttConnection) => void,
  ) {
    connectionSeq += 1;
    this.owner = `mqtt:${info.remoteAddress}:${info.remotePort}#${connectionSeq}`;
    this.out = new Outbound(this);
    this.framer = new MqttFramer(hub.ctx.limits.mqttPacketSizeMaxBytes);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('drain', () => {
      this.needDrain = false;
      this.out.resume();
    });
    stream.on('error', (err: unknown) => this.log.debug({ err }, 'socket error'));
    stream.on('close', () => this.onSocketGone());
    stream.on('end', () => this.onSocketGone());
    hub.stats.connectionsTotal += 1;
    // A connection that never sends CONNECT is closed after a while (Mosquitto and RabbitMQ do the same).
    const connectTimer = setTimeout(() => {
      if (this.state === 'await-connect') void this.shutdown('protocol-error');
    }, hub.opts.connectTimeoutMs);
    connectTimer.unref();
    stream.once('close', () => clearTimeout(connectTimer));
  }

  // ------------------------------------------------------------------------------------------ reading

  /** A method, not a field test, because handlers change the state behind the compiler's narrowing. */
  isClosed(): boolean {
    return this.state === 'closed';
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.lastRxMs = Date.now();
    this.hub.stats.bytesReceived += chunk.length;
    this.framer.feedEach(chunk, this.onFrame);
  }

  /** One framer result; false stops the framer (the connection is closing). */
  private readonly onFrame = (r: FrameResult): boolean => {
    if (this.isClosed()) return false;
    if (r.kind === 'too-large') {
      // [MQTT-3.1.2-24] a packet above the Maximum Packet Size we announced: DISCONNECT 0x95.
      this.protocolError(new MqttProtocolError(RC.PACKET_TOO_LARGE, `packet of ${r.declaredBytes} bytes`));
      return false;
    }
    if (r.kind === 'malformed') {
      this.protocolError(new MqttProtocolError(RC.MALFORMED_PACKET, 'bad remaining length'));
      return false;
    }
    if (this.state === 'open' && this.decodeFast(r.frame)) return true;
    if (this.state === 'await-connect' && unsupportedProtocolLevel(r.frame)) {
      // [MQTT-3.1.2-2] CONNACK 0x01 "unacceptable protocol level", then close (v3.1.1 encoding, as Mosquitto).
      this.stream.write(Buffer.from([0x20, 0x02, 0x00, 0x01]));
      void this.shutdown('refused');
      return false;
    }
    if (!publishTopicIsUtf8(r.frame)) {
      // [MQTT-1.5.3-1] ill-formed UTF-8 in a topic name is a malformed packet.
      this.protocolError(new MqttProtocolError(RC.MALFORMED_PACKET, 'topic is not valid UTF-8'));
      return false;
    }
    this.parseFrame(r.frame);
    return true;
  };

  /**
   * Decodes one whole frame with this connection's mqtt-packet parser (everything but the hand-decoded PUBLISH
   * and PUBACK of an open connection). Tried: one parser shared by all connections to save memory per idle
   * client; the bad-input fuzz test then left later connections unanswered, so each connection keeps its own.
   */
  private parseFrame(frame: Buffer): void {
    if (this.parser === null) {
      const p = createParser({ protocolVersion: 4 });
      p.on('packet', (packet: Packet) => this.enqueue(packet));
      p.on('error', (err: unknown) => {
        this.log.debug({ err }, 'malformed packet');
        this.protocolError(new MqttProtocolError(RC.MALFORMED_PACKET, 'malformed packet'));
      });
      this.parser = p;
    }
    this.parser.parse(frame);
  }

  /** The connection's logger, made on first use (an idle connection never logs, and a child logger is not free). */
  get log(): Logger {
    return (this.logger ??= this.hub.log.child({ conn: this.owner }));
  }

  /**
   * PUBLISH and PUBACK of an open connection decode by hand (fast-codec.ts); true when the frame was taken
   * (handed on, or refused as malformed). Before the connection is open the protocol version may still
   * change, so mqtt-packet (which follows CONNECT itself) decodes everything.
   */
  private decodeFast(frame: Buffer): boolean {
    const type = frame[0] >> 4;
    if (type === PUBLISH_TYPE) {
      const p = decodePublish(frame, this.protocolVersion);
      if (p === null) return false;
      if (p === 'bad-utf8') {
        // [MQTT-1.5.3-1] ill-formed UTF-8 in a topic name is a malformed packet.
        this.protocolError(new MqttProtocolError(RC.MALFORMED_PACKET, 'topic is not valid UTF-8'));
        return true;
      }
      this.enqueue(p);
      return true;
    }
    if (type === PUBACK_TYPE) {
      const p = decodePuback(frame, this.protocolVersion);
      if (p === null) return false;
      this.enqueue(p);
      return true;
    }
    return false;
  }

  /**
   * The peer closed. Packets already received are still handled (a PUBLISH then DISCONNECT then FIN must not
   * lose the PUBLISH nor publish the will), then the connection is released.
   */
  private onSocketGone(): void {
    this.socketGone = true;
    if (!this.pumping && this.inbox.length === 0) void this.shutdown('socket');
  }

  private enqueue(p: Packet): void {
    if (this.state === 'closed') return;
    // DISCONNECT takes effect on arrival: a close right behind it must already see the will discarded.
    if (p.cmd === 'disconnect' && this.state === 'open') {
      try {
        noteDisconnect(this, p);
      } catch (err) {
        this.protocolError(err);
        return;
      }
    }
    this.inbox.push(p);
    if (this.pumping) this.updateReading();
    else this.pump();
  }

  /**
   * Handles the inbox in order. Synchronous while handlers are (PUBLISH, PUBACK: no promise per packet); a
   * handler that returns a promise (CONNECT, SUBSCRIBE) holds the rest back until it settles.
   */
  private pump(): void {
    this.pumping = true;
    while (this.inbox.length > 0 && this.state !== 'closed') {
      const p = this.inbox.shift() as Packet;
      let r: Promise<void> | void;
      try {
        r = dispatch(this, p);
      } catch (err) {
        this.protocolError(err);
        break;
      }
      if (r !== undefined) {
        this.updateReading();
        r.then(
          () => this.pump(),
          (err: unknown) => {
            this.protocolError(err);
            this.pumpDone();
          },
        );
        return;
      }
    }
    this.pumpDone();
  }

  private pumpDone(): void {
    this.pumping = false;
    this.updateReading();
    if (this.socketGone) void this.shutdown('socket');
  }

  /** Stops reading while the inbox, the unsettled publishes or a resource alarm say so (backpressure). */
  updateReading(): void {
    if (this.state === 'closed') return;
    const pause =
      this.inbox.length >= MQTT_INBOX_PACKETS_MAX ||
      this.unsettled >= MQTT_UNSETTLED_PUBLISHES_MAX ||
      // Like RabbitMQ, a resource alarm blocks connections that publish; pure subscribers keep acknowledging.
      (this.hub.ctx.alarms.blocked && this.state === 'open' && this.hasPublished);
    if (pause && !this.readingPaused) {
      this.readingPaused = true;
      this.stream.pause();
    } else if (!pause && this.readingPaused) {
      this.readingPaused = false;
      this.stream.resume();
    }
  }

  // ------------------------------------------------------------------------------------------ writing

  /** Encodes and writes; false when the packet was not written (closed or over the client's maximum size). */
  send(packet: Packet): boolean {
    return this.write(packet) === 'sent';
  }

  write(packet: Packet): SendResult {
    if (this.stream.destroyed || !this.stream.writable) return 'closed';
    let buf: Buffer;
    try {
      buf = generate(packet, { protocolVersion: this.protocolVersion });
      if (buf.length > this.clientPacketSizeMax) {
        // [MQTT-3.4.2-2 and the like] a Reason String must not push a packet over the client's Maximum Packet
        // Size: the packet goes without it.
        const lean = withoutReasonString(packet);
        if (lean !== null) buf = generate(lean, { protocolVersion: this.protocolVersion });
      }
    } catch (err) {
      // mqtt-packet refuses packets it cannot encode; that is our bug, not the peer's: log, keep the connection.
      this.log.error({ err, cmd: packet.cmd }, 'cannot encode packet');
      return 'too-large';
    }
    return this.writeBuffer(buf);
  }

  /**
   * The properties of an acknowledgement carrying `codes`: a v5 Reason String when one of them is an error
   * (≥ 0x80) and the client did not set Request Problem Information to 0; with it set to 0 only CONNACK and
   * DISCONNECT may carry one (`always`) [MQTT-3.1.2-29]. Undefined when nothing is to be sent.
   */
  problemProperties(codes: readonly number[], detail?: string, always = false): { reasonString: string } | undefined {
    if (this.protocolVersion !== 5 || (!this.requestProblemInfo && !always)) return undefined;
    const reasonString = reasonText(codes, detail);
    return reasonString === undefined ? undefined : { reasonString };
  }

  /**
   * Writes an encoded packet (fast-codec.ts or generate). Packets are gathered per connection and handed to the
   * socket as one buffer at the end of the event-loop turn (flushAll), or at once when MQTT_OUT_GATHER_MAX_BYTES
   * are waiting: everything one turn produces for a client (deliveries after its acks, PUBACKs after a commit,
   * both) leaves in one write() instead of one writev per tick. On this VM a socket write that wakes the peer
   * costs tens of µs (it was 16 % of the broker's CPU in QoS 1 persistent 1 KiB 1→1).
   * (Before: cork until nextTick. Corking until the end of the turn instead was 2-30× slower: the corked bytes
   * passed the socket's high-water mark and deliveries waited for 'drain'; gathered bytes are not the
   * socket's until the flush, so that cannot happen here.)
   */
  writeBuffer(buf: Buffer): SendResult {
    if (this.stream.destroyed || !this.stream.writable) return 'closed';
    if (buf.length > this.clientPacketSizeMax) return 'too-large';
    this.hub.stats.bytesSent += buf.length;
    if (buf.length >= MQTT_OUT_DIRECT_MIN_BYTES) {
      // A large packet is not copied into a gathered buffer: what waits goes first, then this one.
      this.flushOut();
      if (!this.stream.write(buf)) this.needDrain = true;
      return 'sent';
    }
    this.outChunks.push(buf);
    this.outBytes += buf.length;
    if (this.outBytes >= MQTT_OUT_GATHER_MAX_BYTES) this.flushOut();
    else if (!this.outQueued) {
      this.outQueued = true;
      queueFlush(this);
    }
    return 'sent';
  }

  /** Hands the gathered packets to the socket as one buffer. */
  flushOut(): void {
    const n = this.outChunks.length;
    if (n === 0) return;
    const data = n === 1 ? this.outChunks[0] : Buffer.concat(this.outChunks, this.outBytes);
    this.outChunks.length = 0;
    this.outBytes = 0;
    if (this.stream.destroyed) return;
    if (!this.stream.write(data)) this.needDrain = true;
  }

  /** Called by flushAll: the connection may be queued again. */
  flushQueued(): void {
    this.outQueued = false;
    this.flushOut();
  }

  /** May a delivery be written now? (open, peer still reading, socket not asking us to wait) */
  writableNow(): boolean {
    return this.state === 'open' && !this.socketGone && !this.needDrain;
  }

  /**
   * The group of publishes settled by `settled`. The core hands every publish of one storage commit the same
   * promise, so one reaction per commit settles them all (a `then` per publish was a promise and a closure per
   * message). A promise seen again after its group settled starts a new group.
   */
  private groupFor(settled: Promise<void>): SettleGroup {
    const g = this.lastGroup;
    if (g !== null && g.promise === settled && !g.done) return g;
    const group: SettleGroup = { promise: settled, done: false, err: null, count: 0, qos0: 0 };
    this.lastGroup = group;
    settled.then(
      () => this.groupSettled(group, null),
      (err: unknown) => this.groupSettled(group, err),
    );
    return group;
  }

  /** Queues an acknowledgement that may only go out after those of earlier PUBLISHes [MQTT-4.6.0-2]. */
  trackPublish(settled: Promise<void>, onSettled: (err: unknown) => void): void {
    this.unsettled += 1;
    if (this.unsettled >= MQTT_UNSETTLED_PUBLISHES_MAX) this.updateReading();
    const group = this.groupFor(settled);
    group.count += 1;
    this.ackQueue.push({ group, onSettled });
  }

  /** A QoS 0 PUBLISH has nothing to answer: only the count of unsettled publishes (backpressure) and a log. */
  trackQos0Publish(settled: Promise<void>): void {
    this.unsettled += 1;
    if (this.unsettled >= MQTT_UNSETTLED_PUBLISHES_MAX) this.updateReading();
    const group = this.groupFor(settled);
    group.count += 1;
    group.qos0 += 1;
  }

  private groupSettled(group: SettleGroup, err: unknown): void {
    this.unsettled -= group.count;
    group.done = true;
    group.err = err;
    if (this.lastGroup === group) this.lastGroup = null;
    // Acks are sent in receive order: a settled publish waits for the ones ahead of it.
    let sent = 0;
    while (sent < this.ackQueue.length && this.ackQueue[sent].group.done) {
      const e = this.ackQueue[sent++];
      if (this.state !== 'closed') e.onSettled(e.group.err);
    }
    if (sent > 0) this.ackQueue.splice(0, sent);
    // QoS 0 publishes have nobody to answer: at least the log says it (QoS 1/2 refusals are answered).
    if (err !== null && group.qos0 > 0) this.log.warn({ err, publishes: group.qos0 }, 'QoS 0 publish not settled');
    if (this.readingPaused) this.updateReading();
  }

  // ------------------------------------------------------------------------------------------ keep-alive

  startKeepAlive(seconds: number): void {
    this.keepAliveSec = seconds;
    if (seconds === 0) return;
    // [MQTT-3.1.2-24] nothing received for 1.5 × keep-alive: the connection is closed.
    const windowMs = seconds * 1500;
    const check = (): void => {
      const idleMs = Date.now() - this.lastRxMs;
      if (idleMs >= windowMs) {
        void this.closeWith(RC.KEEP_ALIVE_TIMEOUT, 'keepalive');
        return;
      }
      this.keepAliveTimer = setTimeout(check, windowMs - idleMs);
      this.keepAliveTimer.unref();
    };
    this.keepAliveTimer = setTimeout(check, windowMs);
    this.keepAliveTimer.unref();
  }

  // ------------------------------------------------------------------------------------------ closing

  /** Any error from a handler or the parser: a protocol error closes only this connection. */
  protocolError(err: unknown): void {
    if (err instanceof MqttProtocolError) {
      this.log.debug({ reason: err.reasonCode, msg: err.message }, 'protocol error');
      void this.closeWith(err.reasonCode, 'protocol-error', err.message);
      return;
    }
    this.log.warn({ err }, 'mqtt connection failed');
    void this.closeWith(isBrokerError(err) && err.code === 'BROKER_STOPPING' ? RC.SERVER_SHUTTING_DOWN : RC.UNSPECIFIED_ERROR, 'protocol-error');
  }

  /** Sends a v5 DISCONNECT with `reasonCode` (and a Reason String) when the connection is open, then closes. */
  closeWith(reasonCode: number, cause: CloseCause, reasonString?: string): Promise<void> {
    if (this.state === 'open' && this.protocolVersion === 5 && this.closing === null) {
      // DISCONNECT may carry a Reason String whatever Request Problem Information says (v5 §3.1.2.11.7).
      const properties = this.problemProperties([reasonCode], reasonString, true);
      this.send(properties === undefined ? { cmd: 'disconnect', reasonCode } : { cmd: 'disconnect', reasonCode, properties });
    }
    return this.shutdown(cause);
  }

  async takeOver(): Promise<void> {
    await this.closeWith(RC.SESSION_TAKEN_OVER, 'takeover');
  }

  subscriptionCount(): number {
    return Object.keys(this.session?.subscriptions ?? {}).length;
  }

  subscribedFilters(): string[] {
    return Object.keys(this.session?.subscriptions ?? {});
  }

  shutdown(cause: CloseCause): Promise<void> {
    if (this.closing !== null) return this.closing;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.inbox.length = 0;
    if (this.keepAliveTimer !== null) clearTimeout(this.keepAliveTimer);
    // A DISCONNECT or refusing CONNACK written just before must leave before the FIN.
    this.flushOut();
    this.stream.end();
    const killer = setTimeout(() => this.stream.destroy(), CLOSE_FLUSH_TIMEOUT_MS);
    killer.unref();
    this.closing = (async () => {
      try {
        if (!wasOpen || this.session === null) {
          this.releaseConsumers();
          return;
        }
        // A takeover runs inside the new connection's client lock; everything else takes the lock itself.
        if (cause === 'takeover') await this.release(cause);
        else await this.hub.withClientLock(this.clientId, () => this.release(cause));
      } catch (err) {
        this.log.warn({ err }, 'session release failed');
      } finally {
        this.onClosed(this);
      }
    })();
    return this.closing;
  }

  private releaseConsumers(): void {
    this.out.cancelAll();
    try {
      this.hub.vhost.ownerClosed(this.owner);
    } catch (err) {
      this.log.debug({ err }, 'ownerClosed failed');
    }
  }

  /**
   * Broker shutdown: the server is about to close this connection for a reason other than DISCONNECT, so the will
   * is published now (as Mosquitto does), while the other connections are still open to receive it. Will Delay is
   * not honoured here: nothing would be left running to publish it later.
   */
  publishShutdownWill(): Promise<void> {
    const will = this.will;
    if (will === null || this.willDiscarded || this.state !== 'open') return Promise.resolve();
    this.will = null;
    return publishWill(this.hub, this.clientId, will);
  }

  /** The socket closed while CONNECT was setting the session up: release what the handler took. */
  async releaseAbortedConnect(): Promise<void> {
    if (this.session === null) return;
    await this.hub.withClientLock(this.clientId, () => this.release('socket'));
  }

  private async release(cause: CloseCause): Promise<void> {
    // Before the consumers go (that empties the in-flight window): the record keeps this connection's ids.
    this.out.syncOutboundIds();
    this.releaseConsumers();
    const s = this.session as SessionState;
    if (this.hub.byClientId.get(this.clientId) === this) this.hub.byClientId.delete(this.clientId);
    const will = this.will;
    // On server-stop the will was already published by publishShutdownWill (before any connection closed).
    if (will !== null && !this.willDiscarded && cause !== 'server-stop') {
      // [MQTT-3.1.3-9] the will waits min(Will Delay, Session Expiry); a reconnect in between cancels it.
      const delay = Math.min(will.delaySec, s.expiryIntervalSec);
      this.hub.scheduleWill(this.clientId, delay, () => publishWill(this.hub, this.clientId, will));
    }
    if (cause === 'takeover') {
      // The new connection reads the session record next: it must hold this connection's packet ids.
      await this.hub.sessions.save(s);
      return;
    }
    if (s.expiryIntervalSec === 0) {
      if (s.durable) await this.hub.discardSession(s);
      else for (const filter of Object.keys(s.subscriptions)) await this.hub.releaseSharedQueue(filter, s.clientId);
      return;
    }
    s.disconnectedAtMs = Date.now();
    await this.hub.sessions.save(s);
    this.hub.scheduleExpiry(s);
  }
}

/** `packet` without its Reason String (and without properties if that was the only one); null when it had none. */
function withoutReasonString(packet: Packet): Packet | null {
  if (!('properties' in packet) || packet.properties === undefined || packet.properties === null) return null;
  if (!('reasonString' in packet.properties) || packet.properties.reasonString === undefined) return null;
  const { reasonString, ...rest } = packet.properties;
  void reasonString;
  return (Object.keys(rest).length === 0 ? { ...packet, properties: undefined } : { ...packet, properties: rest }) as Packet;
}

function publishWill(hub: MqttHub, clientId: string, will: WillSpec): Promise<void> {
  const input = { topic: will.topic, payload: will.payload, qos: will.qos, retain: will.retain, properties: will.properties };
  return publishFromBroker(hub, clientId, input).catch((err: unknown) => hub.log.warn({ err, clientId }, 'will not published'));
}
