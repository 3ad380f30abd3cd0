/**
 * BrokerError codes ↔ native numeric error codes, mapped once. The numbers are part of the wire protocol: never
 * renumber, only append. Documented in docs-draft/native.md.
 */
import type { ErrorCode } from '../../src/core/errors';

export const NATIVE_ERROR_CODE: Record<ErrorCode, number> = {
  NOT_FOUND: 1,
  ACCESS_REFUSED: 2,
  RESOURCE_LOCKED: 3,
  PRECONDITION_FAILED: 4,
  NOT_ALLOWED: 5,
  NOT_IMPLEMENTED: 6,
  FRAME_ERROR: 7,
  SYNTAX_ERROR: 8,
  COMMAND_INVALID: 9,
  CHANNEL_ERROR: 10,
  UNEXPECTED_FRAME: 11,
  RESOURCE_ERROR: 12,
  INTERNAL_ERROR: 13,
  CONNECTION_FORCED: 14,
  INVALID_PATH: 15,
  MESSAGE_TOO_LARGE: 16,
  LIMIT_EXCEEDED: 17,
  STORAGE_CORRUPT: 18,
  STORAGE_FULL: 19,
  INVALID_CONFIG: 20,
  INVALID_ARGUMENT: 21,
  UNKNOWN_TOPIC: 22,
  UNKNOWN_PARTITION: 23,
  OFFSET_OUT_OF_RANGE: 24,
  UNKNOWN_MEMBER: 25,
  REBALANCE_IN_PROGRESS: 26,
  ILLEGAL_GENERATION: 27,
  ALREADY_EXISTS: 28,
  BROKER_STOPPING: 29,
  TIMEOUT: 30,
};

const BY_NUMBER = new Map<number, ErrorCode>(
  (Object.entries(NATIVE_ERROR_CODE) as [ErrorCode, number][]).map(([name, n]) => [n, name]),
);

/** The BrokerError code name for a wire number; unknown numbers (a newer broker) read as INTERNAL_ERROR. */
export function errorCodeName(n: number): ErrorCode {
  return BY_NUMBER.get(n) ?? 'INTERNAL_ERROR';
}
