/**
 * CONNECT: authenticate, take over an existing connection with the same client id, set up or resume the
 * session, answer CONNACK, then start delivering. Every refusal is a CONNACK with a reason code followed by a
 * close [MQTT-3.2.2-5].
 */
import { randomBytes } from 'node:crypto';
import type { IConnackPacket, IConnectPacket } from 'mqtt-packet';
import { isBrokerError } from '../../../src/core/errors';
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { MQTT_KEEPALIVE_MAX_SEC } from '../hub';
import { declareMqttQueue } from '../queues';
import { RC, v3ConnackCode } from '../reason';
import { isExpired, newSession, SESSION_EXPIRY_NEVER_SEC, sharedQueueName, type SessionState } from '../session';
import { filterToBindingKey, hasInvalidChars, isValidTopicName, parseSharedFilter } from '../topics';
import { exchangeForFilter, exchangeForTopic, isValidUtf8 } from '../convert';

/** Longest client id we accept (the MQTT string limit; Mosquitto accepts the same). */
export const MQTT_CLIENT_ID_MAX_BYTES = 65_535;

function refuse(conn: MqttConnection, reasonCode: number): void {
  // CONNACK may carry a Reason String whatever Request Problem Information says (v5 §3.1.2.11.7).
  const properties = conn.problemProperties([reasonCode], undefined, true);
  const packet: IConnackPacket = {
    cmd: 'connack',
    sessionPresent: false,
    ...(conn.protocolVersion === 5 ? { reasonCode, ...(properties && { properties }) } : { returnCode: v3ConnackCode(reasonCode) }),
  };
  conn.send(packet);
  void conn.shutdown('refused');
}

/** Checks the CONNECT fields; returns a v5 reason code, or null when acceptable. */
function validate(conn: MqttConnection, p: IConnectPacket): number | null {
  if (hasInvalidChars(p.clientId) || (p.username !== undefined && hasInvalidChars(p.username))) return RC.MALFORMED_PACKET;
  if (Buffer.byteLength(p.clientId) > MQTT_CLIENT_ID_MAX_BYTES) return RC.CLIENT_ID_NOT_VALID;
  // [MQTT-3.1.3-8] v3.1.1: an empty client id needs clean session, else CONNACK 0x02.
  if (p.clientId === '' && p.clean === false && conn.protocolVersion !== 5) return RC.CLIENT_ID_NOT_VALID;
  if (p.will !== undefined && !isValidTopicName(p.will.topic)) return RC.TOPIC_NAME_INVALID;
  // v5 §3.1.3.2.3: a will declared as UTF-8 text must be UTF-8 (v5 CONNACK 0x99).
  if (p.will?.properties?.payloadFormatIndicator === true && !isValidUtf8(Buffer.from(p.will.payload))) return RC.PAYLOAD_FORMAT_INVALID;
  // Enhanced authentication (AUTH) is not supported [MQTT-4.12.0-1].
  if (p.properties?.authenticationMethod !== undefined) return RC.BAD_AUTHENTICATION_METHOD;
  // (v5 §3.1.2.11) Receive Maximum 0 and Maximum Packet Size 0 are protocol errors.
  if (p.properties?.receiveMaximum === 0 || p.properties?.maximumPacketSize === 0) return RC.PROTOCOL_ERROR;
  return null;
}

