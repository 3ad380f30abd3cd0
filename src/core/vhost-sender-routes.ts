/**
 * Sender-selected distribution (rabbitmq.com/docs/sender-selected): the CC and BCC headers, arrays of
 * strings, add routing keys to a publish. BCC is removed before the message is stored, so consumers never see
 * who else was addressed. Non-array values are ignored (RabbitMQ refuses them; MQTT user properties named
 * "CC" should not break a publish).
 */
import type { HeaderTable, HeaderValue, Message } from './message';
import { unwrapHeaderValue } from './router/header-values';

function pushStrings(v: HeaderValue | undefined, keys: string[]): void {
  if (v === undefined) return;
  const arr = unwrapHeaderValue(v);
  if (!Array.isArray(arr)) return;
  for (const item of arr) {
    const s = unwrapHeaderValue(item);
    if (typeof s === 'string') keys.push(s);
    else if (Buffer.isBuffer(s)) keys.push(s.toString('utf8'));
  }
}

/** True when a publish needs the multi-key path; a cheap test for the hot path. */
export function hasSenderRoutes(headers: HeaderTable | undefined): headers is HeaderTable {
  return headers !== undefined && (headers.CC !== undefined || headers.BCC !== undefined);
}

/** The routing key followed by the CC and BCC keys. */
export function routingKeysOf(message: Message, headers: HeaderTable): string[] {
  const keys = [message.routingKey];
  pushStrings(headers.CC, keys);
  pushStrings(headers.BCC, keys);
  return keys;
}

/** A copy without the BCC header; raw AMQP properties are dropped so the adapter re-encodes them without it. */
export function withoutBcc(message: Message, headers: HeaderTable): Message {
  if (headers.BCC === undefined) return message;
  const rest: HeaderTable = {};
  for (const k of Object.keys(headers)) if (k !== 'BCC') rest[k] = headers[k];
  const copy: Message = { ...message, properties: { ...message.properties, headers: rest } };
  delete copy.amqpRawProperties;
  return copy;
}
