/**
 * How messages and native records are stored: one record format readable both ways, so an AMQP stream written by
 * a publisher is fetched by a native consumer and vice versa.
 *
 * Record layout: key = routing key (messages) or the producer's key; value = body; headers = this module's
 * metadata blob:
 *   u8 kind (3 = message, 2 = native record; 1 = message as written before binary headers, still read)
 *   kind 3: u8 exchangeLen, exchange, u16 presence bits, then each present property in order (strings as
 *           u8 len + utf8, deliveryMode/priority as u8, timestamp as f64, headers as u32 len + the binary table
 *           of header-binary.ts), then u32 rawLen + AMQP raw property bytes when present bit 15 is set.
 *   kind 1: as kind 3, but the headers are u32 len + tagged JSON (header-json.ts).
 *   kind 2: u32 len + tagged JSON of the header map (0 = none).
 */
import type { AppendRecord, StoredRecord } from '../../storage/types';
import { BrokerError } from './errors';
import { decodeHeaderTable, encodeHeaderTableScratch } from './header-binary';
import { tableFromJsonString, tableToJsonString } from './header-json';
import type { HeaderTable, HeaderValue, Message, MessageProperties } from './message';
import type { FetchedRecord, ProduceRecord } from './types';

/** Messages with JSON headers: written until binary headers replaced them (12 % of MQTT QoS 0 CPU); still read. */
const KIND_MESSAGE_JSON = 1;
const KIND_NATIVE = 2;
/** Messages with binary headers (header-binary.ts): what is written now. */
const KIND_MESSAGE = 3;

function isMessageKind(kind: number): boolean {
  return kind === KIND_MESSAGE || kind === KIND_MESSAGE_JSON;
}

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

/** Encoded exchange names and routing keys (few distinct values, one per message): cleared when full. */
const NAME_BYTES_CACHE_MAX = 4096;
/** Routing keys longer than this are encoded per message (AMQP's limit is 255 bytes; MQTT topics can be longer). */
const NAME_BYTES_CACHED_MAX_CHARS = 255;
const exchangeBytesCache = new Map<string, Buffer>();
const routingKeyBytesCache = new Map<string, Buffer>();

/** `s` as UTF-8 bytes, shared through `cache` (the buffers are only ever read). */
function nameBytes(cache: Map<string, Buffer>, s: string): Buffer {
  let b = cache.get(s);
  if (b === undefined) {
    b = Buffer.from(s, 'utf8');
    if (s.length > NAME_BYTES_CACHED_MAX_CHARS) return b;
    if (cache.size >= NAME_BYTES_CACHE_MAX) cache.clear();
    cache.set(s, b);
  }
  return b;
}

/** Any of the string properties set? Named reads: a loop over STRING_PROPS is a keyed load per name. */
function hasStringProps(p: MessageProperties): boolean {
  return (
    p.contentType !== undefined ||
    p.contentEncoding !== undefined ||
    p.correlationId !== undefined ||
    p.replyTo !== undefined ||
    p.expiration !== undefined ||
    p.messageId !== undefined ||
    p.type !== undefined ||
    p.userId !== undefined ||
    p.appId !== undefined ||
    p.clusterId !== undefined
  );
}

