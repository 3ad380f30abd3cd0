/**
 * Request bodies: for each request type an encoder (used by the SDK) and a decoder (used by the server's handler),
 * side by side so the layout is written once. Byte tables: docs-draft/native.md.
 */
import { BrokerError } from '../../../src/core/errors';
import type { Assignor, CommittedOffset, OffsetResetSpec, ProduceRecord, TopicSpec } from '../../../src/core/types';
import { FrameType, NATIVE_LIMITS, ResetKind, type AckLevel } from '../constants';
import { BodyReader } from './reader';
import { readOffsets, readProduceRecord, readRetention, writeOffsets, writeProduceRecord, writeRetention } from './values';
import { FrameWriter } from './writer';

// ------------------------------------------------------------------------------------------------ AUTHENTICATE

export interface AuthenticateRequest {
  mechanism: string;
  /** SASL PLAIN: authzid \0 authcid \0 password. */
  payload: Buffer;
}

export function encodeAuthenticate(corr: number, req: AuthenticateRequest): Buffer {
  return new FrameWriter(FrameType.AUTHENTICATE, corr).str(req.mechanism).bytes(req.payload).finish();
}

export function decodeAuthenticate(r: BodyReader): AuthenticateRequest {
  const mechanism = r.str();
  const payload = r.bytes() ?? Buffer.alloc(0);
  r.end();
  return { mechanism, payload };
}

export function plainPayload(username: string, password: string): Buffer {
  return Buffer.from(`\0${username}\0${password}`, 'utf8');
}

// ------------------------------------------------------------------------------------------------ PRODUCE

export interface ProduceRequest {
  topic: string;
  acks: AckLevel;
  records: ProduceRecord[];
}

export function encodeProduce(corr: number, req: ProduceRequest): Buffer {
  let hint = 64;
  for (const r of req.records) hint += 40 + r.value.length + (r.key?.length ?? 0);
  const w = new FrameWriter(FrameType.PRODUCE, corr, hint).str(req.topic).u8(req.acks).u32(req.records.length);
  for (const r of req.records) writeProduceRecord(w, r);
  return w.finish();
}

export function decodeProduce(r: BodyReader): ProduceRequest {
  const topic = r.str();
  const acks = r.u8();
  if (acks > 2) throw new BrokerError('INVALID_ARGUMENT', `unknown ack level ${acks}`);
  const n = r.count(NATIVE_LIMITS.produceRecordsMax, 24);
  const records: ProduceRecord[] = new Array<ProduceRecord>(n);
  for (let i = 0; i < n; i++) records[i] = readProduceRecord(r);
  r.end();
  return { topic, acks: acks as AckLevel, records };
}

// ------------------------------------------------------------------------------------------------ FETCH

export interface FetchRequest {
  topic: string;
  partition: number;
  offset: number;
  maxRecords: number;
  maxBytes: number;
  maxWaitMs: number;
}

export function encodeFetch(corr: number, req: FetchRequest): Buffer {
  return new FrameWriter(FrameType.FETCH, corr)
    .str(req.topic)
    .u32(req.partition)
    .i64(req.offset)
    .u32(req.maxRecords)
    .u32(req.maxBytes)
    .u32(req.maxWaitMs)
    .finish();
}

export function decodeFetch(r: BodyReader): FetchRequest {
  const req = { topic: r.str(), partition: r.u32(), offset: r.i64(), maxRecords: r.u32(), maxBytes: r.u32(), maxWaitMs: r.u32() };
  r.end();
  return req;
}

// ------------------------------------------------------------------------------------------------ SUBSCRIBE / CREDIT / UNSUBSCRIBE

export interface SubscribeRequest {
  subscriptionId: number;
  topic: string;
  partition: number;
  offset: number;
  creditRecords: number;
  creditBytes: number;
}

export function encodeSubscribe(corr: number, req: SubscribeRequest): Buffer {
  return new FrameWriter(FrameType.SUBSCRIBE, corr)
    .u32(req.subscriptionId)
    .str(req.topic)
    .u32(req.partition)
    .i64(req.offset)
    .u32(req.creditRecords)
    .u32(req.creditBytes)
    .finish();
}

