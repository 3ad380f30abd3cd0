/**
 * PUBLISH from a client: resolve the topic alias, validate, authorize, retain, route to `amq.topic`, and
 * acknowledge (PUBACK / PUBREC) only once the core settled the message (acknowledged means durable).
 */
import type { IPublishPacket } from 'mqtt-packet';
import type { PublishResult } from '../../../src/core/types';
import { isBrokerError } from '../../../src/core/errors';
import type { MqttConnection } from '../connection';
import { isValidUtf8, mqttToMessage, TOPIC_EXCHANGE, type PublishInput } from '../convert';
import { MqttProtocolError } from '../errors';
import type { MqttHub } from '../hub';
import { encodePubackSuccess } from '../fast-codec';
import { pubackReason, RC, reasonForError } from '../reason';
import { isValidTopicName } from '../topics';

/** Retains (when asked) and routes; the returned settled covers both the retained write and the queues. */
export function routeAndRetain(hub: MqttHub, clientId: string, input: PublishInput): PublishResult {
  const now = Date.now();
  if (!input.retain) return hub.publish(mqttToMessage(input, clientId, now));
  const retained = hub.retained.set({ topic: input.topic, payload: input.payload, qos: input.qos, properties: input.properties ?? {}, storedAtMs: now });
  const result = hub.publish(mqttToMessage(input, clientId, now));
  return { routed: result.routed, settled: Promise.all([retained, result.settled]).then(() => undefined) };
}

/** Wills and `$SYS`: published by the broker itself. */
export async function publishFromBroker(hub: MqttHub, clientId: string, input: PublishInput): Promise<void> {
  await routeAndRetain(hub, clientId, input).settled;
}

function resolveTopic(conn: MqttConnection, packet: IPublishPacket): string {
  const alias = packet.properties?.topicAlias;
  if (alias === undefined) return packet.topic;
  // [MQTT-3.3.2-8/9] alias 0 or above our Topic Alias Maximum: DISCONNECT 0x94.
  if (conn.protocolVersion !== 5 || alias === 0 || alias > conn.hub.ctx.limits.mqttTopicAliasMax) {
    throw new MqttProtocolError(RC.TOPIC_ALIAS_INVALID, `topic alias ${alias}`);
  }
  if (packet.topic.length > 0) {
    conn.inAliases.set(alias, packet.topic);
    return packet.topic;
  }
  const known = conn.inAliases.get(alias);
  if (known === undefined) throw new MqttProtocolError(RC.PROTOCOL_ERROR, `unknown topic alias ${alias}`);
  return known;
}

/** Sends the PUBACK/PUBREC for a refused QoS 1/2 PUBLISH (v5), or closes (v3.1.1 cannot say no). */
function refuse(conn: MqttConnection, packet: IPublishPacket, reasonCode: number): void {
  if (packet.qos === 0) return;
  if (conn.protocolVersion !== 5) {
    void conn.closeWith(reasonCode, 'protocol-error');
    return;
  }
  const code = pubackReason(reasonCode);
  const properties = conn.problemProperties([code]);
  conn.send({ cmd: packet.qos === 1 ? 'puback' : 'pubrec', messageId: packet.messageId, reasonCode: code, ...(properties && { properties }) });
}

