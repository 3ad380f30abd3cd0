/**
 * Names in a vhost, checked as rabbit_channel does: `amq.` is reserved for the broker, the default exchange ''
 * cannot be declared, deleted or bound, and server-named queues are "amq.gen-" + 22 url-safe base64 characters
 * (16 random bytes, like rabbit_guid:binary(gen_secure(), "amq.gen")).
 */
import { randomBytes } from 'node:crypto';
import { BrokerError } from './errors';

export const RESERVED_PREFIX = 'amq.';
export const SERVER_NAMED_PREFIX = 'amq.gen-';

export function serverGeneratedQueueName(): string {
  return SERVER_NAMED_PREFIX + randomBytes(16).toString('base64url');
}

/** ACCESS_REFUSED for a new name in the reserved `amq.` namespace. */
export function checkNotReserved(kind: 'exchange' | 'queue', name: string): void {
  if (name.startsWith(RESERVED_PREFIX)) {
    throw new BrokerError('ACCESS_REFUSED', `${kind} name '${name}' contains reserved prefix 'amq.*'`);
  }
}

export function checkNotDefaultExchange(name: string): void {
  if (name === '') throw new BrokerError('ACCESS_REFUSED', 'operation not permitted on the default exchange');
}

export function checkNameLength(kind: 'exchange' | 'queue', name: string, maxBytes: number): void {
  // Cheap first test: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (name.length * 3 <= maxBytes) return;
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > maxBytes) {
    throw new BrokerError('PRECONDITION_FAILED', `${kind} name is ${bytes} bytes, longer than ${maxBytes}`);
  }
}
