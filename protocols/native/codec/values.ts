/**
 * Composite wire values shared by several frames: headers, records, topic and group descriptions. Each value has
 * a write and a read function next to each other so the two cannot drift apart.
 */
import { BrokerError } from '../../../src/core/errors';
import { headerFromJson, headerToJson } from '../../../src/core/header-json';
import type { HeaderValue } from '../../../src/core/message';
import type {
  CommittedOffset,
  FetchedRecord,
  GroupInfo,
  ProduceRecord,
  TopicInfo,
  TopicPartitions,
} from '../../../src/core/types';
import type { RetentionPolicy } from '../../../storage/types';
import { NATIVE_LIMITS } from '../constants';
import type { BodyReader } from './reader';
import { putBytes, putI32, putI64, type FrameWriter } from './writer';

export type Headers = Record<string, HeaderValue>;

/** Header value tags. */
export const HeaderTag = { NULL: 0, STRING: 1, BYTES: 2, NUMBER: 3, BOOL: 4, BIGINT: 5, JSON: 6 } as const;

export function writeHeaders(w: FrameWriter, h: Headers | null): void {
  if (h === null) {
    w.i32(-1);
    return;
  }
  const entries = Object.entries(h);
  w.i32(entries.length);
  for (const [k, v] of entries) {
    w.str(k);
    writeHeaderValue(w, v);
  }
}

function writeHeaderValue(w: FrameWriter, v: HeaderValue): void {
  if (v === null) w.u8(HeaderTag.NULL);
  else if (typeof v === 'string') w.u8(HeaderTag.STRING).bytes(Buffer.from(v, 'utf8'));
  else if (Buffer.isBuffer(v)) w.u8(HeaderTag.BYTES).bytes(v);
  else if (typeof v === 'number') w.u8(HeaderTag.NUMBER).f64(v);
  else if (typeof v === 'boolean') w.u8(HeaderTag.BOOL).u8(v ? 1 : 0);
  else if (typeof v === 'bigint') w.u8(HeaderTag.BIGINT).str(v.toString());
  // Arrays, tables and typed AMQP values travel as the lossless JSON form the core stores them in.
  else w.u8(HeaderTag.JSON).longStr(JSON.stringify(headerToJson(v)));
}

export function readHeaders(r: BodyReader): Headers | null {
  const n = r.i32();
  if (n === -1) return null;
  if (n < 0 || n > NATIVE_LIMITS.headersPerRecordMax) throw new BrokerError('LIMIT_EXCEEDED', `${n} headers in one record`);
  const out: Headers = {};
  for (let i = 0; i < n; i++) {
    const k = r.str();
    out[k] = readHeaderValue(r);
  }
  return out;
}

function readHeaderValue(r: BodyReader): HeaderValue {
  const tag = r.u8();
  switch (tag) {
    case HeaderTag.NULL:
      return null;
    case HeaderTag.STRING:
      return (r.bytes() ?? Buffer.alloc(0)).toString('utf8');
    case HeaderTag.BYTES:
      return Buffer.from(r.bytes() ?? Buffer.alloc(0));
    case HeaderTag.NUMBER:
      return r.f64();
    case HeaderTag.BOOL:
      return r.u8() !== 0;
    case HeaderTag.BIGINT: {
      const s = r.str();
      if (!/^-?\d+$/.test(s)) throw new BrokerError('FRAME_ERROR', 'malformed bigint header');
      return BigInt(s);
    }
    case HeaderTag.JSON: {
      try {
        return headerFromJson(JSON.parse(r.longStr()));
      } catch (err) {
        if (err instanceof BrokerError) throw err;
        throw new BrokerError('FRAME_ERROR', 'malformed JSON header value');
      }
    }
    default:
      throw new BrokerError('FRAME_ERROR', `unknown header tag ${tag}`);
  }
}

// ------------------------------------------------------------------------------------------------ records

