/**
 * Queue arguments (x-*) as RabbitMQ checks them at queue.declare, and their parsed form for ClassicQueue.
 * Error texts follow rabbit_amqqueue's declare_args checks: "invalid arg 'x-max-length' for queue 'q' in vhost
 * '/': {value_negative,-1}" (the AMQP adapter prefixes "PRECONDITION_FAILED - ").
 */
import { BrokerError } from '../errors';
import type { HeaderTable, HeaderValue, TypedHeaderValue } from '../message';

export type OverflowMode = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

/** Highest x-max-priority RabbitMQ accepts (?MAX_SUPPORTED_PRIORITY). */
export const QUEUE_PRIORITY_MAX = 255;
/** Largest TTL / x-expires in ms RabbitMQ accepts (?MAX_EXPIRY_TIMER, 2^32-1). */
export const QUEUE_EXPIRY_MAX_MS = 4_294_967_295;

export interface QueueArguments {
  messageTtlMs: number | null;
  expiresMs: number | null;
  maxLength: number | null;
  maxLengthBytes: number | null;
  overflow: OverflowMode;
  deadLetterExchange: string | null;
  deadLetterRoutingKey: string | null;
  /** 0 = not a priority queue. */
  maxPriority: number;
  singleActiveConsumer: boolean;
}

/** AMQP field types RabbitMQ accepts where it wants an integer. */
const INTEGER_TYPES = new Set(['b', 'B', 's', 'u', 'I', 'i', 'l', 'L']);

function isTyped(v: HeaderValue): v is TypedHeaderValue {
  return v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && 'amqpType' in v;
}

/** The AMQP type name RabbitMQ prints in {unacceptable_type,...}. */
function typeName(v: HeaderValue): string {
  if (isTyped(v)) return v.amqpType;
  if (typeof v === 'string' || Buffer.isBuffer(v)) return 'longstr';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (v === null) return 'void';
  if (Array.isArray(v)) return 'array';
  return 'table';
}

/** Integer value of an AMQP integer field, or null when it is not one. */
function intValue(v: HeaderValue): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (isTyped(v) && INTEGER_TYPES.has(v.amqpType)) {
    const inner = v.value;
    if (typeof inner === 'number' && Number.isInteger(inner)) return inner;
    if (typeof inner === 'bigint') return Number(inner);
  }
  return null;
}

/** String value of a longstr/shortstr field (Buffers are longstr bytes), or null. */
export function stringValue(v: HeaderValue | undefined): string | null {
  if (v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (isTyped(v) && (v.amqpType === 'S' || v.amqpType === 's' || v.amqpType === 'x')) {
    const inner = v.value;
    if (typeof inner === 'string') return inner;
    if (Buffer.isBuffer(inner)) return inner.toString('utf8');
  }
  return null;
}

function boolValue(v: HeaderValue): boolean | null {
  if (typeof v === 'boolean') return v;
  if (isTyped(v) && v.amqpType === 't' && typeof v.value === 'boolean') return v.value;
  return null;
}

type Check = (v: HeaderValue, args: HeaderTable) => string | null;

function intCheck(min: 'non-negative' | 'positive', max: number | null): Check {
  return (v) => {
    const n = intValue(v);
    if (n === null) return `{unacceptable_type,${typeName(v)}}`;
    if (n < 0) return `{value_negative,${n}}`;
    if (n === 0 && min === 'positive') return `{value_zero,0}`;
    if (max !== null && n > max) return `{value_too_large,${n},${max}}`;
    return null;
  };
}

const stringCheck: Check = (v) => (stringValue(v) === null ? `{unacceptable_type,${typeName(v)}}` : null);

const CHECKS: Record<string, Check> = {
  'x-message-ttl': intCheck('non-negative', QUEUE_EXPIRY_MAX_MS),
  'x-expires': intCheck('positive', QUEUE_EXPIRY_MAX_MS),
  'x-max-length': intCheck('non-negative', null),
  'x-max-length-bytes': intCheck('non-negative', null),
  'x-max-priority': (v) => {
    const n = intValue(v);
    if (n === null) return `{unacceptable_type,${typeName(v)}}`;
    if (n < 0) return `{value_negative,${n}}`;
    if (n > QUEUE_PRIORITY_MAX) return `{max_value_exceeded,${n}}`;
    return null;
  },
  'x-overflow': (v) => {
    const s = stringValue(v);
    if (s === null) return `{unacceptable_type,${typeName(v)}}`;
    return s === 'drop-head' || s === 'reject-publish' || s === 'reject-publish-dlx'
      ? null
      : `{invalid_overflow,<<"${s}">>}`;
  },
  'x-dead-letter-exchange': stringCheck,
  'x-dead-letter-routing-key': (v, args) => {
    if (stringValue(v) === null) return `{unacceptable_type,${typeName(v)}}`;
    return args['x-dead-letter-exchange'] === undefined
      ? 'Key x-dead-letter-routing-key should be specified together with x-dead-letter-exchange'
      : null;
  },
  'x-single-active-consumer': (v) => (boolValue(v) === null ? `{unacceptable_type,${typeName(v)}}` : null),
  'x-queue-type': (v) => {
    const s = stringValue(v);
    if (s === null) return `{unacceptable_type,${typeName(v)}}`;
    return s === 'classic' || s === 'quorum' || s === 'stream' ? null : `{unsupported_queue_type,<<"${s}">>}`;
  },
};

/**
 * Throws BrokerError('PRECONDITION_FAILED') like RabbitMQ for a bad known argument; unknown x-* arguments are
 * accepted and ignored (as RabbitMQ does).
 */
export function validateQueueArguments(args: HeaderTable, queueName = '', vhost = '/'): void {
  for (const [key, value] of Object.entries(args)) {
    const check = CHECKS[key];
    if (check === undefined) continue;
    const problem = check(value, args);
    if (problem !== null) {
      throw new BrokerError(
        'PRECONDITION_FAILED',
        `invalid arg '${key}' for queue '${queueName}' in vhost '${vhost}': ${problem}`,
      );
    }
  }
}

/** Parses validated arguments; invalid values fall back to defaults (validate first to reject them). */
export function parseQueueArguments(args: HeaderTable): QueueArguments {
  const int = (k: string): number | null => {
    const v = args[k];
    if (v === undefined) return null;
    const n = intValue(v);
    return n === null || n < 0 ? null : n;
  };
  const overflow = stringValue(args['x-overflow']);
  const sac = args['x-single-active-consumer'];
  const expires = int('x-expires');
  return {
    messageTtlMs: int('x-message-ttl'),
    expiresMs: expires === 0 ? null : expires,
    maxLength: int('x-max-length'),
    maxLengthBytes: int('x-max-length-bytes'),
    overflow: overflow === 'reject-publish' || overflow === 'reject-publish-dlx' ? overflow : 'drop-head',
    deadLetterExchange: stringValue(args['x-dead-letter-exchange']),
    deadLetterRoutingKey: stringValue(args['x-dead-letter-routing-key']),
    maxPriority: Math.min(int('x-max-priority') ?? 0, QUEUE_PRIORITY_MAX),
    singleActiveConsumer: sac !== undefined && boolValue(sac) === true,
  };
}
