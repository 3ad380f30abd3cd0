/**
 * The MQTT ⇄ Message converter (the only place MQTT properties meet the core's AMQP-shaped properties).
 * See docs-draft/mqtt.md "Property mapping" for the table this file implements.
 */
import type { IPublishPacket, QoS, UserProperties } from 'mqtt-packet';
import type { HeaderTable, HeaderValue, Message, MessageProperties } from '../../src/core/message';
import { routingKeyToTopic, topicToRoutingKey } from './topics';

export const TOPIC_EXCHANGE = 'amq.topic';
/**
 * `$SYS/…` topics travel on their own topic exchange: a `#` binding on amq.topic would otherwise collect them
 * in every offline `#` session queue, only to discard them on delivery [MQTT-4.7.2-1].
 */
export const SYS_EXCHANGE = 'mqtt.sys';

function isSysTopic(topicOrFilter: string): boolean {
  return topicOrFilter === '$SYS' || topicOrFilter.startsWith('$SYS/');
}

/** The exchange a PUBLISH to `topic` goes to. */
export function exchangeForTopic(topic: string): string {
  return isSysTopic(topic) ? SYS_EXCHANGE : TOPIC_EXCHANGE;
}

/** The exchange a subscription to `filter` (without `$share/g/`) binds on. */
export function exchangeForFilter(filter: string): string {
  return isSysTopic(filter) ? SYS_EXCHANGE : TOPIC_EXCHANGE;
}

/** Headers the adapter writes for itself; never shown to MQTT clients as user properties. */
export const H = {
  publishQos: 'x-mqtt-publish-qos',
  retain: 'x-mqtt-retain',
  payloadFormat: 'x-mqtt-payload-format-indicator',
  correlationData: 'x-mqtt-correlation-data',
  /** Client id of the publisher, for v5 no-local [MQTT-3.8.3-3]. */
  publisher: 'x-mqtt-publisher',
  /** The MQTT topic when the message reaches a session queue through the default exchange (retained replay). */
  topic: 'x-mqtt-topic',
} as const;

const INTERNAL_HEADERS = new Set<string>(Object.values(H));

/** AMQP correlation-id is a shortstr: at most 255 bytes. */
const CORRELATION_ID_MAX_BYTES = 255;

export interface PublishInput {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: IPublishPacket['properties'];
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

function isUtf8(buf: Buffer): boolean {
  try {
    UTF8_STRICT.decode(buf);
    return true;
  } catch {
    return false;
  }
}

export function isValidUtf8(buf: Buffer): boolean {
  return isUtf8(buf);
}

/** MQTT PUBLISH (or will) → core Message on amq.topic. */
export function mqttToMessage(input: PublishInput, publisherClientId: string, nowMs: number): Message {
  const p = input.properties ?? {};
  if (input.properties === undefined && !input.retain) {
    // The usual PUBLISH (no v5 properties, not retained): one literal instead of growing an empty object
    // (names spelled out, not H.publishQos / H.publisher, so V8 can build it from a boilerplate).
    return {
      exchange: exchangeForTopic(input.topic),
      routingKey: topicToRoutingKey(input.topic),
      properties: { deliveryMode: input.qos > 0 ? 2 : 1, headers: { 'x-mqtt-publish-qos': input.qos, 'x-mqtt-publisher': publisherClientId } },
      body: input.payload,
      receivedAtMs: nowMs,
    };
  }
  const headers: HeaderTable = {};
  if (p.userProperties) {
    for (const [k, v] of Object.entries(p.userProperties)) headers[k] = Array.isArray(v) ? [...v] : v;
  }
  headers[H.publishQos] = input.qos;
  if (input.retain) headers[H.retain] = true;
  if (p.payloadFormatIndicator) headers[H.payloadFormat] = 1;
  headers[H.publisher] = publisherClientId;

  const properties: MessageProperties = { deliveryMode: input.qos > 0 ? 2 : 1, headers };
  if (p.contentType !== undefined) properties.contentType = p.contentType;
  if (p.responseTopic !== undefined) properties.replyTo = topicToRoutingKey(p.responseTopic);
  if (p.correlationData !== undefined) {
    const cd = Buffer.from(p.correlationData);
    if (cd.length <= CORRELATION_ID_MAX_BYTES && isUtf8(cd)) properties.correlationId = cd.toString('utf8');
    else headers[H.correlationData] = cd;
  }
  if (p.messageExpiryInterval !== undefined) properties.expiration = String(p.messageExpiryInterval * 1000);
  return {
    exchange: exchangeForTopic(input.topic),
    routingKey: topicToRoutingKey(input.topic),
    properties,
    body: input.payload,
    receivedAtMs: nowMs,
  };
}

function headerToUserProperty(v: HeaderValue): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return isUtf8(v) ? v.toString('utf8') : undefined;
  return undefined;
}

