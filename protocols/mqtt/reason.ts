/**
 * MQTT reason codes (v5 §2.4) and v3.1.1 CONNACK return codes, and the one mapping from BrokerError codes.
 */
import type { ErrorCode } from '../../src/core/errors';

export const RC = {
  SUCCESS: 0x00,
  NO_MATCHING_SUBSCRIBERS: 0x10,
  NO_SUBSCRIPTION_EXISTED: 0x11,
  DISCONNECT_WITH_WILL: 0x04,
  UNSPECIFIED_ERROR: 0x80,
  MALFORMED_PACKET: 0x81,
  PROTOCOL_ERROR: 0x82,
  IMPLEMENTATION_SPECIFIC: 0x83,
  UNSUPPORTED_PROTOCOL_VERSION: 0x84,
  CLIENT_ID_NOT_VALID: 0x85,
  BAD_USERNAME_OR_PASSWORD: 0x86,
  NOT_AUTHORIZED: 0x87,
  SERVER_UNAVAILABLE: 0x88,
  SERVER_BUSY: 0x89,
  SERVER_SHUTTING_DOWN: 0x8b,
  BAD_AUTHENTICATION_METHOD: 0x8c,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  SESSION_TAKEN_OVER: 0x8e,
  TOPIC_FILTER_INVALID: 0x8f,
  TOPIC_NAME_INVALID: 0x90,
  PACKET_ID_IN_USE: 0x91,
  PACKET_ID_NOT_FOUND: 0x92,
  RECEIVE_MAXIMUM_EXCEEDED: 0x93,
  TOPIC_ALIAS_INVALID: 0x94,
  PACKET_TOO_LARGE: 0x95,
  QUOTA_EXCEEDED: 0x97,
  PAYLOAD_FORMAT_INVALID: 0x99,
  QOS_NOT_SUPPORTED: 0x9b,
  SHARED_SUBSCRIPTIONS_NOT_SUPPORTED: 0x9e,
  SUBSCRIPTION_IDS_NOT_SUPPORTED: 0xa1,
  WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED: 0xa2,
} as const;

/** v3.1.1 CONNACK return codes [MQTT-3.2.2-3 .. -5]. */
export const V3_CONNACK = {
  ACCEPTED: 0,
  UNACCEPTABLE_PROTOCOL_VERSION: 1,
  IDENTIFIER_REJECTED: 2,
  SERVER_UNAVAILABLE: 3,
  BAD_USERNAME_OR_PASSWORD: 4,
  NOT_AUTHORIZED: 5,
} as const;

/** v5 CONNACK reason → v3.1.1 return code. */
export function v3ConnackCode(v5: number): number {
  switch (v5) {
    case RC.SUCCESS:
      return V3_CONNACK.ACCEPTED;
    case RC.UNSUPPORTED_PROTOCOL_VERSION:
      return V3_CONNACK.UNACCEPTABLE_PROTOCOL_VERSION;
    case RC.CLIENT_ID_NOT_VALID:
      return V3_CONNACK.IDENTIFIER_REJECTED;
    case RC.BAD_USERNAME_OR_PASSWORD:
      return V3_CONNACK.BAD_USERNAME_OR_PASSWORD;
    case RC.NOT_AUTHORIZED:
    case RC.BAD_AUTHENTICATION_METHOD:
      return V3_CONNACK.NOT_AUTHORIZED;
    default:
      return V3_CONNACK.SERVER_UNAVAILABLE;
  }
}

/** The one place BrokerError codes become MQTT v5 reason codes. */
export function reasonForError(code: ErrorCode | undefined): number {
  switch (code) {
    case 'ACCESS_REFUSED':
      return RC.NOT_AUTHORIZED;
    case 'MESSAGE_TOO_LARGE':
      return RC.PACKET_TOO_LARGE;
    case 'LIMIT_EXCEEDED':
    case 'STORAGE_FULL':
    case 'RESOURCE_ERROR':
      return RC.QUOTA_EXCEEDED;
    case 'BROKER_STOPPING':
    case 'CONNECTION_FORCED':
      return RC.SERVER_SHUTTING_DOWN;
    case 'FRAME_ERROR':
    case 'SYNTAX_ERROR':
      return RC.MALFORMED_PACKET;
    case 'COMMAND_INVALID':
    case 'UNEXPECTED_FRAME':
      return RC.PROTOCOL_ERROR;
    case 'TIMEOUT':
      return RC.SERVER_BUSY;
    default:
      return RC.UNSPECIFIED_ERROR;
  }
}

