/**
 * Response and push bodies: encoder (server) and decoder (SDK) side by side. A response's type is the request's
 * type | 0x80 and carries the request's correlation id.
 */
import type { ErrorCode } from '../../../src/core/errors';
import type { CommittedOffset, FetchedRecord, GroupInfo, JoinResult, ProducedBatch, TopicInfo } from '../../../src/core/types';
import type { StoredRecord } from '../../../storage/types';
import { decodeFetchedRecord, storedRecordHasNoHeaders } from '../../../src/core/record-codec';
import { FrameType, NATIVE_LIMITS, responseType } from '../constants';
import { NATIVE_ERROR_CODE, errorCodeName } from '../error-codes';
import { BodyReader } from './reader';
import {
  fetchedRecordBytes,
  readAssignment,
  readFetchedRecord,
  readTopicRecord,
  type TopicRecord,
  readGroupInfo,
  readOffsets,
  readTopicInfo,
  writeAssignment,
  writeFetchedRecord,
  writeHeaderlessRecord,
  writeGroupInfo,
  writeOffsets,
  writeTopicInfo,
} from './values';
import { FrameWriter } from './writer';

/** A response with no body (CREATE_TOPIC, DELETE_TOPIC, COMMIT_OFFSETS, LEAVE_GROUP, UNSUBSCRIBE, SUBSCRIBE, PING, SHUTDOWN). */
export function encodeOk(requestType: number, corr: number): Buffer {
  return new FrameWriter(responseType(requestType), corr, 16).finish();
}

// ------------------------------------------------------------------------------------------------ ERROR

export interface ErrorBody {
  code: ErrorCode;
  /** The wire number (kept so a newer broker's unknown codes are still visible). */
  number: number;
  message: string;
}

export function encodeError(corr: number, code: ErrorCode, message: string): Buffer {
  // Messages are bounded so an error frame can never exceed a string's u16 length.
  const msg = Buffer.byteLength(message) > 1000 ? message.slice(0, 1000) : message;
  return new FrameWriter(FrameType.ERROR, corr).u16(NATIVE_ERROR_CODE[code]).str(code).str(msg).finish();
}

export function decodeError(r: BodyReader): ErrorBody {
  const number = r.u16();
  r.str(); // the code name, for humans reading captures; the number is authoritative
  const message = r.str();
  return { code: errorCodeName(number), number, message };
}

// ------------------------------------------------------------------------------------------------ AUTHENTICATE

export function encodeAuthenticateResponse(corr: number, username: string): Buffer {
  return new FrameWriter(responseType(FrameType.AUTHENTICATE), corr).str(username).finish();
}

export function decodeAuthenticateResponse(r: BodyReader): string {
  return r.str();
}

// ------------------------------------------------------------------------------------------------ PRODUCE

export interface BatchAck {
  partition: number;
  baseOffset: number;
  count: number;
}

export function encodeProduceResponse(corr: number, batches: readonly ProducedBatch[] | readonly BatchAck[]): Buffer {
  const w = new FrameWriter(responseType(FrameType.PRODUCE), corr, 16 + batches.length * 16).u32(batches.length);
  for (const b of batches) w.u32(b.partition).i64(b.baseOffset).u32(b.count);
  return w.finish();
}

export function decodeProduceResponse(r: BodyReader): BatchAck[] {
  const n = r.count(NATIVE_LIMITS.produceRecordsMax, 16);
  const out: BatchAck[] = [];
  for (let i = 0; i < n; i++) out.push({ partition: r.u32(), baseOffset: r.i64(), count: r.u32() });
  return out;
}

// ------------------------------------------------------------------------------------------------ FETCH / RECORDS_PUSH

export interface RecordSet {
  partition: number;
  /** The partition's end offset (next offset to be written) when the answer was built. */
  highWatermark: number;
  records: FetchedRecord[];
}

function recordsHint(records: readonly FetchedRecord[]): number {
  let n = 32;
  for (const r of records) n += fetchedRecordBytes(r);
  return n;
}