export async function handleConnect(conn: MqttConnection, p: IConnectPacket): Promise<void> {
  // [MQTT-3.1.0-2] a second CONNECT is a protocol violation.
  if (conn.state !== 'await-connect') throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'second CONNECT');
  conn.state = 'connecting';
  conn.protocolVersion = p.protocolVersion === 5 ? 5 : p.protocolVersion === 3 ? 3 : 4;
  const v5 = conn.protocolVersion === 5;
  // A refusing CONNACK must already respect the client's Maximum Packet Size (0 is refused below).
  const maxPacket = p.properties?.maximumPacketSize;
  if (maxPacket !== undefined && maxPacket > 0) conn.clientPacketSizeMax = maxPacket;
  const bad = validate(conn, p);
  if (bad !== null) {
    if (bad === RC.MALFORMED_PACKET && !v5) void conn.shutdown('refused');
    else refuse(conn, bad);
    return;
  }

  try {
    conn.user = await conn.hub.ctx.security.authenticate({
      mechanism: 'PLAIN',
      username: p.username ?? '',
      password: p.password === undefined ? '' : Buffer.from(p.password).toString('utf8'),
      remoteAddress: conn.info.remoteAddress,
      protocol: 'mqtt',
    });
  } catch (err) {
    conn.log.info({ err, username: p.username }, 'mqtt authentication refused');
    refuse(conn, isBrokerError(err) && err.code === 'ACCESS_REFUSED' ? RC.BAD_USERNAME_OR_PASSWORD : RC.SERVER_UNAVAILABLE);
    return;
  }
  if (conn.state !== 'connecting') return; // the socket closed while we authenticated
  if (p.will !== undefined) {
    // The will is a publish like any other: the user must be allowed to publish (CONNACK 5 / 0x87 otherwise).
    try {
      conn.hub.ctx.security.authorize(conn.user, conn.hub.vhost.name, exchangeForTopic(p.will.topic), 'write');
    } catch {
      refuse(conn, RC.NOT_AUTHORIZED);
      return;
    }
  }

  let assigned: string | undefined;
  let clientId = p.clientId;
  if (clientId === '') {
    // [MQTT-3.1.3-6] the server assigns a unique id; v5 tells the client [MQTT-3.2.2-16].
    clientId = `polymq-${randomBytes(12).toString('hex')}`;
    if (v5) assigned = clientId;
  }
  conn.clientId = clientId;
  const props = p.properties ?? {};
  if (props.receiveMaximum !== undefined) conn.clientReceiveMax = props.receiveMaximum;
  if (props.maximumPacketSize !== undefined) conn.clientPacketSizeMax = props.maximumPacketSize;
  if (props.topicAliasMaximum !== undefined) conn.clientTopicAliasMax = props.topicAliasMaximum;
  conn.requestProblemInfo = props.requestProblemInformation !== false;
  const cleanStart = p.clean !== false;
  // v3.1.1: clean session 0 = a session that lives until the client cleans it; v5: Session Expiry Interval.
  const expirySec = v5 ? (props.sessionExpiryInterval ?? 0) : cleanStart ? 0 : SESSION_EXPIRY_NEVER_SEC;

  let sessionPresent = false;
  try {
    sessionPresent = await conn.hub.withClientLock(clientId, async () => {
      const old = conn.hub.byClientId.get(clientId);
      // [MQTT-3.1.4-3] the existing connection with this client id is closed (v5: DISCONNECT 0x8E).
      if (old !== undefined && old !== conn) await old.takeOver();
      if (conn.state !== 'connecting') return false;
      conn.hub.cancelWill(clientId);
      conn.hub.cancelExpiry(clientId);
      let existing = conn.hub.sessions.get(clientId);
      if (existing !== undefined && (cleanStart || isExpired(existing, Date.now()))) {
        // [MQTT-3.1.2-6] clean session/start discards any existing session.
        await conn.hub.discardSession(existing);
        existing = undefined;
      }
      const session: SessionState = existing ?? newSession(clientId, expirySec > 0, expirySec);
      session.expiryIntervalSec = expirySec;
      session.disconnectedAtMs = null;
      await setUpQueues(conn, session);
      await conn.hub.sessions.save(session);
      conn.session = session;
      conn.hub.byClientId.set(clientId, conn);
      return existing !== undefined;
    });
  } catch (err) {
    conn.log.warn({ err }, 'session setup failed');
    refuse(conn, RC.SERVER_UNAVAILABLE);
    return;
  }
  if (conn.state !== 'connecting' || conn.session === null) {
    await conn.releaseAbortedConnect();
    return;
  }

  if (p.will !== undefined) {
    const wp = p.will.properties ?? {};
    const { willDelayInterval, ...publishProps } = wp;
    conn.will = {
      topic: p.will.topic,
      payload: Buffer.isBuffer(p.will.payload) ? p.will.payload : Buffer.from(p.will.payload),
      qos: p.will.qos ?? 0,
      retain: p.will.retain === true,
      properties: publishProps,
      delaySec: v5 ? (willDelayInterval ?? 0) : 0,
    };
  }

  let keepAlive = p.keepalive ?? 0;
  const connack: IConnackPacket = { cmd: 'connack', sessionPresent };
  if (v5) {
    connack.reasonCode = RC.SUCCESS;
    const limits = conn.hub.ctx.limits;
    const cp: NonNullable<IConnackPacket['properties']> = {
      receiveMaximum: limits.mqttReceiveMax,
      maximumPacketSize: limits.mqttPacketSizeMaxBytes,
      topicAliasMaximum: limits.mqttTopicAliasMax,
      retainAvailable: true,
      wildcardSubscriptionAvailable: true,
      subscriptionIdentifiersAvailable: true,
      sharedSubscriptionAvailable: true,
    };
    if (assigned !== undefined) cp.assignedClientIdentifier = assigned;
    const keepAliveMax = Math.min(conn.hub.opts.keepAliveMaxSec, MQTT_KEEPALIVE_MAX_SEC);
    if (keepAlive > keepAliveMax) {
      // [MQTT-3.2.2-21] the client must use the Server Keep Alive we return.
      keepAlive = keepAliveMax;
      cp.serverKeepAlive = keepAliveMax;
    }
    if (props.requestResponseInformation === true) cp.responseInformation = `polymq/response/${clientId}`;
    connack.properties = cp;
  } else {
    connack.returnCode = 0;
  }
  conn.send(connack);
  conn.state = 'open';
  conn.startKeepAlive(keepAlive);
  startDelivery(conn, conn.session);
}

/** Declares the session queue and the shared group queues, and (re)binds every subscription (idempotent). */
async function setUpQueues(conn: MqttConnection, session: SessionState): Promise<void> {
  await declareMqttQueue(conn.hub, session.queue, session.durable, !session.durable, conn.owner);
  for (const filter of Object.keys(session.subscriptions)) {
    const shared = parseSharedFilter(filter);
    if (shared === 'invalid') continue;
    if (shared === null) {
      await conn.hub.vhost.bindQueue(session.queue, exchangeForFilter(filter), filterToBindingKey(filter), {}, conn.owner);
    } else {
      const queue = sharedQueueName(shared.group, shared.filter);
      await declareMqttQueue(conn.hub, queue, true, false, conn.owner);
      await conn.hub.vhost.bindQueue(queue, exchangeForFilter(shared.filter), filterToBindingKey(shared.filter), {}, conn.owner);
    }
  }
}

/** After CONNACK: PUBRELs still owed from the last connection [MQTT-4.4.0-1], then the queues. */
function startDelivery(conn: MqttConnection, session: SessionState): void {
  conn.out.resumeIds(session.outboundIds);
  for (const id of session.outboundPubrel) conn.send({ cmd: 'pubrel', messageId: id });
  conn.out.consume(conn.hub.vhost.queue(session.queue, conn.owner), null);
  for (const filter of Object.keys(session.subscriptions)) {
    const shared = parseSharedFilter(filter);
    if (shared === null || shared === 'invalid') continue;
    conn.out.consume(conn.hub.vhost.queue(sharedQueueName(shared.group, shared.filter), conn.owner), filter);
  }
}