/** Reason codes a PUBACK / PUBREC may carry (v5 §3.4.2.1, §3.5.2.1); anything else becomes 0x80. */
const PUBACK_REASONS = new Set<number>([
  RC.SUCCESS,
  RC.NO_MATCHING_SUBSCRIBERS,
  RC.UNSPECIFIED_ERROR,
  RC.IMPLEMENTATION_SPECIFIC,
  RC.NOT_AUTHORIZED,
  RC.TOPIC_NAME_INVALID,
  RC.PACKET_ID_IN_USE,
  RC.QUOTA_EXCEEDED,
  RC.PAYLOAD_FORMAT_INVALID,
]);

export function pubackReason(rc: number): number {
  return PUBACK_REASONS.has(rc) ? rc : RC.UNSPECIFIED_ERROR;
}

/** Longest Reason String we send (characters); longer details are cut. */
export const MQTT_REASON_STRING_MAX_CHARS = 256;

/** Human-readable text per error reason code (v5 §2.4), the body of a Reason String (v5 §3.4.2.2.2 …). */
const REASON_TEXT: ReadonlyMap<number, string> = new Map<number, string>([
  [RC.UNSPECIFIED_ERROR, 'unspecified error'],
  [RC.MALFORMED_PACKET, 'malformed packet'],
  [RC.PROTOCOL_ERROR, 'protocol error'],
  [RC.IMPLEMENTATION_SPECIFIC, 'implementation specific error'],
  [RC.UNSUPPORTED_PROTOCOL_VERSION, 'unsupported protocol version'],
  [RC.CLIENT_ID_NOT_VALID, 'client identifier not valid'],
  [RC.BAD_USERNAME_OR_PASSWORD, 'bad user name or password'],
  [RC.NOT_AUTHORIZED, 'not authorized'],
  [RC.SERVER_UNAVAILABLE, 'server unavailable'],
  [RC.SERVER_BUSY, 'server busy'],
  [RC.SERVER_SHUTTING_DOWN, 'server shutting down'],
  [RC.BAD_AUTHENTICATION_METHOD, 'authentication method not supported'],
  [RC.KEEP_ALIVE_TIMEOUT, 'keep alive timeout'],
  [RC.SESSION_TAKEN_OVER, 'session taken over by another connection with the same client identifier'],
  [RC.TOPIC_FILTER_INVALID, 'topic filter invalid'],
  [RC.TOPIC_NAME_INVALID, 'topic name invalid'],
  [RC.PACKET_ID_IN_USE, 'packet identifier in use'],
  [RC.PACKET_ID_NOT_FOUND, 'packet identifier not found'],
  [RC.RECEIVE_MAXIMUM_EXCEEDED, 'receive maximum exceeded'],
  [RC.TOPIC_ALIAS_INVALID, 'topic alias invalid'],
  [RC.PACKET_TOO_LARGE, 'packet too large'],
  [RC.QUOTA_EXCEEDED, 'quota exceeded'],
  [RC.PAYLOAD_FORMAT_INVALID, 'payload is not UTF-8 although the payload format indicator says so'],
  [RC.QOS_NOT_SUPPORTED, 'QoS not supported'],
  [RC.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, 'shared subscriptions not supported'],
  [RC.SUBSCRIPTION_IDS_NOT_SUPPORTED, 'subscription identifiers not supported'],
  [RC.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED, 'wildcard subscriptions not supported'],
]);

function hex(rc: number): string {
  return `0x${rc.toString(16).padStart(2, '0')}`;
}

/**
 * The Reason String for the error reason codes of one acknowledgement (a SUBACK/UNSUBACK has one per filter),
 * with an optional detail; undefined when none of the codes is an error (< 0x80: no string is sent).
 */
export function reasonText(codes: readonly number[], detail?: string): string | undefined {
  const errors = [...new Set(codes.filter((rc) => rc >= RC.UNSPECIFIED_ERROR))];
  if (errors.length === 0) return undefined;
  const text = errors.map((rc) => `${REASON_TEXT.get(rc) ?? 'error'} (${hex(rc)})`).join(', ');
  const full = detail === undefined || detail === '' ? text : `${text}: ${detail}`;
  return full.length > MQTT_REASON_STRING_MAX_CHARS ? full.slice(0, MQTT_REASON_STRING_MAX_CHARS) : full;
}
