/**
 * Deliveries from the core to one MQTT client: a consumer per queue (the session queue and each `$share` group
 * queue), the matching of a delivery against the session's subscriptions (QoS downgrade, No Local, `$` rule,
 * subscription identifiers), packet identifiers (kept across reconnects for redeliveries), the in-flight QoS 1/2
 * window (≤ the client's Receive Maximum) and outbound topic aliases.
 */
import type { IPublishPacket, QoS } from 'mqtt-packet';
import type { Message } from '../../src/core/message';
import type { ConsumerSpec, Delivery, QueueHandle } from '../../src/core/types';
import type { MqttConnection, SendResult } from './connection';
import { messageToMqtt, type OutboundFields } from './convert';
import { encodePublish } from './fast-codec';
import { MqttProtocolError } from './errors';
import { RC } from './reason';
import type { SessionState, SubscriptionOptions } from './session';
import { parseSharedFilter, topicMatches } from './topics';

/** Packet identifiers are 1..65535 [MQTT-2.3.1-1]. */
const PACKET_ID_MAX = 65_535;
/** Topics whose matching subscriptions one session remembers (cleared when full or on a change). */
export const MATCH_MEMO_TOPICS_MAX = 256;

/** A message converted for MQTT delivery; shared by every subscriber of one message (fan-out). */
interface Converted {
  fields: OutboundFields;
  /** The topic name, UTF-8. */
  topic: Buffer;
  /** No v5 properties to write (no user properties, content type, expiry, ...). */
  propertyFree: boolean;
  /** Encoded QoS 0 PUBLISH without flags for 3.1/3.1.1 clients. */
  qos0v4: Buffer | null;
  /** Encoded QoS 0 PUBLISH without flags for v5 clients. */
  qos0v5: Buffer | null;
}

/**
 * The core hands the same Message object to every queue it was routed to: a small identity-keyed cache converts
 * (and for QoS 0 encodes) each message once, not once per subscriber. It holds several messages because under
 * load subscribers drain their backlogs one after another (A gets m1..m50, then B gets m1..m50), so a
 * one-entry cache missed. Messages with an expiry are not cached: their remaining lifetime depends on the clock.
 */
/**
 * Messages kept converted: the last 512 at least, in two generations of this size. New entries go into the
 * young one; when it is full the old generation is dropped whole and the young one becomes old. (Was one Map
 * evicting its oldest entry per insert: a delete and an iterator per message, 2 % of QoS 0 1→1 CPU, where
 * nothing is reused.)
 */
export const CONVERTED_CACHE_MESSAGES_MAX = 512;
const CONVERTED_GENERATION_MAX = CONVERTED_CACHE_MESSAGES_MAX;
let convertedYoung = new Map<Message, Converted>();
let convertedOld = new Map<Message, Converted>();
/**
 * Larger bodies are converted per delivery instead: the cache keeps bodies (and QoS 0 encodings) alive, so this
 * bounds what it can hold to about 2 × 512 × 16 KiB × 3 = 48 MiB.
 */
export const CONVERTED_CACHE_BODY_MAX_BYTES = 16 * 1024;

/** Encoded topic names, so a steady stream to a few topics does not encode the same string every message. */
const topicBytes = new Map<string, Buffer>();
/** Entries of topicBytes (cleared when full: a bound, not an LRU). */
export const TOPIC_BYTES_CACHE_MAX = 4096;

function encodedTopic(topic: string): Buffer {
  let b = topicBytes.get(topic);
  if (b === undefined) {
    if (topicBytes.size >= TOPIC_BYTES_CACHE_MAX) topicBytes.clear();
    b = Buffer.from(topic, 'utf8');
    topicBytes.set(topic, b);
  }
  return b;
}

function converted(message: Message, nowMs: number): Converted {
  const known = convertedYoung.get(message) ?? convertedOld.get(message);
  if (known !== undefined) return known;
  const fields = messageToMqtt(message, nowMs);
  const c: Converted = {
    fields,
    topic: encodedTopic(fields.topic),
    propertyFree: fields.propertyFree,
    qos0v4: null,
    qos0v5: null,
  };
  if (message.properties.expiration === undefined && message.body.length <= CONVERTED_CACHE_BODY_MAX_BYTES) {
    if (convertedYoung.size >= CONVERTED_GENERATION_MAX) {
      convertedOld = convertedYoung;
      convertedYoung = new Map();
    }
    convertedYoung.set(message, c);
  }
  return c;
}