export interface OutboundFields {
  topic: string;
  payload: Buffer;
  /** QoS the publisher used (AMQP messages: undefined → the subscription's QoS decides). */
  publishQos: QoS | undefined;
  retainFlag: boolean;
  publisher: string | undefined;
  properties: NonNullable<IPublishPacket['properties']>;
  /** `properties` is empty: nothing v5-specific to write. */
  propertyFree: boolean;
  /** A retained message replayed into a session queue (it carries its topic in a header). */
  retainedReplay: boolean;
  /** Remaining lifetime; <= 0 means expired and must not be delivered [MQTT-3.3.2-5]. */
  expiryRemainingSec: number | undefined;
}

/** Core Message → the fields of an outbound MQTT PUBLISH (QoS, packet id, aliases are the connection's). */
export function messageToMqtt(msg: Message, nowMs: number): OutboundFields {
  const headers = msg.properties.headers ?? {};
  const props: NonNullable<IPublishPacket['properties']> = {};
  // Made on the first user property only: most messages carry just the adapter's own headers.
  let user: UserProperties | null = null;
  let propertyFree = true;
  for (const k in headers) {
    if (INTERNAL_HEADERS.has(k)) continue;
    const v = headers[k];
    if (Array.isArray(v)) {
      const list = v.map(headerToUserProperty).filter((s): s is string => s !== undefined);
      if (list.length > 0) (user ??= {})[k] = list;
      continue;
    }
    const s = headerToUserProperty(v);
    if (s !== undefined) (user ??= {})[k] = s;
  }
  if (user !== null) (props.userProperties = user), (propertyFree = false);
  if (msg.properties.contentType !== undefined) (props.contentType = msg.properties.contentType), (propertyFree = false);
  if (msg.properties.replyTo !== undefined) (props.responseTopic = routingKeyToTopic(msg.properties.replyTo)), (propertyFree = false);
  const cd = headers[H.correlationData];
  if (Buffer.isBuffer(cd)) (props.correlationData = cd), (propertyFree = false);
  else if (msg.properties.correlationId !== undefined) (props.correlationData = Buffer.from(msg.properties.correlationId)), (propertyFree = false);
  if (headers[H.payloadFormat] === 1) (props.payloadFormatIndicator = true), (propertyFree = false);

  let expiryRemainingSec: number | undefined;
  const ttlMs = msg.properties.expiration !== undefined ? Number(msg.properties.expiration) : NaN;
  if (Number.isFinite(ttlMs)) {
    const age = msg.receivedAtMs !== undefined ? Math.max(0, nowMs - msg.receivedAtMs) : 0;
    // [MQTT-3.3.2-6] the forwarded Message Expiry Interval is the received one minus the time waited.
    expiryRemainingSec = Math.ceil((ttlMs - age) / 1000);
    if (expiryRemainingSec > 0) (props.messageExpiryInterval = expiryRemainingSec), (propertyFree = false);
  }

  const topicHeader = headers[H.topic];
  const q = headers[H.publishQos];
  const publisher = headers[H.publisher];
  return {
    topic: typeof topicHeader === 'string' ? topicHeader : routingKeyToTopic(msg.routingKey),
    retainedReplay: typeof topicHeader === 'string',
    payload: msg.body,
    publishQos: q === 0 || q === 1 || q === 2 ? q : undefined,
    retainFlag: headers[H.retain] === true,
    publisher: typeof publisher === 'string' ? publisher : undefined,
    properties: props,
    propertyFree,
    expiryRemainingSec,
  };
}
