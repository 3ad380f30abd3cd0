/**
 * Response and push bodies: encoder (server) and decoder (SDK) side by side. A response's type is the request's
 * type | 0x80 and carries the request's correlation id.
 */
import type { ErrorCode } from '../../../src/core/errors';
import type { CommittedOffset, FetchedRecord, GroupInfo, JoinResult, ProducedBatch, TopicInfo } from '../../../src/core/types';
import { FrameType, NATIVE_LIMITS, responseType } from '../constants';
import { NATIVE_ERROR_CODE, errorCodeName } from '../error-codes';
import type { BodyReader } from './reader';
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
    const records: TopicRecord[] = new Array<TopicRecord>(n);
    for (let i = 0; i < n; i++) records[i] = readTopicRecord(r, topic, partition);
    return { partition, highWatermark, records };
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
