/**
 * Native protocol constants: frame layout, frame types and protocol limits. The byte-level description of every
 * frame lives in docs-draft/native.md; keep the two in step.
 *
 *   frame := u32 length | u8 version | u8 type | u32 correlationId | body
 *   length counts every byte after the length field (so length >= FRAME_HEADER_BYTES).
 */

export const PROTOCOL_VERSION = 1;

/** version (1) + type (1) + correlation id (4). */
export const FRAME_HEADER_BYTES = 6;
/** The u32 length prefix. */
export const LENGTH_PREFIX_BYTES = 4;

/** Requests a client may send. The response to request T has type T | RESPONSE_FLAG. */
export const FrameType = {
  AUTHENTICATE: 0x01,
  PRODUCE: 0x02,
  FETCH: 0x03,
  SUBSCRIBE: 0x04,
  CREDIT: 0x05,
  UNSUBSCRIBE: 0x06,
  COMMIT_OFFSETS: 0x07,
  FETCH_OFFSETS: 0x08,
  JOIN_GROUP: 0x09,
  HEARTBEAT: 0x0a,
  LEAVE_GROUP: 0x0b,
  CREATE_TOPIC: 0x0c,
  DELETE_TOPIC: 0x0d,
  LIST_TOPICS: 0x0e,
  DESCRIBE_TOPIC: 0x0f,
  LIST_GROUPS: 0x10,
  DESCRIBE_GROUP: 0x11,
  RESET_OFFSETS: 0x12,
  STATUS: 0x13,
  SHUTDOWN: 0x14,
  OFFSET_FOR_TIMESTAMP: 0x15,
  PING: 0x16,
  /** Server push: records for a subscription (correlation id 0). */
  RECORDS_PUSH: 0x40,
  /** Server push: a subscription ended (topic deleted, error); correlation id 0. */
  SUBSCRIPTION_END: 0x41,
  /** Error answer to a request (same correlation id), or a connection-level error (correlation id 0). */
  ERROR: 0xff,
} as const;

export type FrameTypeName = keyof typeof FrameType;

export const RESPONSE_FLAG = 0x80;

export function responseType(requestType: number): number {
  return requestType | RESPONSE_FLAG;
}

/** Produce acknowledgement levels. */
export const Acks = {
  /** No response at all on success (an error frame still reports a failure). */
  NONE: 0,
  /** Answer once the records are appended (offsets assigned), before they are fsynced. */
  LEADER: 1,
  /** Answer once the batch is durable (ProducedBatch.durable resolved). */
  DURABLE: 2,
} as const;

export type AckLevel = (typeof Acks)[keyof typeof Acks];

/** Offset-reset kinds on the wire. */
export const ResetKind = { EARLIEST: 0, LATEST: 1, OFFSET: 2, TIMESTAMP: 3 } as const;

/** Protocol-level limits (units last). Frame size comes from ctx.limits.nativeFrameMaxBytes. */
export const NATIVE_LIMITS = {
  /** Longest a FETCH may long-poll. */
  fetchWaitMaxMs: 30_000,
  /** Records in one FETCH answer or one push frame. */
  fetchRecordsMax: 10_000,
  /** Record bytes in one push frame, so backpressure is checked at least every this many bytes. */
  pushBytesMax: 1024 * 1024,
  /** Records in one PRODUCE request. */
  produceRecordsMax: 100_000,
  /** Subscriptions one connection may hold. */
  subscriptionsPerConnectionMax: 10_000,
  /** Requests in flight on one connection (beyond this, reading pauses until answers go out). */
  inflightRequestsMax: 1_024,
  /** Time a new connection has to authenticate before it is closed. */
  authTimeoutMs: 10_000,
  /** Header entries per record. */
  headersPerRecordMax: 1_024,
  /** Topics in one JOIN_GROUP. */
  topicsPerJoinMax: 1_024,
} as const;
