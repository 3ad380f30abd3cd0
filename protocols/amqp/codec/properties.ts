/**
 * The content header frame (AMQP 0-9-1 §4.2.6.1, §2.3.5.2): class-id, weight (0), body-size, property flags and
 * the basic class's 14 properties in flag order (bit 15 first):
 *
 *   15 content-type  14 content-encoding  13 headers  12 delivery-mode  11 priority  10 correlation-id
 *    9 reply-to       8 expiration         7 message-id 6 timestamp     5 type      4 user-id
 *    3 app-id         2 cluster-id (RabbitMQ's name for the spec's "reserved")
 *
 * Like RabbitMQ's generated decode_properties/2 we ignore the two low flag bits and reject bytes left over
 * after the last present property. The raw flags+list bytes are returned as a slice so an AMQP consumer can be
 * sent exactly what the publisher sent (encodeContentHeaderFrameRaw).
 */
import { BrokerError } from '../../../src/core/errors';
import type { MessageProperties } from '../../../src/core/message';
import { decodeFieldTable, writeFieldTable } from './field-table';
import { FRAME_END, FRAME_HEADER } from './frames';
import { copyInto, readU64, readUtf8, shortStrLength, truncated, writeU64 } from './primitives';
import { scratch } from './writer';

/** class-id + weight + body-size: the fixed part before the property flags. */
export const CONTENT_HEADER_FIXED_BYTES = 12;

const F_CONTENT_TYPE = 1 << 15;
const F_CONTENT_ENCODING = 1 << 14;
const F_HEADERS = 1 << 13;
const F_DELIVERY_MODE = 1 << 12;
const F_PRIORITY = 1 << 11;
const F_CORRELATION_ID = 1 << 10;
const F_REPLY_TO = 1 << 9;
const F_EXPIRATION = 1 << 8;
const F_MESSAGE_ID = 1 << 7;
const F_TIMESTAMP = 1 << 6;
const F_TYPE = 1 << 5;
const F_USER_ID = 1 << 4;
const F_APP_ID = 1 << 3;
const F_CLUSTER_ID = 1 << 2;

/** The basic class's properties in flag order (bit 15 first); a test checks it against the spec XML. */
export const BASIC_PROPERTY_NAMES: ReadonlyArray<keyof MessageProperties> = [
  'contentType',
  'contentEncoding',
  'headers',
  'deliveryMode',
  'priority',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'timestamp',
  'type',
  'userId',
  'appId',
  'clusterId',
];

export interface ContentHeader {
  classId: number;
  bodySize: number;
  properties: MessageProperties;
  /** Property flags and list exactly as received (a slice of the frame payload, not a copy). */
  rawProperties: Buffer;
}

/** Decodes the payload of a type-2 frame. */
export function decodeContentHeader(payload: Buffer): ContentHeader {
  if (payload.length < CONTENT_HEADER_FIXED_BYTES + 2) throw truncated('content header');
  const classId = (payload[0] << 8) | payload[1];
  const weight = (payload[2] << 8) | payload[3];
  if (weight !== 0) {
    // rabbit_command_assembler only matches weight 0; anything else is "expected content header … got non
    // content header frame instead" (505).
    throw new BrokerError('UNEXPECTED_FRAME', `content header weight must be 0, got ${weight}`);
  }
  const bodySize = readU64(payload, 4);
  const rawProperties = payload.subarray(CONTENT_HEADER_FIXED_BYTES);
  const properties = decodeProperties(rawProperties);
  return { classId, bodySize, properties, rawProperties };
}

