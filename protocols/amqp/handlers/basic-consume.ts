/**
 * basic.qos, basic.consume, basic.cancel. QoS follows RabbitMQ's per_consumer_qos: global=false sets the prefetch
 * of consumers created afterwards (enforced by the core per consumer), global=true a limit shared by the whole
 * channel (enforced here through ConsumerSpec.canDeliver).
 */
import { AMQP_ADAPTER_LIMITS, REPLY, REPLY_TO_QUEUE } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';
import type { HeaderTable, HeaderValue } from '../../../src/core/message';
import type { Delivery } from '../../../src/core/types';
import type { AmqpChannel, ChannelConsumer } from '../channel';
import { randomName } from '../connection';
import { authorize, queueName } from './names';

function numberArg(v: HeaderValue | undefined): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && 'amqpType' in v) {
    return numberArg(v.value as HeaderValue);
  }
  return null;
}

function consumeReplyTo(ch: AmqpChannel, tag: string, noAck: boolean, noWait: boolean): void {
  if (!noAck) throw new AmqpError(REPLY.PRECONDITION_FAILED, 'reply consumer cannot acknowledge');
  if (ch.replyToken !== null) throw new AmqpError(REPLY.PRECONDITION_FAILED, 'reply consumer already set');
  const token = randomName('');
  ch.replyToken = token;
  ch.conn.shared.replyTo.register(token, ch);
  ch.consumers.set(tag, { tag, coreTag: tag, queue: null, noAck: true, isStream: false, replyToken: token, tagBytes: Buffer.from(tag) });
  if (!noWait) ch.send('basic.consume-ok', { consumerTag: tag });
}

export const consumeHandlers: HandlerTable = {
  'basic.qos': (ch, args) => {
    if (Number(args.prefetchSize) !== 0) {
      throw new AmqpError(REPLY.NOT_IMPLEMENTED, `prefetch_size!=0 (${Number(args.prefetchSize)})`, true);
    }
    if (args.global) ch.channelPrefetch = args.prefetchCount;
    else ch.consumerPrefetch = args.prefetchCount;
    ch.send('basic.qos-ok', {});
    ch.resumeConsumers();
    return undefined;
  },

  'basic.consume': (ch, args) => {
    ch.checkConsumerLimit();
    const tag = args.consumerTag === '' ? randomName('amq.ctag-') : args.consumerTag;
    if (Buffer.byteLength(tag) > AMQP_ADAPTER_LIMITS.shortStrMaxBytes) {
      throw new AmqpError(REPLY.SYNTAX_ERROR, 'consumer tag too long', true);
    }
    if (ch.consumers.has(tag)) {
      throw new AmqpError(REPLY.NOT_ALLOWED, `attempt to reuse consumer tag '${tag}'`, true);
    }
    if (args.queue === REPLY_TO_QUEUE) {
      consumeReplyTo(ch, tag, Boolean(args.noAck), Boolean(args.noWait));
      return undefined;
    }
    const name = queueName(ch, args.queue);
    authorize(ch, name, 'read');
    const queue = ch.vhost.queue(name, ch.conn.id);
    const consumerArgs = (args.arguments ?? {}) as HeaderTable;
    const consumer: ChannelConsumer = {
      tag,
      coreTag: `${tag}\u0000${ch.conn.id}/${ch.id}`,
      queue,
      noAck: Boolean(args.noAck),
      isStream: queue.spec.arguments['x-queue-type'] === 'stream',
      replyToken: null,
      tagBytes: Buffer.from(tag),
    };
    ch.consumers.set(tag, consumer);
    // consume-ok must precede the first basic.deliver, but the core may refuse the consumer (exclusive use) or
    // deliver synchronously inside consume(): hold early deliveries until consume-ok is out.
    const early: Delivery[] = [];
    let starting = true;
    try {
      queue.consume({
        tag: consumer.coreTag,
        noAck: Boolean(args.noAck),
        exclusive: Boolean(args.exclusive),
        prefetch: ch.consumerPrefetch,
        priority: numberArg(consumerArgs['x-priority']) ?? 0,
        arguments: consumerArgs,
        owner: ch.conn.id,
        canDeliver: () => ch.canDeliver(starting ? early.length : 0),
        deliver: (d) => (starting ? early.push(d) : ch.deliverFromQueue(consumer, d)),
        cancelled: (reason) => serverCancel(ch, tag, reason),
      });
    } catch (err) {
      ch.consumers.delete(tag);
      throw err;
    }
    starting = false;
    if (!args.noWait) ch.send('basic.consume-ok', { consumerTag: tag });
    for (const d of early) ch.deliverFromQueue(consumer, d);
    return undefined;
  },

  'basic.cancel': (ch, args) => {
    const c = ch.consumers.get(args.consumerTag);
    if (c !== undefined) {
      ch.consumers.delete(args.consumerTag);
      if (c.queue !== null) c.queue.cancel(c.coreTag);
      if (c.replyToken !== null) {
        ch.conn.shared.replyTo.unregister(c.replyToken);
        ch.replyToken = null;
      }
    }
    // Unknown tags are answered with cancel-ok too (RabbitMQ: idempotent cancel).
    if (!args.noWait) ch.send('basic.cancel-ok', { consumerTag: args.consumerTag });
    return undefined;
  },
};

/** The core cancelled a consumer (queue deleted …): tell clients that asked for consumer_cancel_notify. */
function serverCancel(ch: AmqpChannel, tag: string, reason: string): void {
  if (!ch.consumers.delete(tag) || ch.state !== 'open') return;
  ch.conn.log.debug({ channel: ch.id, tag, reason }, 'consumer cancelled by the broker');
  if (ch.conn.clientCapabilities.has('consumer_cancel_notify')) {
    ch.send('basic.cancel', { consumerTag: tag, noWait: true });
  }
}