function plainQos0(c: Converted, protocolVersion: number): Buffer {
  if (protocolVersion === 5) return (c.qos0v5 ??= encodePublish(c.topic, c.fields.payload, 0, false, false, 0, protocolVersion));
  return (c.qos0v4 ??= encodePublish(c.topic, c.fields.payload, 0, false, false, 0, protocolVersion));
}

export interface Inflight {
  handle: QueueHandle;
  deliveryId: number;
  qos: QoS;
  /** Log offset of the message in `handle`'s queue: with the queue name, its key in session.outboundIds. */
  offset: number;
}

/** The session-record key of a delivery's packet id (see SessionState.outboundIds). */
function outboundIdKey(queue: string, offset: number): string {
  return `${queue}#${offset}`;
}

export class Outbound {
  /** Outbound QoS 1/2 PUBLISH awaiting PUBACK/PUBREC, by packet id. */
  readonly inflight = new Map<number, Inflight>();
  /** Ids a resumed session still owes to redeliveries; new messages do not take them. */
  readonly reservedIds = new Set<number>();
  /** The packet ids the session record held when this connection resumed it, by `<queue>#<offset>`. */
  private resumedIds: Record<string, number> = {};
  /** Set once delivery started (resumeIds): before that the session record's ids are not this connection's to write. */
  private idsResumed = false;
  /** Outbound topic aliases (us → client). */
  private readonly aliases = new Map<string, number>();
  private nextPacketId = 1;
  /** Consumers by tag. */
  private readonly consumers = new Map<string, { handle: QueueHandle; sharedFilter: string | null }>();
  /** Non-shared subscriptions (derived from `plainSubsOf`, the session's record) and matches per topic. */
  private plainSubs: Array<[string, SubscriptionOptions]> | null = null;
  private plainSubsOf: Record<string, SubscriptionOptions> | null = null;
  private matchMemo: Map<string, SubscriptionOptions[]> | null = null;

  constructor(private readonly conn: MqttConnection) {}

  private packetIdFree(id: number): boolean {
    if (this.inflight.has(id)) return false;
    const pubrel = this.conn.session?.outboundPubrel ?? [];
    if (pubrel.length > 0 && pubrel.includes(id)) return false;
    return !this.reservedIds.has(id);
  }

  allocatePacketId(): number {
    for (let i = 0; i < PACKET_ID_MAX; i++) {
      const id = this.nextPacketId;
      this.nextPacketId = id >= PACKET_ID_MAX ? 1 : id + 1;
      if (this.packetIdFree(id)) return id;
    }
    throw new MqttProtocolError(RC.RECEIVE_MAXIMUM_EXCEEDED, 'no free packet identifier');
  }

  /** Starts consuming a queue: the session queue (sharedFilter null) or a `$share` group queue. */
  consume(handle: QueueHandle, sharedFilter: string | null): void {
    const tag = `${this.conn.owner}/${handle.name}`;
    if (this.consumers.has(tag)) return;
    const prefetch = Math.min(this.conn.clientReceiveMax, this.conn.hub.ctx.limits.mqttReceiveMax);
    const spec: ConsumerSpec = {
      tag,
      noAck: false,
      exclusive: false,
      prefetch,
      priority: 0,
      arguments: {},
      owner: this.conn.owner,
      canDeliver: () => this.canDeliver(),
      deliver: (d) => {
        // Never throw into the core's dispatch loop: a failure here closes this connection only, and the
        // unacknowledged delivery goes back to the queue.
        try {
          this.deliver(handle, sharedFilter, d);
        } catch (err) {
          this.conn.protocolError(err);
        }
      },
      cancelled: (reason) => {
        if (!this.consumers.delete(tag)) return; // our own cancel
        // The queue went away under us (deleted by an operator): like RabbitMQ, the client is disconnected,
        // so it reconnects and its session is set up again.
        this.conn.log.info({ queue: handle.name, reason }, 'consumer cancelled by the broker');
        void this.conn.closeWith(RC.UNSPECIFIED_ERROR, 'protocol-error', `queue ${handle.name} was deleted`);
      },
    };
    this.consumers.set(tag, { handle, sharedFilter });
    handle.consume(spec);
  }

  cancelConsumer(queue: string): void {
    const tag = `${this.conn.owner}/${queue}`;
    const c = this.consumers.get(tag);
    if (c === undefined) return;
    this.consumers.delete(tag);
    try {
      c.handle.cancel(tag);
    } catch (err) {
      this.conn.log.debug({ err }, 'cancel failed');
    }
  }

