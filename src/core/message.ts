/**
 * The one protocol-neutral message container (after RabbitMQ's mc). Adapters convert their frames to and from
 * it with one converter per protocol (src/core/convert/ or protocols/X), never pairwise.
 *
 * Properties follow the AMQP 0-9-1 basic property set because it is the richest of the three; MQTT 5 and
 * native fields map onto it (see README "Properties across protocols"). When a message was published over AMQP
 * the adapter also keeps the raw content-header property bytes in `amqpRawProperties`, so an AMQP consumer
 * receives them byte-exact.
 */

/** A header value. Typed wrappers keep AMQP field-table types that plain JS values would lose. */
export type HeaderValue =
  | string
  | number
  | boolean
  | null
  | Buffer
  | bigint
  | HeaderValue[]
  | HeaderTable
  | TypedHeaderValue;

export interface HeaderTable {
  [name: string]: HeaderValue;
}

/** An AMQP field value whose wire type must survive (e.g. 'b' signed 8-bit, 'D' decimal, 'T' timestamp). */
export interface TypedHeaderValue {
  /** AMQP field-table type tag as RabbitMQ writes it: t b B s u I i l f d D S x T F A V. */
  amqpType: string;
  value: HeaderValue | { scale: number; value: number };
}

export interface MessageProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: HeaderTable;
  /** 1 transient, 2 persistent. */
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  /** Per-message TTL in milliseconds, as a decimal string (AMQP's `expiration`). */
  expiration?: string;
  messageId?: string;
  /** Seconds since the epoch (AMQP timestamp). */
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

export interface Message {
  exchange: string;
  routingKey: string;
  properties: MessageProperties;
  body: Buffer;
  /** Raw AMQP content-header property bytes (flags + list) when the message came in over AMQP. */
  amqpRawProperties?: Buffer;
  /** Milliseconds since the epoch when the broker accepted it. */
  receivedAtMs?: number;
}

export function isPersistent(msg: Message): boolean {
  return msg.properties.deliveryMode === 2;
}
