/**
 * SUBSCRIBE: each filter becomes a binding of the session queue to `amq.topic` (`+`→`*`, `/`→`.`), or for
 * `$share/group/filter` a binding of the group's shared queue, which this session then consumes from. Retained
 * messages are replayed through the session queue (default exchange) so they are delivered, acknowledged and
 * persisted like any other message.
 */
import type { ISubscribePacket, QoS } from 'mqtt-packet';
import { exchangeForFilter, H, mqttToMessage, TOPIC_EXCHANGE } from '../convert';
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { declareMqttQueue } from '../queues';
import { RC } from '../reason';
import { sharedQueueName, type SessionState, type SubscriptionOptions } from '../session';
import { filterToBindingKey, isValidTopicFilter, parseSharedFilter } from '../topics';

/** Subscriptions per SUBSCRIBE packet and per session (Mosquitto has no default limit; we bound it). */
export const MQTT_SUBSCRIPTIONS_PER_SESSION_MAX = 10_000;

function failure(conn: MqttConnection, v5Code: number): number {
  return conn.protocolVersion === 5 ? v5Code : 0x80;
}

/** Puts the retained messages matching `filter` into the session queue, marked as a retained replay. */
export function replayRetained(conn: MqttConnection, session: SessionState, filter: string): void {
  const now = Date.now();
  for (const r of conn.hub.retained.match(filter, now)) {
    const msg = mqttToMessage({ topic: r.topic, payload: r.payload, qos: r.qos, retain: true, properties: r.properties }, '', r.storedAtMs);
    msg.exchange = '';
    msg.routingKey = session.queue;
    (msg.properties.headers ??= {})[H.topic] = r.topic;
    try {
      conn.hub.publish(msg).settled.catch((err: unknown) => conn.log.warn({ err }, 'retained replay failed'));
    } catch (err) {
      conn.log.warn({ err }, 'retained replay failed');
    }
  }
}

export async function handleSubscribe(conn: MqttConnection, packet: ISubscribePacket): Promise<void> {
  const session = conn.session;
  if (session === null) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'no session');
  const subId = packet.properties?.subscriptionIdentifier;
  // (v5 §3.8.2.1.2) a Subscription Identifier of 0 is a protocol error.
  if (subId === 0) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'subscription identifier 0');
  // 3.1.1 [MQTT-3.8.3-3] / v5 §3.8.3: at least one subscription.
  if (packet.subscriptions.length === 0) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'SUBSCRIBE without subscriptions');
  const granted: number[] = [];
  const replay: string[] = [];
  for (const sub of packet.subscriptions) {
    const filter = sub.topic;
    const shared = parseSharedFilter(filter);
    // v5 [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error.
    if (shared !== null && shared !== 'invalid' && sub.nl === true) {
      throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'no-local on a shared subscription');
    }
    if (shared === 'invalid' || (shared === null && !isValidTopicFilter(filter))) {
      granted.push(failure(conn, RC.TOPIC_FILTER_INVALID));
      continue;
    }
    const existed = session.subscriptions[filter] !== undefined;
    if (!existed && Object.keys(session.subscriptions).length >= MQTT_SUBSCRIPTIONS_PER_SESSION_MAX) {
      granted.push(failure(conn, RC.QUOTA_EXCEEDED));
      continue;
    }
    try {
      if (conn.user !== null) conn.hub.ctx.security.authorize(conn.user, conn.hub.vhost.name, TOPIC_EXCHANGE, 'read');
    } catch {
      granted.push(failure(conn, RC.NOT_AUTHORIZED));
      continue;
    }
    const qos = Math.min(sub.qos, 2) as QoS;
    const opts: SubscriptionOptions = { qos, nl: sub.nl === true, rap: sub.rap === true, rh: sub.rh ?? 0 };
    if (subId !== undefined) opts.subId = subId;
    try {
      if (shared !== null) {
        const queue = sharedQueueName(shared.group, shared.filter);
        const handle = await declareMqttQueue(conn.hub, queue, true, false, conn.owner);
        await conn.hub.vhost.bindQueue(queue, exchangeForFilter(shared.filter), filterToBindingKey(shared.filter), {}, conn.owner);
        session.subscriptions[filter] = opts;
        conn.out.subscriptionsChanged();
        conn.out.consume(handle, filter);
      } else {
        await conn.hub.vhost.bindQueue(session.queue, exchangeForFilter(filter), filterToBindingKey(filter), {}, conn.owner);
        session.subscriptions[filter] = opts;
        conn.out.subscriptionsChanged();
        // [MQTT-3.3.1-9/10/11] Retain Handling 0: always, 1: only for a new subscription, 2: never. Shared
        // subscriptions get no retained messages.
        if (opts.rh === 0 || (opts.rh === 1 && !existed)) replay.push(filter);
      }
      granted.push(qos);
    } catch (err) {
      conn.log.warn({ err, filter }, 'subscribe failed');
      granted.push(failure(conn, RC.UNSPECIFIED_ERROR));
    }
  }
  await conn.hub.sessions.save(session);
  const properties = conn.problemProperties(granted);
  conn.send({ cmd: 'suback', messageId: packet.messageId, granted, ...(properties && { properties }) });
  for (const filter of replay) replayRetained(conn, session, filter);
}