/** Encodes the metadata blob for a message. Messages without properties share a cached blob per exchange. */
export function encodeMessageMeta(msg: Message): Buffer {
  const p = msg.properties;
  const exchange = nameBytes(exchangeBytesCache, msg.exchange);
  const strings = hasStringProps(p);
  let bits = 0;
  let size = 1 + 1 + exchange.length + 2;
  if (strings) {
    for (let i = 0; i < STRING_PROPS.length; i++) {
      const v = p[STRING_PROPS[i]];
      if (v !== undefined) {
        bits |= 1 << i;
        const n = byteLen(v);
        if (n > 255) throw new BrokerError('SYNTAX_ERROR', `property ${STRING_PROPS[i]} longer than 255 bytes`);
        size += 1 + n;
      }
    }
  }
  if (p.deliveryMode !== undefined) (bits |= BIT_DELIVERY_MODE), (size += 1);
  if (p.priority !== undefined) (bits |= BIT_PRIORITY), (size += 1);
  if (p.timestamp !== undefined) (bits |= BIT_TIMESTAMP), (size += 8);
  // A view of the shared encode buffer: copied below, before anything else can encode.
  let headerBytes: Buffer | null = null;
  if (p.headers !== undefined) {
    headerBytes = encodeHeaderTableScratch(p.headers);
    bits |= BIT_HEADERS;
    size += 4 + headerBytes.length;
  }
  const raw = msg.amqpRawProperties;
  if (raw) (bits |= BIT_RAW), (size += 4 + raw.length);

  if (bits === 0) {
    const cached = EMPTY_MESSAGE_META_CACHE.get(msg.exchange);
    if (cached) return cached;
  }
  const buf = Buffer.allocUnsafe(size);
  let o = 0;
  buf[o++] = KIND_MESSAGE;
  buf[o++] = exchange.length;
  o += exchange.copy(buf, o);
  buf[o++] = bits >> 8;
  buf[o++] = bits & 0xff;
  if (strings) {
    for (let i = 0; i < STRING_PROPS.length; i++) {
      const v = p[STRING_PROPS[i]];
      if (v !== undefined) {
        const n = buf.write(v, o + 1, 'utf8');
        buf[o] = n;
        o += 1 + n;
      }
    }
  }
  if (bits & BIT_DELIVERY_MODE) buf[o++] = (p.deliveryMode ?? 0) & 0xff;
  if (bits & BIT_PRIORITY) buf[o++] = (p.priority ?? 0) & 0xff;
  if (bits & BIT_TIMESTAMP) (buf.writeDoubleBE(p.timestamp ?? 0, o), (o += 8));
  if (headerBytes !== null) {
    buf.writeUInt32BE(headerBytes.length, o);
    o += 4 + headerBytes.copy(buf, o + 4);
  }
  if (raw) {
    buf.writeUInt32BE(raw.length, o);
    raw.copy(buf, o + 4);
    o += 4 + raw.length;
  }
  if (bits === 0 && EMPTY_MESSAGE_META_CACHE.size < EMPTY_CACHE_MAX) EMPTY_MESSAGE_META_CACHE.set(msg.exchange, buf);
  return buf;
}

/**
 * A message routed to many queues is encoded once: the vhost enqueues the same message into each queue one after
 * another, so the last encoding is remembered, keyed by what it is made of (the properties object by identity:
 * messages are not changed after routing; dead-lettering makes a new one). One entry rather than a WeakMap keyed
 * by message: a WeakMap entry per message (5 % self time in MQTT QoS 0 1→1, plus its GC work) bought nothing
 * when a message goes to one queue, and a fan-out's enqueues are consecutive. The body is not part of the key,
 * so the cache never keeps a large body alive.
 */
let lastProperties: MessageProperties | null = null;
let lastExchange = '';
let lastRoutingKey = '';
let lastRaw: Buffer | undefined;
let lastMeta: Buffer = Buffer.alloc(0);
let lastKey: Buffer | null = null;

export function encodeMessageRecord(msg: Message): AppendRecord {
  if (msg.properties !== lastProperties || msg.exchange !== lastExchange || msg.routingKey !== lastRoutingKey || msg.amqpRawProperties !== lastRaw) {
    const meta = encodeMessageMeta(msg); // may throw: the cache is updated only after it succeeded
    lastKey = msg.routingKey.length > 0 ? nameBytes(routingKeyBytesCache, msg.routingKey) : null;
    lastMeta = meta;
    lastProperties = msg.properties;
    lastExchange = msg.exchange;
    lastRoutingKey = msg.routingKey;
    lastRaw = msg.amqpRawProperties;
  }
  return { timestamp: msg.receivedAtMs, key: lastKey, headers: lastMeta, value: msg.body };
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
  const json = h[0] === KIND_MESSAGE_JSON;
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
    if (o + 4 + n > h.length) throw corrupt('truncated');
    properties.headers = json ? tableFromJsonString(h.toString('utf8', o + 4, o + 4 + n)) : decodeHeaderTable(h, o + 4, o + 4 + n);
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
  if (h !== null && isMessageKind(h[0])) {
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

/**
 * True when a stored record has no headers in its native view (none stored, or a native record produced without
 * headers): decodeFetchedRecord would give `headers: null`, so a fetch path may write the stored fields as they are.
 */
export function storedRecordHasNoHeaders(h: Buffer | null): boolean {
  return h === null || EMPTY_NATIVE_META.equals(h);
}

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
  else if (h !== null && isMessageKind(h[0])) {
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
