/**
 * Redeclaring an existing exchange or queue must ask for the same thing, or the channel is closed with
 * PRECONDITION_FAILED "inequivalent arg 'durable' for queue 'q' in vhost '/': received 'false' but current is
 * 'true'" (rabbit_exchange:assert_equivalence, rabbit_amqqueue:assert_equivalence). Only the arguments RabbitMQ
 * compares are compared; numbers compare by value whatever their AMQP integer type.
 */
import { BrokerError } from './errors';
import type { HeaderTable, HeaderValue } from './message';
import { describeHeaderValue, headerValuesEqual } from './router/header-values';
import type { ExchangeSpec, QueueSpec } from './types';

/** Exchange arguments compared on redeclare (rabbit_exchange:assert_args_equivalence). */
const EXCHANGE_EQUIVALENCE_ARGS = ['alternate-exchange'];

/** Queue arguments compared on redeclare (rabbit_amqqueue declare_args, all queue types). */
const QUEUE_EQUIVALENCE_ARGS = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-queue-version',
  'x-queue-type',
  'x-single-active-consumer',
  'x-max-age',
  'x-stream-max-segment-size-bytes',
  'x-initial-cluster-size',
  'x-delivery-limit',
  'x-queue-leader-locator',
];

function inequivalent(what: string, kind: string, name: string, vhost: string, received: string, current: string): BrokerError {
  return new BrokerError(
    'PRECONDITION_FAILED',
    `inequivalent arg '${what}' for ${kind} '${name}' in vhost '${vhost}': received ${received} but current is ${current}`,
  );
}

function field(what: string, kind: string, name: string, vhost: string, received: unknown, current: unknown): void {
  if (received !== current) throw inequivalent(what, kind, name, vhost, `'${String(received)}'`, `'${String(current)}'`);
}

function args(
  keys: readonly string[],
  kind: string,
  name: string,
  vhost: string,
  received: HeaderTable,
  current: HeaderTable,
  defaults: Readonly<Record<string, HeaderValue>>,
): void {
  for (const key of keys) {
    const r = received[key] ?? defaults[key];
    const c = current[key] ?? defaults[key];
    if (r === undefined && c === undefined) continue;
    if (r !== undefined && c !== undefined && headerValuesEqual(r, c)) continue;
    throw inequivalent(key, kind, name, vhost, describeHeaderValue(r), describeHeaderValue(c));
  }
}

export function assertExchangeEquivalent(current: ExchangeSpec, requested: ExchangeSpec, vhost: string): void {
  const n = current.name;
  field('type', 'exchange', n, vhost, requested.type, current.type);
  field('durable', 'exchange', n, vhost, requested.durable, current.durable);
  field('auto_delete', 'exchange', n, vhost, requested.autoDelete, current.autoDelete);
  field('internal', 'exchange', n, vhost, requested.internal, current.internal);
  args(EXCHANGE_EQUIVALENCE_ARGS, 'exchange', n, vhost, requested.arguments, current.arguments, {});
}

/** A queue declared without x-queue-type is a classic queue, so the two forms are equivalent. */
const QUEUE_ARG_DEFAULTS: Readonly<Record<string, HeaderValue>> = { 'x-queue-type': 'classic' };

/** Exclusivity is checked before this (RESOURCE_LOCKED), as rabbit_amqqueue does. */
export function assertQueueEquivalent(current: QueueSpec, requested: QueueSpec, vhost: string): void {
  const n = current.name;
  field('durable', 'queue', n, vhost, requested.durable, current.durable);
  field('auto_delete', 'queue', n, vhost, requested.autoDelete, current.autoDelete);
  args(QUEUE_EQUIVALENCE_ARGS, 'queue', n, vhost, requested.arguments, current.arguments, QUEUE_ARG_DEFAULTS);
}
