/**
 * How messages and native records are stored: one record format readable both ways, so an AMQP stream written by
 * a publisher is fetched by a native consumer and vice versa.
 *
 * Record layout: key = routing key (messages) or the producer's key; value = body; headers = this module's
 * metadata blob:
 *   u8 kind (1 = message, 2 = native record)
 *   kind 1: u8 exchangeLen, exchange, u16 presence bits, then each present property in order (strings as
 *           u8 len + utf8, deliveryMode/priority as u8, timestamp as f64, headers as u32 len + tagged JSON),
 *           then u32 rawLen + AMQP raw property bytes when present bit 15 is set.
 *   kind 2: u32 len + tagged JSON of the header map (0 = none).
 */
import type { AppendRecord, StoredRecord } from '../../storage/types';
import { BrokerError } from './errors';
import { tableFromJsonString, tableToJsonString } from './header-json';
import type { HeaderTable, HeaderValue, Message, MessageProperties } from './message';
import type { FetchedRecord, ProduceRecord } from './types';

const KIND_MESSAGE = 1;
const KIND_NATIVE = 2;

const STRING_PROPS = [
  'contentType',
  'contentEncoding',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'type',
  'userId',
  'appId',
  'clusterId',
] as const;
type StringProp = (typeof STRING_PROPS)[number];

const BIT_DELIVERY_MODE = 1 << 10;
const BIT_PRIORITY = 1 << 11;
const BIT_TIMESTAMP = 1 << 12;
const BIT_HEADERS = 1 << 13;
const BIT_RAW = 1 << 15;

const EMPTY_MESSAGE_META_CACHE = new Map<string, Buffer>();
const EMPTY_CACHE_MAX = 1024;