export function decodeSubscribe(r: BodyReader): SubscribeRequest {
  const req = {
    subscriptionId: r.u32(),
    topic: r.str(),
    partition: r.u32(),
    offset: r.i64(),
    creditRecords: r.u32(),
    creditBytes: r.u32(),
  };
  r.end();
  return req;
}

export interface CreditRequest {
  subscriptionId: number;
  records: number;
  bytes: number;
}

export function encodeCredit(corr: number, req: CreditRequest): Buffer {
  return new FrameWriter(FrameType.CREDIT, corr).u32(req.subscriptionId).u32(req.records).u32(req.bytes).finish();
}

export function decodeCredit(r: BodyReader): CreditRequest {
  const req = { subscriptionId: r.u32(), records: r.u32(), bytes: r.u32() };
  r.end();
  return req;
}

export function encodeUnsubscribe(corr: number, subscriptionId: number): Buffer {
  return new FrameWriter(FrameType.UNSUBSCRIBE, corr).u32(subscriptionId).finish();
}

export function decodeUnsubscribe(r: BodyReader): number {
  const id = r.u32();
  r.end();
  return id;
}

// ------------------------------------------------------------------------------------------------ offsets

export interface CommitOffsetsRequest {
  groupId: string;
  /** '' when committing outside group membership. */
  memberId: string;
  /** -1 when committing outside group membership. */
  generation: number;
  offsets: CommittedOffset[];
}

export function encodeCommitOffsets(corr: number, req: CommitOffsetsRequest): Buffer {
  const w = new FrameWriter(FrameType.COMMIT_OFFSETS, corr).str(req.groupId).str(req.memberId).i32(req.generation);
  writeOffsets(w, req.offsets);
  return w.finish();
}

export function decodeCommitOffsets(r: BodyReader): CommitOffsetsRequest {
  const req = { groupId: r.str(), memberId: r.str(), generation: r.i32(), offsets: readOffsets(r) };
  r.end();
  return req;
}

export interface FetchOffsetsRequest {
  groupId: string;
  /** '' = every topic. */
  topic: string;
}

export function encodeFetchOffsets(corr: number, req: FetchOffsetsRequest): Buffer {
  return new FrameWriter(FrameType.FETCH_OFFSETS, corr).str(req.groupId).str(req.topic).finish();
}

export function decodeFetchOffsets(r: BodyReader): FetchOffsetsRequest {
  const req = { groupId: r.str(), topic: r.str() };
  r.end();
  return req;
}

export interface OffsetForTimestampRequest {
  topic: string;
  partition: number;
  timestampMs: number;
}

export function encodeOffsetForTimestamp(corr: number, req: OffsetForTimestampRequest): Buffer {
  return new FrameWriter(FrameType.OFFSET_FOR_TIMESTAMP, corr).str(req.topic).u32(req.partition).i64(req.timestampMs).finish();
}

export function decodeOffsetForTimestamp(r: BodyReader): OffsetForTimestampRequest {
  const req = { topic: r.str(), partition: r.u32(), timestampMs: r.i64() };
  r.end();
  return req;
}

// ------------------------------------------------------------------------------------------------ groups

export interface JoinGroupRequest {
  groupId: string;
  memberId: string;
  clientId: string;
  topics: string[];
  assignor: Assignor;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

export function encodeJoinGroup(corr: number, req: JoinGroupRequest): Buffer {
  const w = new FrameWriter(FrameType.JOIN_GROUP, corr).str(req.groupId).str(req.memberId).str(req.clientId);
  w.u32(req.topics.length);
  for (const t of req.topics) w.str(t);
  return w.str(req.assignor).u32(req.sessionTimeoutMs).u32(req.rebalanceTimeoutMs).finish();
}

function toAssignor(s: string): Assignor {
  if (s === 'range' || s === 'roundrobin' || s === 'cooperative-sticky') return s;
  throw new BrokerError('INVALID_ARGUMENT', `unknown assignor ${s}`);
}

export function decodeJoinGroup(r: BodyReader): JoinGroupRequest {
  const groupId = r.str();
  const memberId = r.str();
  const clientId = r.str();
  const n = r.count(NATIVE_LIMITS.topicsPerJoinMax, 2);
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(r.str());
  const assignor = toAssignor(r.str());
  const req = { groupId, memberId, clientId, topics, assignor, sessionTimeoutMs: r.u32(), rebalanceTimeoutMs: r.u32() };
  r.end();
  return req;
}

export interface HeartbeatRequest {
  groupId: string;
  memberId: string;
  generation: number;
}

export function encodeHeartbeat(corr: number, req: HeartbeatRequest): Buffer {
  return new FrameWriter(FrameType.HEARTBEAT, corr).str(req.groupId).str(req.memberId).u32(req.generation).finish();
}

export function decodeHeartbeat(r: BodyReader): HeartbeatRequest {
  const req = { groupId: r.str(), memberId: r.str(), generation: r.u32() };
  r.end();
  return req;
}

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
}

