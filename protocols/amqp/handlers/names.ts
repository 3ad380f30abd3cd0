/** Name rules RabbitMQ enforces at the adapter level: reserved "amq." prefix, default exchange, shortstr length. */
import { REPLY } from '../constants';
import { AmqpError } from '../errors';
import type { AmqpChannel } from '../channel';
import type { Permission } from '../../../src/core/types';

export function checkNotReserved(kind: 'exchange' | 'queue', name: string): void {
  if (name.startsWith('amq.')) {
    throw new AmqpError(REPLY.ACCESS_REFUSED, `${kind} name '${name}' contains reserved prefix 'amq.*'`);
  }
}

export function checkNotDefaultExchange(name: string): void {
  if (name === '') throw new AmqpError(REPLY.ACCESS_REFUSED, 'operation not permitted on the default exchange');
}

/** "amq.default" is another name for the default exchange (RabbitMQ accepts both). */
export function exchangeName(name: string): string {
  return name === 'amq.default' ? '' : name;
}

/** "" means the last queue declared on the channel (AMQP 0-9-1 §1.7.2.3). */
export function queueName(ch: AmqpChannel, name: string): string {
  if (name !== '') return name;
  if (ch.lastQueueName === null) throw new AmqpError(REPLY.NOT_FOUND, 'no previously declared queue');
  return ch.lastQueueName;
}

export function authorize(ch: AmqpChannel, resource: string, permission: Permission): void {
  const user = ch.conn.user;
  if (user === null) throw new AmqpError(REPLY.ACCESS_REFUSED, 'not authenticated', true);
  ch.ctx.security.authorize(user, ch.vhost.name, resource, permission);
}

export function vhostText(ch: AmqpChannel): string {
  return `in vhost '${ch.vhost.name}'`;
}