function byteLen(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Encodes the metadata blob for a message. Messages without properties share a cached blob per exchange. */
export function encodeMessageMeta(msg: Message): Buffer {
  const p = msg.properties;
  let bits = 0;
  let size = 1 + 1 + byteLen(msg.exchange) + 2;
  for (let i = 0; i < STRING_PROPS.length; i++) {
    const v = p[STRING_PROPS[i]];
    if (v !== undefined) {
      bits |= 1 << i;
      const n = byteLen(v);
      if (n > 255) throw new BrokerError('SYNTAX_ERROR', `property ${STRING_PROPS[i]} longer than 255 bytes`);
      size += 1 + n;
    }
  }
  if (p.deliveryMode !== undefined) (bits |= BIT_DELIVERY_MODE), (size += 1);
  if (p.priority !== undefined) (bits |= BIT_PRIORITY), (size += 1);
  if (p.timestamp !== undefined) (bits |= BIT_TIMESTAMP), (size += 8);
  let headersJson: string | null = null;
  if (p.headers !== undefined) {
    headersJson = tableToJsonString(p.headers);
    bits |= BIT_HEADERS;
    size += 4 + byteLen(headersJson);
  }
  if (msg.amqpRawProperties) (bits |= BIT_RAW), (size += 4 + msg.amqpRawProperties.length);

  if (bits === 0) {
    const cached = EMPTY_MESSAGE_META_CACHE.get(msg.exchange);
    if (cached) return cached;
  }
  const buf = Buffer.allocUnsafe(size);
  let o = 0;
  buf[o++] = KIND_MESSAGE;
  buf[o++] = byteLen(msg.exchange);
  o += buf.write(msg.exchange, o, 'utf8');
  buf.writeUInt16BE(bits, o);
  o += 2;
  for (let i = 0; i < STRING_PROPS.length; i++) {
    const v = p[STRING_PROPS[i]];
    if (v !== undefined) {
      const n = buf.write(v, o + 1, 'utf8');
      buf[o] = n;
      o += 1 + n;
    }
  }
  if (bits & BIT_DELIVERY_MODE) buf[o++] = (p.deliveryMode ?? 0) & 0xff;
  if (bits & BIT_PRIORITY) buf[o++] = (p.priority ?? 0) & 0xff;
  if (bits & BIT_TIMESTAMP) (buf.writeDoubleBE(p.timestamp ?? 0, o), (o += 8));
  if (headersJson !== null) {
    const n = buf.write(headersJson, o + 4, 'utf8');
    buf.writeUInt32BE(n, o);
    o += 4 + n;
  }
  if (msg.amqpRawProperties) {
    buf.writeUInt32BE(msg.amqpRawProperties.length, o);
    msg.amqpRawProperties.copy(buf, o + 4);
    o += 4 + msg.amqpRawProperties.length;
  }
  if (bits === 0 && EMPTY_MESSAGE_META_CACHE.size < EMPTY_CACHE_MAX) EMPTY_MESSAGE_META_CACHE.set(msg.exchange, buf);
  return buf;
}

/**
 * A message routed to many queues is encoded once: the metadata blob is remembered per message object (messages
 * are not changed after routing; dead-lettering makes a new one).
 */
const META_BY_MESSAGE = new WeakMap<Message, { meta: Buffer; key: Buffer | null }>();

export function encodeMessageRecord(msg: Message): AppendRecord {
  let enc = META_BY_MESSAGE.get(msg);
  if (enc === undefined) {
    enc = { meta: encodeMessageMeta(msg), key: msg.routingKey.length > 0 ? Buffer.from(msg.routingKey, 'utf8') : null };
    META_BY_MESSAGE.set(msg, enc);
  }
  return { timestamp: msg.receivedAtMs, key: enc.key, headers: enc.meta, value: msg.body };
}

function corrupt(what: string): BrokerError {
  return new BrokerError('STORAGE_CORRUPT', `record metadata: ${what}`);
}

interface DecodedMeta {
  exchange: string;
  properties: MessageProperties;
  raw?: Buffer;
}

function decodeMessageMeta(h: Buffer): DecodedMeta {
  let o = 1;
  const exLen = h[o++];
  if (o + exLen + 2 > h.length) throw corrupt('truncated');
  const exchange = h.toString('utf8', o, o + exLen);
  o += exLen;
  const bits = h.readUInt16BE(o);
  o += 2;
  const properties: MessageProperties = {};
  for (let i = 0; i < STRING_PROPS.length; i++) {
    if (bits & (1 << i)) {
      const n = h[o];
      (properties as Record<StringProp, string>)[STRING_PROPS[i]] = h.toString('utf8', o + 1, o + 1 + n);
      o += 1 + n;
    }
  }
  if (bits & BIT_DELIVERY_MODE) properties.deliveryMode = h[o++];
  if (bits & BIT_PRIORITY) properties.priority = h[o++];
  if (bits & BIT_TIMESTAMP) (properties.timestamp = h.readDoubleBE(o)), (o += 8);
  if (bits & BIT_HEADERS) {
    const n = h.readUInt32BE(o);
    properties.headers = tableFromJsonString(h.toString('utf8', o + 4, o + 4 + n));
    o += 4 + n;
  }
  let raw: Buffer | undefined;
  if (bits & BIT_RAW) {
    const n = h.readUInt32BE(o);
    raw = h.subarray(o + 4, o + 4 + n);
    o += 4 + n;
  }
  if (o > h.length) throw corrupt('truncated');
  return { exchange, properties, raw };
}

function decodeNativeHeaders(h: Buffer): HeaderTable | null {
  const n = h.readUInt32BE(1);
  return n === 0 ? null : tableFromJsonString(h.toString('utf8', 5, 5 + n));
}

export function decodeMessageRecord(rec: StoredRecord): Message {
  const h = rec.headers;
  if (h !== null && h[0] === KIND_MESSAGE) {
    const m = decodeMessageMeta(h);
    const msg: Message = {
      exchange: m.exchange,
      routingKey: rec.key ? rec.key.toString('utf8') : '',
      properties: m.properties,
      body: rec.value,
      receivedAtMs: rec.timestamp,
    };
    if (m.raw) msg.amqpRawProperties = m.raw;
    return msg;
  }
  const headers = h !== null && h[0] === KIND_NATIVE ? decodeNativeHeaders(h) : null;
  const properties: MessageProperties = {};
  if (headers) properties.headers = headers;
  return {
    exchange: '',
    routingKey: rec.key ? rec.key.toString('utf8') : '',
    properties,
    body: rec.value,
    receivedAtMs: rec.timestamp,
  };
}

const EMPTY_NATIVE_META = Buffer.from([KIND_NATIVE, 0, 0, 0, 0]);

export function encodeProduceRecord(r: ProduceRecord): AppendRecord {
  let headers = EMPTY_NATIVE_META;
  if (r.headers && Object.keys(r.headers).length > 0) {
    const json = tableToJsonString(r.headers);
    const n = byteLen(json);
    headers = Buffer.allocUnsafe(5 + n);
    headers[0] = KIND_NATIVE;
    headers.writeUInt32BE(n, 1);
    headers.write(json, 5, 'utf8');
  }
  return { timestamp: r.timestamp, key: r.key, headers, value: r.value };
}

/** AMQP wire types mean nothing to native clients: typed values become their plain value (decimals a number). */
function plainHeaderValue(v: HeaderValue): HeaderValue {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(plainHeaderValue);
  if ('amqpType' in v && 'value' in v && typeof v.amqpType === 'string') {
    const inner = v.value;
    if (inner !== null && typeof inner === 'object' && 'scale' in inner && typeof inner.scale === 'number') {
      return (inner as { scale: number; value: number }).value / 10 ** inner.scale;
    }
    return plainHeaderValue(inner as HeaderValue);
  }
  const out: HeaderTable = {};
  for (const [k, x] of Object.entries(v as HeaderTable)) out[k] = plainHeaderValue(x);
  return out;
}

/** Native view of any record; a message's string properties appear as headers named like AMQP's fields. */
export function decodeFetchedRecord(rec: StoredRecord): FetchedRecord {
  const h = rec.headers;
  let headers: HeaderTable | null = null;
  if (h !== null && h[0] === KIND_NATIVE) headers = decodeNativeHeaders(h);
  else if (h !== null && h[0] === KIND_MESSAGE) {
    const m = decodeMessageMeta(h);
    const out = plainHeaderValue(m.properties.headers ?? {}) as HeaderTable;
    for (const name of STRING_PROPS) {
      const v = m.properties[name];
      if (v !== undefined) out[name] = v;
    }
    headers = Object.keys(out).length > 0 ? out : null;
  }
  return { offset: rec.offset, timestamp: rec.timestamp, key: rec.key, value: rec.value, headers };
}

/**
 * decodeFetchedRecord over a whole read, written back into the array the store handed out (a fresh array per
 * read): one array less per fetch answer. The stored records themselves are left untouched (the memory store
 * hands out the objects it keeps).
 */
export function decodeFetchedRecords(stored: StoredRecord[]): FetchedRecord[] {
  const out = stored as unknown[] as FetchedRecord[];
  for (let i = 0; i < stored.length; i++) out[i] = decodeFetchedRecord(stored[i]);
  return out;
}
