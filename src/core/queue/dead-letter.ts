/**
 * Dead-lettering as RabbitMQ does it (rabbit_dead_letter): the message is republished to the queue's
 * x-dead-letter-exchange with x-dead-letter-routing-key (or its original routing key), and its `x-death` header
 * records why: an array of tables, one per (queue, reason), most recent first, each with count, reason, queue,
 * time, exchange, routing-keys (and original-expiration when the message had one). x-first-death-* are set once,
 * x-last-death-* every time. The per-message `expiration` is removed so the copy does not expire again at once.
 */
import type { HeaderTable, HeaderValue, Message, MessageProperties, TypedHeaderValue } from '../message';
import { stringValue } from './arguments';

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen';

export interface DeadLetterTarget {
  exchange: string;
  /** null = keep the message's routing key. */
  routingKey: string | null;
}

function isTable(v: HeaderValue | undefined): v is HeaderTable {
  return (
    v !== undefined &&
    v !== null &&
    typeof v === 'object' &&
    !Buffer.isBuffer(v) &&
    !Array.isArray(v) &&
    !('amqpType' in v && 'value' in v)
  );
}

function numberValue(v: HeaderValue | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && 'amqpType' in v) {
    const inner = (v as TypedHeaderValue).value;
    if (typeof inner === 'number') return inner;
    if (typeof inner === 'bigint') return Number(inner);
  }
  return 0;
}

/** The x-death entries of a message (tables only; anything else a client put there is ignored). */
export function xDeathEntries(message: Message): HeaderTable[] {
  const v = message.properties.headers?.['x-death'];
  const arr = v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && 'amqpType' in v
    ? (v as TypedHeaderValue).value
    : v;
  if (!Array.isArray(arr)) return [];
  return arr.filter(isTable);
}

/** The `count` of the x-death entry for (queue, reason), 0 when none. */
export function xDeathCount(message: Message, queue: string, reason: DeadLetterReason): number {
  for (const d of xDeathEntries(message)) {
    if (stringValue(d.queue) === queue && stringValue(d.reason) === reason) return numberValue(d.count);
  }
  return 0;
}

/** Routing keys RabbitMQ records: the routing key plus CC header values (BCC is never exposed). */
function routingKeys(message: Message): HeaderValue[] {
  const keys: HeaderValue[] = [message.routingKey];
  const cc = message.properties.headers?.CC;
  if (Array.isArray(cc)) for (const k of cc) if (stringValue(k) !== null) keys.push(stringValue(k));
  return keys;
}

/**
 * A copy of `message` as the dead-letter exchange receives it. `nowMs` is the queue clock; x-death `time` is a
 * timestamp in seconds.
 */
export function deadLetterMessage(
  message: Message,
  queue: string,
  reason: DeadLetterReason,
  target: DeadLetterTarget,
  nowMs: number,
): Message {
  const oldHeaders = message.properties.headers ?? {};
  const deaths = xDeathEntries(message);
  const time: TypedHeaderValue = { amqpType: 'T', value: Math.floor(nowMs / 1000) };
  const idx = deaths.findIndex((d) => stringValue(d.queue) === queue && stringValue(d.reason) === reason);
  let entry: HeaderTable;
  if (idx >= 0) {
    // RabbitMQ keeps one entry per (queue, reason): bump its count and move it to the front.
    entry = { ...deaths[idx], count: numberValue(deaths[idx].count) + 1, time };
    deaths.splice(idx, 1);
  } else {
    entry = {
      count: 1,
      reason,
      queue,
      time,
      exchange: message.exchange,
      'routing-keys': routingKeys(message),
    };
    if (message.properties.expiration !== undefined) entry['original-expiration'] = message.properties.expiration;
  }
  const headers: HeaderTable = { ...oldHeaders, 'x-death': [entry, ...deaths] };
  if (oldHeaders['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = reason;
    headers['x-first-death-queue'] = queue;
    headers['x-first-death-exchange'] = message.exchange;
  }
  headers['x-last-death-reason'] = reason;
  headers['x-last-death-queue'] = queue;
  headers['x-last-death-exchange'] = message.exchange;

  const properties: MessageProperties = { ...message.properties, headers };
  delete properties.expiration;
  const out: Message = {
    exchange: target.exchange,
    routingKey: target.routingKey ?? message.routingKey,
    properties,
    body: message.body,
  };
  // amqpRawProperties is dropped on purpose: the headers changed, so the raw bytes no longer describe them.
  if (message.receivedAtMs !== undefined) out.receivedAtMs = message.receivedAtMs;
  return out;
}

/**
 * RabbitMQ's cycle rule (rabbit_dead_letter:is_cycle): a dead-lettered message is dropped for a target queue
 * that already appears in its x-death when no death between then and now was a rejection ("fully automatic"
 * cycle). Call with the message as deadLetterMessage returned it, for each queue the vhost routes it to.
 */
export function isDeadLetterCycle(deadLettered: Message, targetQueue: string): boolean {
  const deaths = xDeathEntries(deadLettered);
  const at = deaths.findIndex((d) => stringValue(d.queue) === targetQueue);
  if (at < 0) return false;
  for (let i = 0; i <= at; i++) if (stringValue(deaths[i].reason) === 'rejected') return false;
  return true;
}
