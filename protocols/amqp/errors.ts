/**
 * AMQP error classification. RabbitMQ distinguishes soft errors (close the channel: 311-313, 403-406) from hard
 * errors (close the connection: 320, 402, 5xx). A handler throws an AmqpError (or a BrokerError from the core,
 * mapped through AMQP_REPLY_CODE); the channel or connection turns it into channel.close / connection.close.
 */
import { AMQP_REPLY_CODE, isBrokerError } from '../../src/core/errors';
import { REPLY, REPLY_NAME } from './constants';

export class AmqpError extends Error {
  readonly replyCode: number;
  /** Force a connection-level close even for a soft code (e.g. errors on channel 0). */
  readonly connectionLevel: boolean;
  constructor(replyCode: number, text: string, connectionLevel = false) {
    super(text);
    this.name = 'AmqpError';
    this.replyCode = replyCode;
    this.connectionLevel = connectionLevel;
  }
}

/** Soft errors close only the channel; everything else closes the connection (AMQP 0-9-1 §1.2 "Constants"). */
export function isHardError(replyCode: number): boolean {
  return !(replyCode >= 311 && replyCode <= 313) && !(replyCode >= 403 && replyCode <= 406);
}

/** "NOT_FOUND - no queue 'x' in vhost '/'" — the symbolic name prefix RabbitMQ puts in reply texts. */
export function replyText(replyCode: number, text: string): string {
  const name = REPLY_NAME[replyCode] ?? 'INTERNAL_ERROR';
  const full = text.startsWith(name) ? text : `${name} - ${text}`;
  // reply-text is a shortstr: at most 255 bytes on the wire.
  return Buffer.byteLength(full) <= 255 ? full : Buffer.from(full).subarray(0, 255).toString('utf8').replace(/\uFFFD+$/, '');
}

export interface ClassifiedError {
  replyCode: number;
  text: string;
  hard: boolean;
  /** True when the error was not a BrokerError/AmqpError: a bug, logged with its stack. */
  unexpected: boolean;
}

export function classify(err: unknown): ClassifiedError {
  if (err instanceof AmqpError) {
    return { replyCode: err.replyCode, text: err.message, hard: err.connectionLevel || isHardError(err.replyCode), unexpected: false };
  }
  if (isBrokerError(err)) {
    const replyCode = AMQP_REPLY_CODE[err.code] ?? REPLY.INTERNAL_ERROR;
    return { replyCode, text: err.message, hard: isHardError(replyCode), unexpected: false };
  }
  const text = err instanceof Error ? err.message : String(err);
  return { replyCode: REPLY.INTERNAL_ERROR, text: `internal error: ${text}`, hard: true, unexpected: true };
}

export const precondition = (text: string): AmqpError => new AmqpError(REPLY.PRECONDITION_FAILED, text);
export const notFound = (text: string): AmqpError => new AmqpError(REPLY.NOT_FOUND, text);
export const accessRefused = (text: string): AmqpError => new AmqpError(REPLY.ACCESS_REFUSED, text);
export const channelError = (text: string): AmqpError => new AmqpError(REPLY.CHANNEL_ERROR, text);
export const commandInvalid = (text: string): AmqpError => new AmqpError(REPLY.COMMAND_INVALID, text);
export const notAllowed = (text: string): AmqpError => new AmqpError(REPLY.NOT_ALLOWED, text);
export const notImplemented = (text: string): AmqpError => new AmqpError(REPLY.NOT_IMPLEMENTED, text);
export const unexpectedFrame = (text: string): AmqpError => new AmqpError(REPLY.UNEXPECTED_FRAME, text);
export const frameError = (text: string): AmqpError => new AmqpError(REPLY.FRAME_ERROR, text);
