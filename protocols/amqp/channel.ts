/**
 * One AMQP channel: content assembly (method → header → body frames), consumers, channel-scoped delivery tags
 * and unacked deliveries, qos, publisher confirms and transactions. Method semantics are in handlers/; this file
 * holds the state they share and the delivery path from the core to the socket.
 *
 * Channel states: open ──(our error: channel.close sent)──► closing ──(close-ok)──► gone
 *                 open ──(client channel.close: close-ok sent)──────────────────────► gone
 * While closing, every frame but channel.close / channel.close-ok is dropped (AMQP 0-9-1 §2.2.4 / RabbitMQ).
 */
import type { Delivery, QueueHandle } from '../../src/core/types';
import type { Message, MessageProperties } from '../../src/core/message';
import { AMQP_ADAPTER_LIMITS, REPLY, REPLY_TO_PREFIX } from './constants';
import { AmqpError, classify, replyText } from './errors';
import type { AmqpConnection } from './connection';
import { dispatch } from './dispatcher';
import { Confirms } from './confirms';
import { publishMessage, startPublish } from './handlers/basic-publish';
import { readU64 } from './codec/primitives';
import { RepeatedName } from './repeated-name';
import {
  BASIC_CLASS_ID,
  FRAME_TYPE,
  decodeContentHeader,
  encodeBody,
  encodeFrame,
  encodeHeader,
  encodeHeaderRaw,
  type AmqpMethod,
  type Frame,
  type MethodArgs,
  type MethodName,
} from './wire';

/** basic.ack's class and method ids as the first 4 bytes of a method payload. */
const BASIC_ACK_METHOD_ID = 0x003c0050;
/** basic.publish's class and method ids, and its method id alone (what close frames name). */
export const BASIC_PUBLISH_METHOD_ID = 0x003c0028;
const BASIC_PUBLISH_METHOD = 40;
/** Where basic.publish's exchange shortstr starts: after the ids (4), the ticket (2) and its length octet. */
const BASIC_PUBLISH_EXCHANGE_AT = 7;
/** basic.publish's payload around its two shortstrs: ids (4), ticket (2), two length octets, the bits octet. */
const BASIC_PUBLISH_FIXED_BYTES = 9;
/** basic.publish bits: mandatory, immediate. */
const PUBLISH_BIT_MANDATORY = 1;
const PUBLISH_BIT_IMMEDIATE = 2;

/** A basic.publish waiting for its content header and body. */
export interface PendingPublish {
  exchange: string;
  routingKey: string;
  mandatory: boolean;
  bodySize: number;
  properties: MessageProperties | null;
  rawProperties: Buffer | null;
  parts: Buffer[];
  received: number;
}

export interface ChannelConsumer {
  tag: string;
  /**
   * The consumer's name in the core queue: consumer tags are scoped to a channel (RabbitMQ keys consumers by
   * channel and tag), while a core queue needs one name per consumer across all connections.
   */
  coreTag: string;
  /** null for the direct reply-to pseudo consumer. */
  queue: QueueHandle | null;
  noAck: boolean;
  isStream: boolean;
  replyToken: string | null;
  /** The tag's UTF-8 bytes, encoded once for every basic.deliver. */
  tagBytes: Buffer;
}

export interface UnackedEntry {
  queue: QueueHandle;
  id: number;
}

/** A settle operation kept until tx.commit. */
export type TxAction = () => void;

export class AmqpChannel {
  state: 'open' | 'closing' | 'gone' = 'open';
  readonly conn: AmqpConnection;
  readonly id: number;
  private opened = false;

  pendingPublish: PendingPublish | null = null;
  /** The PendingPublish object of the previous publish, reused by the next (publishes are assembled one at a time). */
  private spareContent: PendingPublish | null = null;
  /** The previous fast-path publish's exchange and routing key (see tryFastPublish). */
  private readonly publishExchange = new RepeatedName();
  private readonly publishRoutingKey = new RepeatedName();
  readonly consumers = new Map<string, ChannelConsumer>();
  /** Insertion order = delivery-tag order (tags only grow), which `multiple` acks rely on. */
  unacked = new Map<number, UnackedEntry>();
  private deliveryTagSeq = 0;
  /** basic.qos global=false: prefetch given to consumers created afterwards (RabbitMQ per_consumer_qos). */
  consumerPrefetch = 0;
  /** basic.qos global=true: unacked deliveries allowed across the channel; 0 = unlimited. */
  channelPrefetch = 0;
  /** Last queue declared on this channel, for the "" queue-name shorthand (AMQP 0-9-1 §1.7.2.1). */
  lastQueueName: string | null = null;
  /** Direct reply-to token of this channel's reply consumer. */
  replyToken: string | null = null;

