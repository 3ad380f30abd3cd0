/** Queue class (50): declare (incl. server-named), bind, unbind, purge, delete — all with nowait variants. */
import { REPLY, REPLY_TO_PREFIX, REPLY_TO_QUEUE } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';
import type { HeaderTable } from '../../../src/core/message';
import type { AmqpChannel } from '../channel';
import { authorize, checkNotDefaultExchange, checkNotReserved, exchangeName, queueName } from './names';

function isNotFound(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'NOT_FOUND';
}

/** Passive declare of the direct reply-to pseudo queue succeeds (clients probe for the feature this way). */
function replyToPseudoQueue(ch: AmqpChannel, name: string): boolean {
  if (name === REPLY_TO_QUEUE) return true;
  if (name.startsWith(REPLY_TO_PREFIX)) {
    if (ch.conn.shared.replyTo.lookup(name.slice(REPLY_TO_PREFIX.length)) !== undefined) return true;
    throw new AmqpError(REPLY.NOT_FOUND, `no queue '${name}' in vhost '${ch.vhost.name}'`);
  }
  return false;
}

export const queueHandlers: HandlerTable = {
  'queue.declare': async (ch, args) => {
    const passive = Boolean(args.passive);
    let name = args.queue;
    if (passive && replyToPseudoQueue(ch, name)) {
      if (!args.noWait) ch.send('queue.declare-ok', { queue: name, messageCount: 0, consumerCount: 0 });
      return;
    }
    if (passive) name = queueName(ch, name);
    else if (name !== '') checkNotReserved('queue', name);
    if (name !== '') authorize(ch, name, 'configure');
    const info = await ch.vhost.declareQueue(
      {
        name,
        durable: Boolean(args.durable),
        exclusive: Boolean(args.exclusive),
        autoDelete: Boolean(args.autoDelete),
        arguments: (args.arguments ?? {}) as HeaderTable,
      },
      passive,
      ch.conn.id,
    );
    ch.lastQueueName = info.name;
    if (!args.noWait) {
      ch.send('queue.declare-ok', { queue: info.name, messageCount: info.messageCount, consumerCount: info.consumerCount });
    }
  },
  'queue.bind': async (ch, args) => {
    const queue = queueName(ch, args.queue);
    const exchange = exchangeName(args.exchange);
    checkNotDefaultExchange(exchange);
    // An empty routing key with an empty queue name means "the last queue's name" (AMQP 0-9-1 §1.7.2.3).
    const routingKey = args.routingKey === '' && args.queue === '' ? queue : args.routingKey;
    authorize(ch, queue, 'write');
    authorize(ch, exchange, 'read');
    await ch.vhost.bindQueue(queue, exchange, routingKey, (args.arguments ?? {}) as HeaderTable, ch.conn.id);
    if (!args.noWait) ch.send('queue.bind-ok', {});
  },
  'queue.unbind': async (ch, args) => {
    const queue = queueName(ch, args.queue);
    const exchange = exchangeName(args.exchange);
    checkNotDefaultExchange(exchange);
    authorize(ch, queue, 'write');
    authorize(ch, exchange, 'read');
    await ch.vhost.unbindQueue(queue, exchange, args.routingKey, (args.arguments ?? {}) as HeaderTable, ch.conn.id);
    ch.send('queue.unbind-ok', {});
  },
  'queue.purge': async (ch, args) => {
    const queue = queueName(ch, args.queue);
    authorize(ch, queue, 'read');
    const count = await ch.vhost.purgeQueue(queue, ch.conn.id);
    if (!args.noWait) ch.send('queue.purge-ok', { messageCount: count });
  },
  'queue.delete': async (ch, args) => {
    const queue = queueName(ch, args.queue);
    authorize(ch, queue, 'configure');
    let count = 0;
    try {
      count = await ch.vhost.deleteQueue(queue, { ifUnused: Boolean(args.ifUnused), ifEmpty: Boolean(args.ifEmpty) }, ch.conn.id);
    } catch (err) {
      // RabbitMQ answers delete-ok (0 messages) for a queue that does not exist.
      if (!isNotFound(err)) throw err;
    }
    if (!args.noWait) ch.send('queue.delete-ok', { messageCount: count });
  },
};
