/**
 * Typed SDK errors. `code` is the broker's error code (the same names as BrokerError) or one of the client-side
 * codes below. Branch on `code` (stable), never on the message.
 */
import type { ErrorCode } from '../core/errors';

export type ClientErrorCode =
  /** The connection dropped while the request was in flight (the request may or may not have been applied). */
  | 'CONNECTION_LOST'
  /** The client was closed by the application. */
  | 'CLIENT_CLOSED'
  /** No answer within requestTimeoutMs, or no connection within connectTimeoutMs. */
  | 'REQUEST_TIMEOUT'
  /** The broker could not be reached. */
  | 'CONNECTION_REFUSED';

export type PolymqErrorCode = ErrorCode | ClientErrorCode;

/** Codes after which the same request may succeed when retried (after a backoff). */
const RETRIABLE: ReadonlySet<PolymqErrorCode> = new Set<PolymqErrorCode>([
  'CONNECTION_LOST',
  'CONNECTION_REFUSED',
  'REQUEST_TIMEOUT',
  'BROKER_STOPPING',
  'CONNECTION_FORCED',
  'RESOURCE_ERROR',
  'REBALANCE_IN_PROGRESS',
  'TIMEOUT',
]);

export class PolymqError extends Error {
  readonly code: PolymqErrorCode;
  constructor(code: PolymqErrorCode, message: string) {
    super(message);
    this.name = 'PolymqError';
    this.code = code;
  }

  get retriable(): boolean {
    return RETRIABLE.has(this.code);
  }
}

export function isPolymqError(err: unknown): err is PolymqError {
  return err instanceof PolymqError;
}

export function isRetriable(err: unknown): boolean {
  return err instanceof PolymqError && err.retriable;
}