  confirms: Confirms | null = null;
  /** The last settle promise of a publish without confirms that has a failure logger attached. */
  lastSettledWatched: Promise<void> | null = null;
  txMode = false;
  txPublishes: { message: Message; mandatory: boolean }[] = [];
  txActions: TxAction[] = [];
  /** Deliveries acked inside the open transaction, put back into unacked by tx.rollback. */
  txAcked: [number, UnackedEntry][] = [];

  constructor(conn: AmqpConnection, id: number) {
    this.conn = conn;
    this.id = id;
  }

  get ctx() {
    return this.conn.ctx;
  }

  get vhost() {
    const v = this.conn.vhost;
    if (v === null) throw new AmqpError(REPLY.CHANNEL_ERROR, 'connection not open', true);
    return v;
  }

  send<N extends MethodName>(name: N, args: MethodArgs<N>): void {
    this.conn.send(this.id, name, args);
  }

  // ------------------------------------------------------------------------------------------ frames in

  /** Returns a promise when the handler is async. Errors become channel or connection closes here. */
  handleFrame(frame: Frame, method: AmqpMethod | null): Promise<void> | undefined {
    if (this.state === 'closing') return this.whileClosing(method);
    const classId = method?.classId ?? BASIC_CLASS_ID;
    const methodId = method?.methodId ?? 40;
    try {
      const r = this.handleFrameInner(frame, method);
      if (r === undefined) return undefined;
      return r.catch((err: unknown) => this.fail(err, classId, methodId));
    } catch (err) {
      this.fail(err, classId, methodId);
      return undefined;
    }
  }

  private handleFrameInner(frame: Frame, method: AmqpMethod | null): Promise<void> | undefined {
    if (method !== null) {
      if (this.pendingPublish !== null) {
        throw new AmqpError(
          REPLY.UNEXPECTED_FRAME,
          `expected content ${this.pendingPublish.properties === null ? 'header' : 'body'} for class 60, got non content ${this.pendingPublish.properties === null ? 'header' : 'body'} frame instead`,
          true,
        );
      }
      if (method.name === 'channel.open') {
        if (this.opened) throw new AmqpError(REPLY.CHANNEL_ERROR, "second 'channel.open' seen", true);
        this.opened = true;
        this.send('channel.open-ok', { channelId: '' });
        return undefined;
      }
      return dispatch(this, method);
    }
    if (frame.type === FRAME_TYPE.HEADER) return this.onContentHeader(frame.payload);
    if (frame.type === FRAME_TYPE.BODY) return this.onContentBody(frame.payload);
    throw new AmqpError(REPLY.FRAME_ERROR, `unknown frame type ${frame.type}`, true);
  }

  private whileClosing(method: AmqpMethod | null): undefined {
    if (method?.name === 'channel.close') {
      this.send('channel.close-ok', {});
    } else if (method?.name === 'channel.close-ok') {
      this.state = 'gone';
      this.conn.forgetChannel(this.id);
    }
    return undefined;
  }

  /** Soft errors close the channel, hard ones the connection (AMQP 0-9-1 §1.2). */
  fail(err: unknown, classId: number, methodId: number): void {
    const c = classify(err);
    if (c.hard) {
      this.conn.connectionError(err, classId, methodId);
      return;
    }
    if (this.state !== 'open') return;
    this.conn.log.debug({ channel: this.id, code: c.replyCode, text: c.text }, 'channel error');
    this.cleanup();
    this.state = 'closing';
    this.send('channel.close', {
      replyCode: c.replyCode,
      replyText: replyText(c.replyCode, c.text),
      classId,
      methodId,
    });
  }

  /** Client channel.close: release everything and confirm. */
  clientClose(): void {
    this.cleanup();
    this.state = 'gone';
    this.conn.forgetChannel(this.id);
    this.send('channel.close-ok', {});
  }

  // ------------------------------------------------------------------------------------------ content

  /** Starts assembling a publish's content (header and body frames follow). */
  beginContent(exchange: string, routingKey: string, mandatory: boolean): void {
    let p = this.spareContent;
    if (p === null) {
      p = { exchange, routingKey, mandatory, bodySize: 0, properties: null, rawProperties: null, parts: [], received: 0 };
    } else {
      this.spareContent = null;
      p.exchange = exchange;
      p.routingKey = routingKey;
      p.mandatory = mandatory;
    }
    this.pendingPublish = p;
  }