export function encodeFetchResponse(corr: number, set: RecordSet): Buffer {
  const w = new FrameWriter(responseType(FrameType.FETCH), corr, recordsHint(set.records));
  w.u32(set.partition).i64(set.highWatermark).u32(set.records.length);
  for (const rec of set.records) writeFetchedRecord(w, rec);
  return w.finish();
}

/**
 * encodeFetchResponse from the records as the store returned them: a record without headers (none stored, or an
 * empty native header table) is written from its stored fields directly, one with headers through
 * decodeFetchedRecord (the native view of native and message headers), so the bytes are the same as
 * encodeFetchResponse(decodeFetchedRecords(stored)) without a second object per record on the fetch path.
 */
export function encodeStoredFetchResponse(corr: number, partition: number, highWatermark: number, stored: readonly StoredRecord[]): Buffer {
  let hint = 32;
  for (const r of stored) hint += 28 + (r.key?.length ?? 0) + r.value.length + (r.headers === null ? 0 : 64 + r.headers.length);
  const w = new FrameWriter(responseType(FrameType.FETCH), corr, hint);
  w.u32(partition).i64(highWatermark).u32(stored.length);
  for (const rec of stored) {
    if (storedRecordHasNoHeaders(rec.headers)) writeHeaderlessRecord(w, rec.offset, rec.timestamp, rec.key, rec.value);
    else writeFetchedRecord(w, decodeFetchedRecord(rec));
  }
  return w.finish();
}


export function decodeRecordSet(r: BodyReader): RecordSet {
  const partition = r.u32();
  const highWatermark = r.i64();
  const n = r.count(NATIVE_LIMITS.fetchRecordsMax * 10, 28);
  const records: FetchedRecord[] = new Array<FetchedRecord>(n);
  for (let i = 0; i < n; i++) records[i] = readFetchedRecord(r);
  return { partition, highWatermark, records };
}

export interface TopicRecordSet {
  partition: number;
  highWatermark: number;
  records: TopicRecord[];
}

/** decodeRecordSet whose records carry `topic` and their partition (the SDK consumer's fetch answers). */
export function topicRecordSetDecoder(topic: string): (r: BodyReader) => TopicRecordSet {
  return (r) => {
    const partition = r.u32();
    const highWatermark = r.i64();
    const n = r.count(NATIVE_LIMITS.fetchRecordsMax * 10, 28);
    return { partition, highWatermark, records: readTopicRecords(r, topic, partition, n) };
  };
}

function readTopicRecords(r: BodyReader, topic: string, partition: number, n: number): TopicRecord[] {
  const records: TopicRecord[] = new Array<TopicRecord>(n);
  for (let i = 0; i < n; i++) records[i] = readTopicRecord(r, topic, partition);
  return records;
}

/**
 * A fetch answer for the SDK consumer's buffer whose records are built one at a time, when the application takes
 * them (`next()`), instead of all at once when the answer arrives. A record buffered tens of thousands deep
 * survived one or two scavenges before the application saw it: at 100 B the consumer spent a third of its busy
 * time in the garbage collector. Built on demand, a record dies young.
 *
 * The whole body is checked when the answer arrives (every length in bounds, offsets and timestamps safe
 * integers), so `next()` cannot fail later. An answer that anything in that check does not cover (a record with
 * headers, whose values have their own validation; a malformed body) is decoded at once by the eager decoder,
 * which also raises the same errors as before.
 */