/** Produce record: i32 partition (-1 broker chooses), i64 timestamp (-1 broker time), key, value, headers. */
export function writeProduceRecord(w: FrameWriter, rec: ProduceRecord): void {
  const headers = rec.headers;
  // Without headers the count (-1) goes into the same reservation: one capacity check per record.
  const at = w.reserve(20 + (rec.key?.length ?? 0) + rec.value.length + (headers === null ? 4 : 0));
  const b = w.buffer;
  putI32(b, rec.partition ?? -1, at);
  putI64(b, rec.timestamp ?? -1, at + 4);
  const end = putBytes(b, rec.value, putBytes(b, rec.key, at + 12));
  if (headers === null) putI32(b, -1, end);
  else writeHeaders(w, headers);
}

export function readProduceRecord(r: BodyReader): ProduceRecord {
  const partition = r.i32();
  const timestamp = r.i64();
  const key = r.bytes();
  const value = r.bytes();
  const headers = readHeaders(r);
  if (value === null) throw new BrokerError('INVALID_ARGUMENT', 'record value must not be null');
  // Every field present from the start: one object shape for all records (no transitions, monomorphic readers).
  return { key, value, headers, partition: partition >= 0 ? partition : undefined, timestamp: timestamp >= 0 ? timestamp : undefined };
}

/** Fetched record: i64 offset, i64 timestamp, key, value, headers. */
export function writeFetchedRecord(w: FrameWriter, rec: FetchedRecord): void {
  const headers = rec.headers;
  if (headers === null) {
    writeHeaderlessRecord(w, rec.offset, rec.timestamp, rec.key, rec.value);
    return;
  }
  const at = w.reserve(24 + (rec.key?.length ?? 0) + rec.value.length);
  const b = w.buffer;
  putI64(b, rec.offset, at);
  putI64(b, rec.timestamp, at + 8);
  putBytes(b, rec.value, putBytes(b, rec.key, at + 16));
  writeHeaders(w, headers);
}

/** A fetched record without headers: the count (-1) goes into the same reservation, one capacity check per record. */
export function writeHeaderlessRecord(w: FrameWriter, offset: number, timestamp: number, key: Buffer | null, value: Buffer): void {
  const at = w.reserve(28 + (key?.length ?? 0) + value.length);
  const b = w.buffer;
  putI64(b, offset, at);
  putI64(b, timestamp, at + 8);
  putI32(b, -1, putBytes(b, value, putBytes(b, key, at + 16)));
}

export function readFetchedRecord(r: BodyReader): FetchedRecord {
  const offset = r.i64();
  const timestamp = r.i64();
  const key = r.bytes();
  const value = r.bytes() ?? Buffer.alloc(0);
  const headers = readHeaders(r);
  return { offset, timestamp, key, value, headers };
}

/** A fetched record tagged with its topic and partition: what the SDK consumer hands out, built in one object. */
export interface TopicRecord extends FetchedRecord {
  topic: string;
  partition: number;
}

/** readFetchedRecord for the SDK consumer: one object per record instead of a decoded one plus a tagged copy. */
export function readTopicRecord(r: BodyReader, topic: string, partition: number): TopicRecord {
  const offset = r.i64();
  const timestamp = r.i64();
  const key = r.bytes();
  const value = r.bytes() ?? Buffer.alloc(0);
  const headers = readHeaders(r);
  return { topic, partition, offset, timestamp, key, value, headers };
}

/** Bytes a record takes on the wire (for byte credit and size hints), headers estimated. */
export function fetchedRecordBytes(rec: FetchedRecord): number {
  return 28 + (rec.key?.length ?? 0) + rec.value.length + (rec.headers === null ? 0 : 64);
}

// ------------------------------------------------------------------------------------------------ retention

/** Three i64, -1 = unset. */
export function writeRetention(w: FrameWriter, p: RetentionPolicy): void {
  w.i64(p.maxAgeMs ?? -1).i64(p.maxBytes ?? -1).i64(p.maxRecords ?? -1);
}

export function readRetention(r: BodyReader): RetentionPolicy {
  const p: RetentionPolicy = {};
  const age = r.i64();
  const bytes = r.i64();
  const records = r.i64();
  if (age >= 0) p.maxAgeMs = age;
  if (bytes >= 0) p.maxBytes = bytes;
  if (records >= 0) p.maxRecords = records;
  return p;
}