  /**
   * A method payload that may be basic.publish, the busiest inbound method: starts the publish and returns true
   * when it is a well-formed basic.publish without `immediate` on an open channel with no content pending;
   * false sends it down the generic path (decode, dispatch, and the errors that go with them). Errors of the
   * publish itself (access refused) close the channel here as the generic path would.
   */
  tryFastPublish(payload: Buffer): boolean {
    if (this.state !== 'open' || !this.opened || this.pendingPublish !== null) return false;
    const end = payload.length;
    if (end < BASIC_PUBLISH_FIXED_BYTES) return false;
    const exAt = BASIC_PUBLISH_EXCHANGE_AT;
    const exLen = payload[6];
    const rkAt = exAt + exLen + 1;
    if (rkAt >= end) return false;
    const rkLen = payload[rkAt - 1];
    if (rkAt + rkLen + 1 !== end) return false;
    const bits = payload[end - 1];
    if ((bits & PUBLISH_BIT_IMMEDIATE) !== 0) return false;
    const exchange = this.publishExchange.read(payload, exAt, exLen);
    const routingKey = this.publishRoutingKey.read(payload, rkAt, rkLen);
    try {
      startPublish(this, exchange, routingKey, (bits & PUBLISH_BIT_MANDATORY) !== 0);
    } catch (err) {
      this.fail(err, BASIC_CLASS_ID, BASIC_PUBLISH_METHOD);
    }
    return true;
  }

  private onContentHeader(payload: Buffer): undefined {
    const p = this.pendingPublish;
    if (p === null || p.properties !== null) {
      throw new AmqpError(REPLY.UNEXPECTED_FRAME, 'expected method frame, got non method frame instead', true);
    }
    const header = decodeContentHeader(payload);
    if (header.classId !== BASIC_CLASS_ID) {
      throw new AmqpError(REPLY.FRAME_ERROR, `content header for class ${header.classId}, expected 60`, true);
    }
    const bodySize = Number(header.bodySize);
    const max = this.ctx.limits.messageSizeMaxBytes;
    if (bodySize > max) {
      this.pendingPublish = null;
      throw new AmqpError(REPLY.PRECONDITION_FAILED, `message size ${bodySize} is larger than configured max size ${max}`);
    }
    p.bodySize = bodySize;
    p.properties = header.properties;
    p.rawProperties = header.rawProperties;
    if (bodySize === 0) this.completePublish(p);
    return undefined;
  }

  private onContentBody(payload: Buffer): undefined {
    const p = this.pendingPublish;
    if (p === null || p.properties === null) {
      throw new AmqpError(REPLY.UNEXPECTED_FRAME, 'expected method frame, got non method frame instead', true);
    }
    p.received += payload.length;
    if (p.received > p.bodySize) {
      throw new AmqpError(REPLY.FRAME_ERROR, `body of ${p.received} bytes exceeds declared size ${p.bodySize}`, true);
    }
    p.parts.push(payload);
    if (p.received === p.bodySize) this.completePublish(p);
    return undefined;
  }

  private completePublish(p: PendingPublish): void {
    this.pendingPublish = null;
    const exchange = p.exchange;
    const routingKey = p.routingKey;
    const mandatory = p.mandatory;
    const properties = p.properties;
    const raw = p.rawProperties !== null && p.rawProperties.length > 0 ? p.rawProperties : null;
    let body: Buffer;
    let rawCopy: Buffer | null = null;
    if (p.parts.length === 1 && raw !== null && p.parts[0].buffer.byteLength > (p.received + raw.length) * 2) {
      // The usual small message: property bytes and body copied out of the socket chunk (which they would
      // otherwise pin for as long as the message lives) into ONE allocation instead of two.
      const block = Buffer.allocUnsafe(raw.length + p.received);
      raw.copy(block, 0);
      p.parts[0].copy(block, raw.length);
      rawCopy = block.subarray(0, raw.length);
      body = block.subarray(raw.length);
    } else {
      body = p.parts.length === 1 ? detach(p.parts[0]) : Buffer.concat(p.parts, p.received);
      if (raw !== null) rawCopy = Buffer.from(raw);
    }
    // Everything needed is read out of `p`: it is reused by the next publish.
    p.properties = null;
    p.rawProperties = null;
    p.parts.length = 0;
    p.received = 0;
    p.bodySize = 0;
    this.spareContent = p;
    const message: Message = {
      exchange,
      routingKey,
      properties: properties ?? {},
      body,
      receivedAtMs: Date.now(),
    };
    if (rawCopy !== null) message.amqpRawProperties = rawCopy;
    publishMessage(this, message, mandatory);
  }

  // ------------------------------------------------------------------------------------------ delivery out

