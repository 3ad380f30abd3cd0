/**
 * Arguments of AMQP streams (rabbitmq.com/docs/streams): the queue's retention arguments and the consumer's
 * x-stream-offset. Bad values are PRECONDITION_FAILED, as RabbitMQ answers them.
 */
import type { RetentionPolicy } from '../../../storage/types';
import { BrokerError } from '../errors';
import type { HeaderTable, HeaderValue } from '../message';

const SECOND_MS = 1000;
const DAY_MS = 86_400 * SECOND_MS;
/** RabbitMQ's x-max-age units: Y(ears), M(onths), D(ays), h(ours), m(inutes), s(econds). */
const UNIT_MS: Record<string, number> = {
  Y: 365 * DAY_MS,
  M: 30 * DAY_MS,
  D: DAY_MS,
  h: 3600 * SECOND_MS,
  m: 60 * SECOND_MS,
  s: SECOND_MS,
};
const INTERVAL = /^(\d+)([YMDhms])$/;

/** Where a stream consumer starts. */
export type StreamStart =
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'next' }
  | { kind: 'offset'; offset: number }
  | { kind: 'timestamp'; timestampMs: number }
  | { kind: 'interval'; ageMs: number };

/** "7D", "1h", "30m" → milliseconds; null when the text is not an interval. */
export function parseInterval(text: string): number | null {
  const m = INTERVAL.exec(text);
  if (m === null) return null;
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** A number however AMQP typed it (short, long, bigint, typed wrapper); null otherwise. */
export function numericArg(v: HeaderValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && 'amqpType' in v) {
    const inner = v.value;
    if (typeof inner === 'number') return inner;
    if (typeof inner === 'bigint') return Number(inner);
  }
  return null;
}

function typedTag(v: HeaderValue | undefined): string | null {
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && 'amqpType' in v) {
    return typeof v.amqpType === 'string' ? v.amqpType : null;
  }
  return null;
}

/** x-stream-offset: first | last | next (default) | offset | timestamp ('T', seconds) | interval ("1h"). */
export function parseStreamOffset(v: HeaderValue | undefined): StreamStart {
  if (v === undefined || v === null) return { kind: 'next' };
  if (typeof v === 'string') {
    if (v === 'first' || v === 'last' || v === 'next') return { kind: v };
    const ageMs = parseInterval(v);
    if (ageMs !== null) return { kind: 'interval', ageMs };
    throw new BrokerError('PRECONDITION_FAILED', `invalid x-stream-offset "${v}"`);
  }
  const n = numericArg(v);
  if (n === null || !Number.isFinite(n) || n < 0) {
    throw new BrokerError(
      'PRECONDITION_FAILED',
      'invalid x-stream-offset: expected first|last|next, an offset, a timestamp or an interval',
    );
  }
  if (typedTag(v) === 'T') return { kind: 'timestamp', timestampMs: n * SECOND_MS };
  if (!Number.isSafeInteger(n)) throw new BrokerError('PRECONDITION_FAILED', 'x-stream-offset must be an integer offset');
  return { kind: 'offset', offset: n };
}

/** x-max-age and x-max-length-bytes → the stream's retention policy. */
export function retentionFromArguments(args: HeaderTable): RetentionPolicy {
  const policy: RetentionPolicy = {};
  const age = args['x-max-age'];
  if (age !== undefined) {
    const ms = typeof age === 'string' ? parseInterval(age) : null;
    if (ms === null) throw new BrokerError('PRECONDITION_FAILED', 'invalid x-max-age: expected e.g. 7D, 12h, 30m');
    policy.maxAgeMs = ms;
  }
  const bytes = args['x-max-length-bytes'];
  if (bytes !== undefined) {
    const n = numericArg(bytes);
    if (n === null || !Number.isSafeInteger(n) || n < 0) {
      throw new BrokerError('PRECONDITION_FAILED', 'invalid x-max-length-bytes: expected a non-negative integer');
    }
    policy.maxBytes = n;
  }
  return policy;
}