// ------------------------------------------------------------------------------------------------ topics

export function writeTopicInfo(w: FrameWriter, t: TopicInfo): void {
  w.str(t.name);
  writeRetention(w, t.retention);
  w.u32(t.partitions.length);
  for (const p of t.partitions) w.u32(p.partition).i64(p.startOffset).i64(p.endOffset).i64(p.sizeBytes);
}

export function readTopicInfo(r: BodyReader): TopicInfo {
  const name = r.str();
  const retention = readRetention(r);
  const n = r.count(1_000_000, 28);
  const partitions = [];
  for (let i = 0; i < n; i++) {
    partitions.push({ partition: r.u32(), startOffset: r.i64(), endOffset: r.i64(), sizeBytes: r.i64() });
  }
  return { name, retention, partitions };
}

export function writeAssignment(w: FrameWriter, a: readonly TopicPartitions[]): void {
  w.u32(a.length);
  for (const tp of a) {
    w.str(tp.topic).u32(tp.partitions.length);
    for (const p of tp.partitions) w.u32(p);
  }
}

export function readAssignment(r: BodyReader): TopicPartitions[] {
  const n = r.count(1_000_000, 6);
  const out: TopicPartitions[] = [];
  for (let i = 0; i < n; i++) {
    const topic = r.str();
    const k = r.count(1_000_000, 4);
    const partitions: number[] = [];
    for (let j = 0; j < k; j++) partitions.push(r.u32());
    out.push({ topic, partitions });
  }
  return out;
}

/** Offsets: u32 count, then str topic, u32 partition, i64 offset, str metadata. */
export function writeOffsets(w: FrameWriter, offsets: readonly CommittedOffset[]): void {
  w.u32(offsets.length);
  for (const o of offsets) w.str(o.topic).u32(o.partition).i64(o.offset).str(o.metadata ?? '');
}

export function readOffsets(r: BodyReader): CommittedOffset[] {
  const n = r.count(1_000_000, 16);
  const out: CommittedOffset[] = [];
  for (let i = 0; i < n; i++) {
    const o: CommittedOffset = { topic: r.str(), partition: r.u32(), offset: r.i64() };
    const metadata = r.str();
    if (metadata !== '') o.metadata = metadata;
    out.push(o);
  }
  return out;
}

const GROUP_STATES: GroupInfo['state'][] = ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'];

export function writeGroupInfo(w: FrameWriter, g: GroupInfo): void {
  w.str(g.groupId).str(g.state).u32(g.generation).str(g.assignor).u32(g.members.length);
  for (const m of g.members) {
    w.str(m.memberId).str(m.clientId);
    writeAssignment(w, m.assignment);
    w.i64(m.lastHeartbeatMs);
  }
  w.u32(g.lag.length);
  for (const l of g.lag) w.str(l.topic).u32(l.partition).i64(l.committed ?? -1).i64(l.endOffset).i64(l.lag);
}

export function readGroupInfo(r: BodyReader): GroupInfo {
  const groupId = r.str();
  const stateName = r.str();
  const state = GROUP_STATES.find((s) => s === stateName) ?? 'Dead';
  const generation = r.u32();
  const assignorName = r.str();
  const assignor = assignorName === 'roundrobin' || assignorName === 'cooperative-sticky' ? assignorName : 'range';
  const nm = r.count(1_000_000, 16);
  const members = [];
  for (let i = 0; i < nm; i++) {
    members.push({ memberId: r.str(), clientId: r.str(), assignment: readAssignment(r), lastHeartbeatMs: r.i64() });
  }
  const nl = r.count(1_000_000, 30);
  const lag = [];
  for (let i = 0; i < nl; i++) {
    const topic = r.str();
    const partition = r.u32();
    const committed = r.i64();
    lag.push({ topic, partition, committed: committed < 0 ? null : committed, endOffset: r.i64(), lag: r.i64() });
  }
  return { groupId, state, generation, assignor, members, lag };
}