export class TopicRecordCursor {
  private taken = 0;
  private pos: number;

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly highWatermark: number,
    /** Records in the answer. */
    readonly count: number,
    /** Offset of the last record; -1 when there is none. */
    readonly lastOffset: number,
    private readonly body: Buffer,
    start: number,
    /** Set when the answer was decoded at once (see the class comment). */
    private readonly decoded: TopicRecord[] | null,
  ) {
    this.pos = start;
  }

  /** Records not taken yet. */
  get remaining(): number {
    return this.count - this.taken;
  }

  /** The next record; only while `remaining > 0`. */
  next(): TopicRecord {
    const d = this.decoded;
    if (d !== null) return d[this.taken++];
    const b = this.body;
    let p = this.pos;
    const offset = i32At(b, p) * 0x1_0000_0000 + u32At(b, p + 4);
    const timestamp = i32At(b, p + 8) * 0x1_0000_0000 + u32At(b, p + 12);
    p += 16;
    const keyLength = i32At(b, p);
    p += 4;
    let key: Buffer | null = null;
    if (keyLength >= 0) {
      key = b.subarray(p, p + keyLength);
      p += keyLength;
    }
    const valueLength = i32At(b, p);
    p += 4;
    let value: Buffer;
    if (valueLength >= 0) {
      value = b.subarray(p, p + valueLength);
      p += valueLength;
    } else {
      value = Buffer.alloc(0);
    }
    // Header count, -1 (checked on arrival).
    this.pos = p + 4;
    this.taken++;
    // Same property order as readTopicRecord: one hidden class for every record the consumer hands out.
    return { topic: this.topic, partition: this.partition, offset, timestamp, key, value, headers: null };
  }
}

function i32At(b: Buffer, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
}

function u32At(b: Buffer, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** Bytes of a record without key, value and headers: i64 offset, i64 timestamp, three i32 lengths / counts. */
const RECORD_FIXED_BYTES = 28;

/**
 * Walks `n` records from `start` without building any: the offset of the last one, or null when the body holds
 * anything the lazy path does not handle (headers, a bound or value the eager decoder would reject).
 */
function scanHeaderlessRecords(b: Buffer, start: number, n: number): number | null {
  let p = start;
  let last = -1;
  const end = b.length;
  for (let i = 0; i < n; i++) {
    if (p + RECORD_FIXED_BYTES > end) return null;
    const offset = i32At(b, p) * 0x1_0000_0000 + u32At(b, p + 4);
    const timestamp = i32At(b, p + 8) * 0x1_0000_0000 + u32At(b, p + 12);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(timestamp)) return null;
    p += 16;
    const keyLength = i32At(b, p);
    p += 4;
    if (keyLength < -1) return null;
    if (keyLength > 0) p += keyLength;
    if (p + 4 > end) return null;
    const valueLength = i32At(b, p);
    p += 4;
    if (valueLength < -1) return null;
    if (valueLength > 0) p += valueLength;
    if (p + 4 > end) return null;
    if (i32At(b, p) !== -1) return null;
    p += 4;
    last = offset;
  }
  return last;
}

/** topicRecordSetDecoder for the consumer's buffer: a TopicRecordCursor (records built when taken). */
export function topicRecordCursorDecoder(topic: string): (r: BodyReader) => TopicRecordCursor {
  return (r) => {
    const partition = r.u32();
    const highWatermark = r.i64();
    const n = r.count(NATIVE_LIMITS.fetchRecordsMax * 10, 28);
    const body = r.rest();
    const last = scanHeaderlessRecords(body, 0, n);
    if (last !== null) return new TopicRecordCursor(topic, partition, highWatermark, n, last, body, 0, null);
    const records = readTopicRecords(new BodyReader(body), topic, partition, n);
    return new TopicRecordCursor(topic, partition, highWatermark, n, n === 0 ? -1 : records[n - 1].offset, body, 0, records);
  };
}

export interface PushBody extends RecordSet {
  subscriptionId: number;
}

export function encodePush(subscriptionId: number, set: RecordSet): Buffer {
  const w = new FrameWriter(FrameType.RECORDS_PUSH, 0, recordsHint(set.records) + 4);
  w.u32(subscriptionId).u32(set.partition).i64(set.highWatermark).u32(set.records.length);
  for (const rec of set.records) writeFetchedRecord(w, rec);
  return w.finish();
}

export function decodePush(r: BodyReader): PushBody {
  const subscriptionId = r.u32();
  return { subscriptionId, ...decodeRecordSet(r) };
}

export interface SubscriptionEndBody {
  subscriptionId: number;
  code: ErrorCode;
  message: string;
}

export function encodeSubscriptionEnd(subscriptionId: number, code: ErrorCode, message: string): Buffer {
  return new FrameWriter(FrameType.SUBSCRIPTION_END, 0).u32(subscriptionId).u16(NATIVE_ERROR_CODE[code]).str(message.slice(0, 1000)).finish();
}