  private canDeliver(): boolean {
    return this.conn.writableNow() && this.inflight.size < Math.min(this.conn.clientReceiveMax, this.conn.hub.ctx.limits.mqttReceiveMax);
  }

  resume(): void {
    for (const c of this.consumers.values()) c.handle.resume();
  }

  /** Session subscriptions were added, replaced or removed: drop what was derived from them. */
  subscriptionsChanged(): void {
    this.plainSubs = null;
    this.matchMemo = null;
  }

  /** Non-shared subscriptions as a list, rebuilt only after a change (the record is keyed by filter). */
  private plainSubscriptions(): Array<[string, SubscriptionOptions]> {
    const subs = this.conn.session?.subscriptions ?? {};
    if (this.plainSubs !== null && this.plainSubsOf === subs) return this.plainSubs;
    this.plainSubs = Object.entries(subs).filter(([filter]) => parseSharedFilter(filter) === null);
    this.plainSubsOf = subs;
    this.matchMemo = null;
    return this.plainSubs;
  }

  /** Subscriptions of this session that a delivery from `sharedFilter`'s queue (or the session queue) matches. */
  private matchingSubscriptions(sharedFilter: string | null, topic: string): SubscriptionOptions[] {
    if (sharedFilter !== null) {
      const s = this.conn.session?.subscriptions[sharedFilter];
      return s === undefined ? [] : [s];
    }
    const plain = this.plainSubscriptions();
    // Most traffic repeats a few topics: remember each topic's matches until the subscriptions change.
    const memo = (this.matchMemo ??= new Map());
    const known = memo.get(topic);
    if (known !== undefined) return known;
    const out: SubscriptionOptions[] = [];
    for (const [filter, opts] of plain) if (topicMatches(filter, topic)) out.push(opts);
    if (memo.size >= MATCH_MEMO_TOPICS_MAX) memo.clear();
    memo.set(topic, out);
    return out;
  }

  private deliver(handle: QueueHandle, sharedFilter: string | null, d: Delivery): void {
    const now = Date.now();
    const c = converted(d.message, now);
    const f = c.fields;
    const replay = f.retainedReplay;
    let subs = this.matchingSubscriptions(sharedFilter, f.topic);
    // v5 [MQTT-3.8.3-3] No Local: not back to the publishing client.
    if (!replay && f.publisher === this.conn.clientId) subs = subs.filter((s) => !s.nl);
    const expired = f.expiryRemainingSec !== undefined && f.expiryRemainingSec <= 0;
    if (subs.length === 0 || expired) {
      // Not for this client: a `$` topic under a leading wildcard [MQTT-4.7.2-1], no-local, expired, or a
      // subscription removed while the message was queued.
      this.ackDelivery(handle, d.id);
      return;
    }
    let subQos: number = subs[0].qos;
    for (let i = 1; i < subs.length; i++) if (subs[i].qos > subQos) subQos = subs[i].qos;
    // [MQTT-3.8.4-8] delivered QoS is the minimum of the published QoS and the subscription's.
    const qos = Math.min(f.publishQos ?? subQos, subQos) as QoS;
    const dup = d.redelivered && qos > 0;
    // [MQTT-3.3.1-12/13] retain is set for retained replay; on live traffic only with Retain As Published.
    const retain = replay || (f.retainFlag && subs.some((s) => s.rap));
    let newAlias: number | undefined;
    let sent: SendResult;
    let messageId = 0;
    if (this.conn.protocolVersion !== 5 || (c.propertyFree && this.conn.clientTopicAliasMax === 0 && !subs.some((s) => s.subId !== undefined))) {
      // Fast path: no v5 properties to write, so the packet is hand-encoded (and for QoS 0 shared by every
      // subscriber of the message: the bytes are the same).
      if (qos > 0) messageId = this.packetIdFor(handle, d.offset, d.redelivered);
      sent = this.conn.writeBuffer(qos === 0 && !retain ? plainQos0(c, this.conn.protocolVersion) : encodePublish(c.topic, f.payload, qos, dup, retain, messageId, this.conn.protocolVersion));
    } else {
      const packet: IPublishPacket = { cmd: 'publish', topic: f.topic, payload: f.payload, qos, dup, retain };
      // The converted fields are shared with other subscribers: this delivery's properties are its own copy.
      const props = { ...f.properties };
      const ids = subs.map((s) => s.subId).filter((x): x is number => x !== undefined);
      if (ids.length === 1) props.subscriptionIdentifier = ids[0];
      else if (ids.length > 1) props.subscriptionIdentifier = ids;
      newAlias = this.applyOutboundAlias(packet, props);
      if (Object.keys(props).length > 0) packet.properties = props;
      if (qos > 0) packet.messageId = messageId = this.packetIdFor(handle, d.offset, d.redelivered);
      sent = this.conn.write(packet);
    }
    if (sent === 'closed') {
      // Left unacknowledged: the queue hands it out again when the session resumes.
      if (newAlias !== undefined) this.aliases.delete(f.topic);
      return;
    }
    if (sent === 'too-large') {
      // [MQTT-3.1.2-25] larger than the client's Maximum Packet Size: discarded as if delivered.
      if (newAlias !== undefined) this.aliases.delete(f.topic);
      this.ackDelivery(handle, d.id);
      return;
    }
    this.conn.hub.stats.messagesSent += 1;
    if (qos === 0) {
      this.ackDelivery(handle, d.id);
      return;
    }
    this.inflight.set(messageId, { handle, deliveryId: d.id, qos, offset: d.offset });
    // QoS 2 must find its id again even after a restart; QoS 1 tolerates a new one, so it is not written.
    if (qos === 2) {
      this.syncOutboundIds();
      this.conn.hub.sessions.save(this.conn.session as SessionState).catch((err: unknown) => this.conn.log.warn({ err }, 'session save failed'));
    }
  }