/** Decodes property flags + list (the `rawProperties` bytes). */
export function decodeProperties(raw: Buffer): MessageProperties {
  const end = raw.length;
  if (end < 2) throw truncated('property flags');
  const flags = (raw[0] << 8) | raw[1];
  const p: MessageProperties = {};
  if (flags === 0) {
    if (end !== 2) throw trailing();
    return p;
  }
  let o = 2;
  let len = 0;
  if (flags & F_CONTENT_TYPE) {
    len = strLen(raw, o, end);
    p.contentType = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_CONTENT_ENCODING) {
    len = strLen(raw, o, end);
    p.contentEncoding = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_HEADERS) {
    const t = decodeFieldTable(raw, o);
    p.headers = t.table;
    o = t.next;
  }
  if (flags & F_DELIVERY_MODE) {
    if (o + 1 > end) throw truncated('delivery-mode');
    p.deliveryMode = raw[o++];
  }
  if (flags & F_PRIORITY) {
    if (o + 1 > end) throw truncated('priority');
    p.priority = raw[o++];
  }
  if (flags & F_CORRELATION_ID) {
    len = strLen(raw, o, end);
    p.correlationId = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_REPLY_TO) {
    len = strLen(raw, o, end);
    p.replyTo = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_EXPIRATION) {
    len = strLen(raw, o, end);
    p.expiration = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_MESSAGE_ID) {
    len = strLen(raw, o, end);
    p.messageId = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_TIMESTAMP) {
    if (o + 8 > end) throw truncated('timestamp');
    p.timestamp = readU64(raw, o);
    o += 8;
  }
  if (flags & F_TYPE) {
    len = strLen(raw, o, end);
    p.type = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_USER_ID) {
    len = strLen(raw, o, end);
    p.userId = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_APP_ID) {
    len = strLen(raw, o, end);
    p.appId = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (flags & F_CLUSTER_ID) {
    len = strLen(raw, o, end);
    p.clusterId = readUtf8(raw, o + 1, o + 1 + len);
    o += 1 + len;
  }
  if (o !== end) throw trailing();
  return p;
}

function strLen(raw: Buffer, o: number, end: number): number {
  if (o >= end) throw truncated('property');
  const len = raw[o];
  if (o + 1 + len > end) throw truncated('property');
  return len;
}

function trailing(): BrokerError {
  return new BrokerError('FRAME_ERROR', 'cannot decode content header: bytes after the last property');
}

function octet(v: number, field: string): number {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new BrokerError('INTERNAL_ERROR', `property '${field}' must be 0..255`);
  return v;
}

/**
 * Encodes a complete content header frame from decoded properties. Absent means undefined or null (properties
 * that went through JSON may carry null). Shortstr properties longer than 255 bytes are a caller error
 * (INTERNAL_ERROR): converters from other protocols must fit them first.
 */
export function encodeContentHeaderFrame(channel: number, classId: number, bodySize: number, p: MessageProperties): Buffer {
  const w = scratch;
  w.reset();
  w.ensure(7 + CONTENT_HEADER_FIXED_BYTES + 2);
  const b = w.buf;
  b[0] = FRAME_HEADER;
  b.writeUInt16BE(channel, 1);
  b.writeUInt16BE(classId, 7);
  b[9] = 0;
  b[10] = 0;
  writeU64(b, bodySize, 11);
  const flagsAt = 19;
  w.pos = 21;
  let flags = 0;
  if (p.contentType != null) {
    flags |= F_CONTENT_TYPE;
    w.shortStr(p.contentType, shortStrLength(p.contentType, 'contentType'));
  }
  if (p.contentEncoding != null) {
    flags |= F_CONTENT_ENCODING;
    w.shortStr(p.contentEncoding, shortStrLength(p.contentEncoding, 'contentEncoding'));
  }
  if (p.headers != null) {
    flags |= F_HEADERS;
    writeFieldTable(w, p.headers, 0);
  }
  if (p.deliveryMode != null) {
    flags |= F_DELIVERY_MODE;
    w.u8(octet(p.deliveryMode, 'deliveryMode'));
  }
  if (p.priority != null) {
    flags |= F_PRIORITY;
    w.u8(octet(p.priority, 'priority'));
  }
  if (p.correlationId != null) {
    flags |= F_CORRELATION_ID;
    w.shortStr(p.correlationId, shortStrLength(p.correlationId, 'correlationId'));
  }
  if (p.replyTo != null) {
    flags |= F_REPLY_TO;
    w.shortStr(p.replyTo, shortStrLength(p.replyTo, 'replyTo'));
  }
  if (p.expiration != null) {
    flags |= F_EXPIRATION;
    w.shortStr(p.expiration, shortStrLength(p.expiration, 'expiration'));
  }
  if (p.messageId != null) {
    flags |= F_MESSAGE_ID;
    w.shortStr(p.messageId, shortStrLength(p.messageId, 'messageId'));
  }
  if (p.timestamp != null) {
    flags |= F_TIMESTAMP;
    // Seconds; a converter that computed Date.now() / 1000 gets the whole seconds rather than an error.
    const ts = Math.floor(p.timestamp);
    if (!Number.isFinite(ts) || ts < 0) throw new BrokerError('INTERNAL_ERROR', "property 'timestamp' must be a non-negative number");
    w.ensure(8);
    writeU64(w.buf, ts, w.pos);
    w.pos += 8;
  }
  if (p.type != null) {
    flags |= F_TYPE;
    w.shortStr(p.type, shortStrLength(p.type, 'type'));
  }
  if (p.userId != null) {
    flags |= F_USER_ID;
    w.shortStr(p.userId, shortStrLength(p.userId, 'userId'));
  }
  if (p.appId != null) {
    flags |= F_APP_ID;
    w.shortStr(p.appId, shortStrLength(p.appId, 'appId'));
  }
  if (p.clusterId != null) {
    flags |= F_CLUSTER_ID;
    w.shortStr(p.clusterId, shortStrLength(p.clusterId, 'clusterId'));
  }
  w.buf.writeUInt16BE(flags, flagsAt);
  w.u8(FRAME_END);
  w.buf.writeUInt32BE(w.pos - 8, 3);
  return w.take();
}

/** Re-emits properties received from an AMQP publisher byte-exact. */
export function encodeContentHeaderFrameRaw(channel: number, classId: number, bodySize: number, rawProperties: Buffer): Buffer {
  const size = CONTENT_HEADER_FIXED_BYTES + rawProperties.length;
  const b = Buffer.allocUnsafe(7 + size + 1);
  b[0] = FRAME_HEADER;
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b[7] = classId >>> 8;
  b[8] = classId & 0xff;
  b[9] = 0;
  b[10] = 0;
  writeU64(b, bodySize, 11);
  copyInto(b, 19, rawProperties);
  b[7 + size] = FRAME_END;
  return b;
}