export function decodeSubscriptionEnd(r: BodyReader): SubscriptionEndBody {
  return { subscriptionId: r.u32(), code: errorCodeName(r.u16()), message: r.str() };
}

// ------------------------------------------------------------------------------------------------ offsets

export function encodeOffsetsResponse(requestType: number, corr: number, offsets: readonly CommittedOffset[]): Buffer {
  const w = new FrameWriter(responseType(requestType), corr);
  writeOffsets(w, offsets);
  return w.finish();
}

export function decodeOffsetsResponse(r: BodyReader): CommittedOffset[] {
  return readOffsets(r);
}

export function encodeOffsetResponse(corr: number, offset: number): Buffer {
  return new FrameWriter(responseType(FrameType.OFFSET_FOR_TIMESTAMP), corr, 24).i64(offset).finish();
}

export function decodeOffsetResponse(r: BodyReader): number {
  return r.i64();
}

// ------------------------------------------------------------------------------------------------ groups

export function encodeJoinResponse(corr: number, res: JoinResult): Buffer {
  const w = new FrameWriter(responseType(FrameType.JOIN_GROUP), corr).str(res.memberId).u32(res.generation);
  writeAssignment(w, res.assignment);
  return w.finish();
}

export function decodeJoinResponse(r: BodyReader): JoinResult {
  return { memberId: r.str(), generation: r.u32(), assignment: readAssignment(r) };
}

export function encodeHeartbeatResponse(corr: number, rebalanceRequired: boolean): Buffer {
  return new FrameWriter(responseType(FrameType.HEARTBEAT), corr, 16).u8(rebalanceRequired ? 1 : 0).finish();
}

export function decodeHeartbeatResponse(r: BodyReader): boolean {
  return r.u8() !== 0;
}

export function encodeNamesResponse(requestType: number, corr: number, names: readonly string[]): Buffer {
  const w = new FrameWriter(responseType(requestType), corr).u32(names.length);
  for (const n of names) w.str(n);
  return w.finish();
}

export function decodeNamesResponse(r: BodyReader): string[] {
  const n = r.count(10_000_000, 2);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.str());
  return out;
}

export function encodeGroupResponse(corr: number, g: GroupInfo): Buffer {
  const w = new FrameWriter(responseType(FrameType.DESCRIBE_GROUP), corr);
  writeGroupInfo(w, g);
  return w.finish();
}

export function decodeGroupResponse(r: BodyReader): GroupInfo {
  return readGroupInfo(r);
}

// ------------------------------------------------------------------------------------------------ topics

export function encodeTopicsResponse(corr: number, topics: readonly TopicInfo[]): Buffer {
  const w = new FrameWriter(responseType(FrameType.LIST_TOPICS), corr).u32(topics.length);
  for (const t of topics) writeTopicInfo(w, t);
  return w.finish();
}

export function decodeTopicsResponse(r: BodyReader): TopicInfo[] {
  const n = r.count(10_000_000, 30);
  const out: TopicInfo[] = [];
  for (let i = 0; i < n; i++) out.push(readTopicInfo(r));
  return out;
}

export function encodeTopicResponse(corr: number, t: TopicInfo): Buffer {
  const w = new FrameWriter(responseType(FrameType.DESCRIBE_TOPIC), corr);
  writeTopicInfo(w, t);
  return w.finish();
}

export function decodeTopicResponse(r: BodyReader): TopicInfo {
  return readTopicInfo(r);
}

// ------------------------------------------------------------------------------------------------ STATUS

/** STATUS answers a UTF-8 JSON document (u32 length + bytes): its shape evolves with the broker. */
export function encodeStatusResponse(corr: number, status: unknown): Buffer {
  return new FrameWriter(responseType(FrameType.STATUS), corr).longStr(JSON.stringify(status)).finish();
}

export function decodeStatusResponse(r: BodyReader): unknown {
  return JSON.parse(r.longStr()) as unknown;
}