export function handlePublish(conn: MqttConnection, packet: IPublishPacket): void {
  conn.hasPublished = true;
  conn.hub.stats.messagesReceived += 1;
  const topic = resolveTopic(conn, packet);
  // [MQTT-3.3.2-2] no wildcards in a topic name.
  if (!isValidTopicName(topic)) throw new MqttProtocolError(RC.TOPIC_NAME_INVALID, 'invalid topic name');
  const session = conn.session;
  if (session === null) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'no session');
  const id = packet.messageId ?? 0;
  // [MQTT-2.3.1-1] QoS 1 and 2 PUBLISH carry a non-zero packet identifier.
  if (packet.qos > 0 && id === 0) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'packet identifier 0');

  if (packet.qos === 2 && session.inboundQos2.includes(id)) {
    // [MQTT-4.3.3-9] a retransmitted QoS 2 PUBLISH we already own: PUBREC again, never route twice.
    conn.send({ cmd: 'pubrec', messageId: id });
    return;
  }
  // A retransmission of one still being settled: its PUBREC is on the way.
  if (packet.qos === 2 && conn.inboundQos2Unsettled.has(id)) return;
  if (packet.qos > 0) {
    const inFlight = conn.inboundPending + session.inboundQos2.length;
    // [MQTT-3.3.4-7] more unacknowledged QoS>0 PUBLISH than our Receive Maximum: DISCONNECT 0x93.
    if (inFlight >= conn.hub.ctx.limits.mqttReceiveMax) throw new MqttProtocolError(RC.RECEIVE_MAXIMUM_EXCEEDED, 'receive maximum exceeded');
  }
  const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
  // Mosquitto ignores client publishes to $SYS; so do we (acknowledged, not routed).
  const sysTopic = topic.startsWith('$SYS/') || topic === '$SYS';
  if (packet.properties?.payloadFormatIndicator === true && !isValidUtf8(payload)) {
    refuse(conn, packet, RC.PAYLOAD_FORMAT_INVALID);
    return;
  }
  // The broker-wide message size limit may be below the MQTT packet limit: same answer as a too large packet.
  if (payload.length > conn.hub.ctx.limits.messageSizeMaxBytes) throw new MqttProtocolError(RC.PACKET_TOO_LARGE, 'message too large');
  try {
    if (conn.user !== null) conn.hub.ctx.security.authorize(conn.user, conn.hub.vhost.name, TOPIC_EXCHANGE, 'write');
  } catch (err) {
    conn.log.debug({ err, topic }, 'publish not authorized');
    refuse(conn, packet, RC.NOT_AUTHORIZED);
    return;
  }

  const properties = packet.properties === undefined ? undefined : { ...packet.properties };
  if (properties !== undefined) {
    delete properties.topicAlias;
    delete properties.subscriptionIdentifier;
  }
  let result: PublishResult;
  if (sysTopic) {
    result = { routed: 0, settled: Promise.resolve() };
  } else {
    try {
      result = routeAndRetain(conn.hub, conn.clientId, { topic, payload, qos: packet.qos, retain: packet.retain, properties });
    } catch (err) {
      conn.log.debug({ err }, 'publish refused by the core');
      refuse(conn, packet, reasonForError(isBrokerError(err) ? err.code : undefined));
      return;
    }
  }
  if (packet.qos === 0) {
    conn.trackQos0Publish(result.settled);
    return;
  }
  conn.inboundPending += 1;
  if (packet.qos === 2) conn.inboundQos2Unsettled.add(id);
  conn.trackPublish(result.settled, (err) => {
    conn.inboundPending -= 1;
    if (err !== null) {
      conn.inboundQos2Unsettled.delete(id);
      conn.log.warn({ err, topic }, 'publish not settled');
      refuse(conn, packet, reasonForError(isBrokerError(err) ? err.code : undefined));
      return;
    }
    // v5: tell the publisher nobody received it (v5 §3.4.2.1: 0x10 No matching subscribers).
    const reasonCode = conn.protocolVersion === 5 && result.routed === 0 && !sysTopic ? RC.NO_MATCHING_SUBSCRIBERS : RC.SUCCESS;
    if (packet.qos === 1) {
      if (reasonCode === RC.SUCCESS) conn.writeBuffer(encodePubackSuccess(id));
      else conn.send({ cmd: 'puback', messageId: id, reasonCode });
      return;
    }
    if (packet.qos === 2) {
      session.inboundQos2.push(id);
      // The PUBREC waits for the packet id to be durable: after a restart a DUP is still recognised.
      conn.hub.sessions.save(session).then(
        () => {
          conn.inboundQos2Unsettled.delete(id);
          conn.send({ cmd: 'pubrec', messageId: id, reasonCode });
        },
        (e: unknown) => conn.protocolError(e),
      );
    }
  });
}