  /**
   * [MQTT-4.4.0-1] a redelivery keeps the packet id the message had before the reconnect. Only the ids of the
   * record this connection resumed are looked up; the ids this connection hands out live in `inflight` and are
   * written into the session record by syncOutboundIds when the record is saved (a string key built and
   * deleted in a dictionary per delivery was 8-10 % of the CPU with persistent sessions).
   */
  private packetIdFor(handle: QueueHandle, offset: number, redelivered: boolean): number {
    if (this.reservedIds.size > 0 && (this.conn.session as SessionState).durable) {
      if (!redelivered) {
        // The queue hands out redeliveries first: once a fresh message comes, ids still reserved belong to
        // messages that left the queue while offline (expired, dropped by the length limit). Release them.
        this.reservedIds.clear();
        this.resumedIds = {};
      } else {
        const key = outboundIdKey(handle.name, offset);
        const previous = this.resumedIds[key];
        if (previous !== undefined && this.reservedIds.has(previous) && !this.inflight.has(previous)) {
          this.reservedIds.delete(previous);
          delete this.resumedIds[key];
          return previous;
        }
      }
    }
    return this.allocatePacketId();
  }

  /** A resumed session's packet ids [MQTT-4.4.0-1]: reserved for the redeliveries they belong to. */
  resumeIds(ids: Record<string, number> | undefined): void {
    this.idsResumed = true;
    this.resumedIds = { ...ids };
    for (const k in this.resumedIds) this.reservedIds.add(this.resumedIds[k]);
  }

  /**
   * Writes the packet ids the session owes into its record (call before saving it): the ids still reserved
   * for redeliveries, and those of the deliveries in flight. Clean sessions record none: nobody looks them up.
   */
  syncOutboundIds(): void {
    const session = this.conn.session;
    if (session === null || !session.durable || !this.idsResumed) return;
    const ids: Record<string, number> = {};
    for (const k in this.resumedIds) {
      const id = this.resumedIds[k];
      if (this.reservedIds.has(id)) ids[k] = id;
    }
    for (const [id, f] of this.inflight) ids[outboundIdKey(f.handle.name, f.offset)] = id;
    session.outboundIds = ids;
  }

  /** v5 topic aliases towards the client, first come first served up to its Topic Alias Maximum. */
  private applyOutboundAlias(packet: IPublishPacket, props: NonNullable<IPublishPacket['properties']>): number | undefined {
    if (this.conn.clientTopicAliasMax === 0) return undefined;
    const known = this.aliases.get(packet.topic);
    if (known !== undefined) {
      props.topicAlias = known;
      packet.topic = '';
      return undefined;
    }
    if (this.aliases.size >= this.conn.clientTopicAliasMax) return undefined;
    const alias = this.aliases.size + 1;
    this.aliases.set(packet.topic, alias);
    props.topicAlias = alias;
    return alias;
  }

  ackDelivery(handle: QueueHandle, id: number): void {
    try {
      handle.ack([id]);
    } catch (err) {
      this.conn.log.debug({ err }, 'ack failed');
    }
  }

  /** Cancels every consumer; the core requeues what was in flight (redelivered with DUP on resume). */
  cancelAll(): void {
    for (const queue of [...this.consumers.values()].map((c) => c.handle.name)) this.cancelConsumer(queue);
    this.inflight.clear();
  }
}