  nextDeliveryTag(): number {
    return ++this.deliveryTagSeq;
  }

  /** Whether a consumer of this channel may receive one more delivery now (`held`: deliveries not yet sent). */
  canDeliver(held = 0): boolean {
    if (this.state !== 'open' || !this.conn.canWrite()) return false;
    return this.channelPrefetch === 0 || this.unacked.size + held < this.channelPrefetch;
  }

  deliverFromQueue(consumer: ChannelConsumer, delivery: Delivery): void {
    const queue = consumer.queue;
    if (this.state !== 'open' || queue === null) {
      // Raced with a close: give the message back rather than lose it.
      if (queue !== null && !consumer.noAck) safely(() => queue.nack([delivery.id], true));
      return;
    }
    const tag = this.nextDeliveryTag();
    if (!consumer.noAck) this.unacked.set(tag, { queue, id: delivery.id });
    const message = delivery.message;
    if (!consumer.isStream && message.amqpRawProperties !== undefined) {
      // Hot path: the publisher's property bytes as they came, everything encoded straight into the out slab.
      this.conn.writeDelivery(this.id, consumer.tagBytes, tag, delivery.redelivered, message.exchange, message.routingKey, message.amqpRawProperties, message.body);
      return;
    }
    const method = encodeFrame(this.id, 'basic.deliver', {
      consumerTag: consumer.tag,
      deliveryTag: tag,
      redelivered: delivery.redelivered,
      exchange: delivery.message.exchange,
      routingKey: delivery.message.routingKey,
    });
    this.writeContent(method, delivery.message, consumer.isStream ? delivery.offset : null);
  }

  /** Method frame + content header (raw bytes when we have them) + body frames, in one write. */
  writeContent(methodFrame: Buffer, message: Message, streamOffset: number | null): void {
    const body = message.body;
    let header: Buffer;
    if (streamOffset !== null) {
      // The x-stream-offset header changes the property bytes, so re-encode (rabbitmq.com/docs/streams).
      const headers = { ...(message.properties.headers ?? {}), 'x-stream-offset': { amqpType: 'l', value: streamOffset } };
      header = encodeHeader(this.id, body.length, { ...message.properties, headers });
    } else if (message.amqpRawProperties !== undefined) {
      header = encodeHeaderRaw(this.id, body.length, message.amqpRawProperties);
    } else {
      header = encodeHeader(this.id, body.length, message.properties);
    }
    const frames = [methodFrame, header];
    if (body.length > 0) for (const f of encodeBody(this.id, body, this.conn.frameMax)) frames.push(f);
    this.conn.writeMany(frames);
  }

  /** Direct reply-to: a reply goes straight to this channel's reply consumer (noAck). */
  deliverReply(message: Message): boolean {
    if (this.state !== 'open' || this.replyToken === null) return false;
    const consumer = [...this.consumers.values()].find((c) => c.replyToken !== null);
    if (consumer === undefined) return false;
    const method = encodeFrame(this.id, 'basic.deliver', {
      consumerTag: consumer.tag,
      deliveryTag: this.nextDeliveryTag(),
      redelivered: false,
      exchange: message.exchange,
      routingKey: message.routingKey,
    });
    this.writeContent(method, message, null);
    return true;
  }

  /** After acks, qos changes and socket drain the core is asked to try again. */
  resumeConsumers(): void {
    if (this.state !== 'open') return;
    const seen = new Set<QueueHandle>();
    for (const c of this.consumers.values()) {
      if (c.queue === null || seen.has(c.queue)) continue;
      seen.add(c.queue);
      const q = c.queue;
      safely(() => q.resume());
    }
  }

  // ------------------------------------------------------------------------------------------ settling

  /**
   * Removes and returns the unacked entries for (tag, multiple). Like RabbitMQ's collect_acks the tag itself must
   * be outstanding (406 "unknown delivery tag N" otherwise); multiple with tag 0 means "everything".
   */
  takeUnacked(deliveryTag: number, multiple: boolean): [number, UnackedEntry][] {
    const out: [number, UnackedEntry][] = [];
    if (multiple && deliveryTag === 0) {
      out.push(...this.unacked);
    } else if (multiple) {
      let found = false;
      for (const [tag, e] of this.unacked) {
        if (tag > deliveryTag) break;
        out.push([tag, e]);
        if (tag === deliveryTag) found = true;
      }
      if (!found) throw new AmqpError(REPLY.PRECONDITION_FAILED, `unknown delivery tag ${deliveryTag}`);
    } else {
      const e = this.unacked.get(deliveryTag);
      if (e === undefined) throw new AmqpError(REPLY.PRECONDITION_FAILED, `unknown delivery tag ${deliveryTag}`);
      out.push([deliveryTag, e]);
    }
    for (const [tag] of out) this.unacked.delete(tag);
    return out;
  }