export function encodeLeaveGroup(corr: number, req: LeaveGroupRequest): Buffer {
  return new FrameWriter(FrameType.LEAVE_GROUP, corr).str(req.groupId).str(req.memberId).finish();
}

export function decodeLeaveGroup(r: BodyReader): LeaveGroupRequest {
  const req = { groupId: r.str(), memberId: r.str() };
  r.end();
  return req;
}

/** One-string requests: DELETE_TOPIC, DESCRIBE_TOPIC, DESCRIBE_GROUP. */
export function encodeName(type: number, corr: number, name: string): Buffer {
  return new FrameWriter(type, corr).str(name).finish();
}

export function decodeName(r: BodyReader): string {
  const name = r.str();
  r.end();
  return name;
}

/** Empty-body requests: LIST_TOPICS, LIST_GROUPS, STATUS, PING. */
export function encodeEmpty(type: number, corr: number): Buffer {
  return new FrameWriter(type, corr, 16).finish();
}

export function decodeEmpty(r: BodyReader): void {
  r.end();
}

export interface ResetOffsetsRequest {
  groupId: string;
  topic: string;
  spec: OffsetResetSpec;
}

export function encodeResetOffsets(corr: number, req: ResetOffsetsRequest): Buffer {
  const w = new FrameWriter(FrameType.RESET_OFFSETS, corr).str(req.groupId).str(req.topic);
  switch (req.spec.to) {
    case 'earliest':
      return w.u8(ResetKind.EARLIEST).i64(0).finish();
    case 'latest':
      return w.u8(ResetKind.LATEST).i64(0).finish();
    case 'offset':
      return w.u8(ResetKind.OFFSET).i64(req.spec.offset).finish();
    case 'timestamp':
      return w.u8(ResetKind.TIMESTAMP).i64(req.spec.timestampMs).finish();
  }
}

export function decodeResetOffsets(r: BodyReader): ResetOffsetsRequest {
  const groupId = r.str();
  const topic = r.str();
  const kind = r.u8();
  const value = r.i64();
  r.end();
  let spec: OffsetResetSpec;
  if (kind === ResetKind.EARLIEST) spec = { to: 'earliest' };
  else if (kind === ResetKind.LATEST) spec = { to: 'latest' };
  else if (kind === ResetKind.OFFSET) spec = { to: 'offset', offset: value };
  else if (kind === ResetKind.TIMESTAMP) spec = { to: 'timestamp', timestampMs: value };
  else throw new BrokerError('INVALID_ARGUMENT', `unknown reset kind ${kind}`);
  return { groupId, topic, spec };
}

// ------------------------------------------------------------------------------------------------ admin

export function encodeCreateTopic(corr: number, spec: TopicSpec): Buffer {
  const w = new FrameWriter(FrameType.CREATE_TOPIC, corr).str(spec.name).u32(spec.partitions);
  writeRetention(w, spec.retention);
  return w.finish();
}

export function decodeCreateTopic(r: BodyReader): TopicSpec {
  const spec = { name: r.str(), partitions: r.u32(), retention: readRetention(r) };
  r.end();
  return spec;
}

export interface ShutdownRequest {
  timeoutMs: number;
  force: boolean;
}

export function encodeShutdown(corr: number, req: ShutdownRequest): Buffer {
  return new FrameWriter(FrameType.SHUTDOWN, corr).u32(req.timeoutMs).u8(req.force ? 1 : 0).finish();
}

export function decodeShutdown(r: BodyReader): ShutdownRequest {
  const req = { timeoutMs: r.u32(), force: r.u8() !== 0 };
  r.end();
  return req;
}