  /**
   * A 13-byte method payload that may be basic.ack: settles it and returns true when it is a single-tag ack of
   * an outstanding delivery on an open channel outside a transaction with no content pending; false sends it
   * down the generic path (decode, dispatch, and the errors that go with them).
   */
  tryFastAck(payload: Buffer): boolean {
    if (payload.readUInt32BE(0) !== BASIC_ACK_METHOD_ID || (payload[12] & 1) !== 0) return false;
    if (this.state !== 'open' || !this.opened || this.pendingPublish !== null || this.txMode) return false;
    const tag = readU64(payload, 4);
    if (!this.unacked.has(tag)) return false;
    this.ackOne(tag);
    return true;
  }

  /** basic.ack of one tag (multiple=false, no transaction): takeUnacked + settle without their allocations. */
  ackOne(deliveryTag: number): void {
    const e = this.unacked.get(deliveryTag);
    if (e === undefined) throw new AmqpError(REPLY.PRECONDITION_FAILED, `unknown delivery tag ${deliveryTag}`);
    this.unacked.delete(deliveryTag);
    try {
      e.queue.ack([e.id]);
    } catch {
      // The queue is gone (deleted, owner closed): its deliveries went with it.
    }
    if (this.channelPrefetch > 0) this.resumeConsumers();
  }

  /** Applies ack/nack to the core, grouped per queue in tag order. */
  settle(entries: readonly [number, UnackedEntry][], action: 'ack' | 'requeue' | 'drop'): void {
    const byQueue = new Map<QueueHandle, number[]>();
    for (const [, e] of entries) {
      const ids = byQueue.get(e.queue);
      if (ids === undefined) byQueue.set(e.queue, [e.id]);
      else ids.push(e.id);
    }
    for (const [q, ids] of byQueue) {
      if (action === 'ack') safely(() => q.ack(ids));
      else safely(() => q.nack(ids, action === 'requeue'));
    }
    if (this.channelPrefetch > 0) this.resumeConsumers();
  }

  /** Puts tx-acked deliveries back (tx.rollback), keeping tag order. */
  restoreUnacked(entries: readonly [number, UnackedEntry][]): void {
    if (entries.length === 0) return;
    const all = [...this.unacked, ...entries].sort((a, b) => a[0] - b[0]);
    this.unacked = new Map(all);
  }

  // ------------------------------------------------------------------------------------------ teardown

  /** Cancels consumers and requeues unacked deliveries (AMQP 0-9-1 §3.1.4.2; RabbitMQ requeues on close). */
  cleanup(): void {
    if (this.state === 'gone') return;
    for (const c of this.consumers.values()) {
      const q = c.queue;
      if (q !== null) safely(() => q.cancel(c.coreTag));
    }
    this.consumers.clear();
    if (this.replyToken !== null) this.conn.shared.replyTo.unregister(this.replyToken);
    this.replyToken = null;
    const entries = [...this.unacked, ...this.txAcked].sort((a, b) => a[0] - b[0]);
    this.unacked.clear();
    this.txAcked = [];
    this.txActions = [];
    this.txPublishes = [];
    this.pendingPublish = null;
    const byQueue = new Map<QueueHandle, number[]>();
    for (const [, e] of entries) {
      const ids = byQueue.get(e.queue);
      if (ids === undefined) byQueue.set(e.queue, [e.id]);
      else ids.push(e.id);
    }
    for (const [q, ids] of byQueue) safely(() => q.nack(ids, true));
    this.confirms?.dispose();
  }

  isReplyToRoutingKey(exchange: string, routingKey: string): boolean {
    return exchange === '' && routingKey.startsWith(REPLY_TO_PREFIX);
  }

  checkConsumerLimit(): void {
    if (this.consumers.size >= AMQP_ADAPTER_LIMITS.consumersPerChannelMax) {
      throw new AmqpError(REPLY.RESOURCE_ERROR, `too many consumers on channel ${this.id}`, true);
    }
  }
}

/** A frame payload is a slice of a socket chunk; copy it when it would pin a much larger buffer. */
function detach(part: Buffer): Buffer {
  return part.buffer.byteLength > part.length * 2 ? Buffer.from(part) : part;
}

/** The core may throw for a queue deleted meanwhile; settling then has nothing left to do. */
export function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // The queue is gone (deleted, owner closed): its deliveries went with it.
  }
}
