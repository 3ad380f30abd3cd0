/**
 * basic.publish and the one publish path, as a short list of steps:
 *   1. method: refuse immediate (540, RabbitMQ), check write permission, start assembling content;
 *   2. header + body frames arrive (channel.ts), size checked against messageSizeMaxBytes (406);
 *   3. validate properties (expiration, user-id), rewrite direct reply-to;
 *   4. in a transaction: buffer; otherwise publish to the core;
 *   5. mandatory and unroutable → basic.return 312 NO_ROUTE; confirm mode → track PublishResult.settled.
 */
import type { Message } from '../../../src/core/message';
import { REPLY, REPLY_TO_PREFIX, REPLY_TO_QUEUE } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';
import type { AmqpChannel } from '../channel';
import { encodeFrame } from '../wire';
import { AMQP_ADAPTER_LIMITS } from '../constants';
import { authorize, exchangeName } from './names';

/** RabbitMQ caps per-message TTL at 2^32-1 ms … and refuses anything that is not a non-negative integer. */
const EXPIRATION_MAX_MS = 0xffffffff;

export const publishHandlers: HandlerTable = {
  'basic.publish': (ch, args) => {
    if (args.immediate) throw new AmqpError(REPLY.NOT_IMPLEMENTED, 'immediate=true', true);
    startPublish(ch, args.exchange, args.routingKey, Boolean(args.mandatory));
    return undefined;
  },
};

/** Step 1 for basic.publish without `immediate`, from the handler or the channel's fast path (tryFastPublish). */
export function startPublish(ch: AmqpChannel, exchangeArg: string, routingKey: string, mandatory: boolean): void {
  const exchange = exchangeName(exchangeArg);
  authorize(ch, exchange, 'write');
  ch.conn.notePublish();
  ch.beginContent(exchange, routingKey, mandatory);
}

function validateExpiration(expiration: string | undefined): void {
  if (expiration === undefined) return;
  if (!/^\d+$/.test(expiration)) {
    const reason = /^-\d+$/.test(expiration) ? `{value_negative,${expiration}}` : 'no_integer';
    throw new AmqpError(REPLY.PRECONDITION_FAILED, `invalid expiration '${expiration}': ${reason}`);
  }
  if (Number(expiration) > EXPIRATION_MAX_MS) {
    throw new AmqpError(REPLY.PRECONDITION_FAILED, `invalid expiration '${expiration}': {value_too_large,${expiration}}`);
  }
}

/** rabbitmq.com/docs/validated-user-id: user-id must name the authenticated user. */
function validateUserId(ch: AmqpChannel, userId: string | undefined): void {
  if (userId === undefined) return;
  const user = ch.conn.user?.username ?? '';
  if (userId !== user) {
    throw new AmqpError(REPLY.PRECONDITION_FAILED, `user_id property set to '${userId}' but authenticated user was '${user}'`);
  }
}

/** A request asking for a direct reply gets the channel's reply address (the property bytes change). */
function rewriteReplyTo(ch: AmqpChannel, message: Message): void {
  if (message.properties.replyTo !== REPLY_TO_QUEUE) return;
  if (ch.replyToken === null) throw new AmqpError(REPLY.PRECONDITION_FAILED, 'fast reply consumer does not exist');
  message.properties = { ...message.properties, replyTo: REPLY_TO_PREFIX + ch.replyToken };
  delete message.amqpRawProperties;
}

export function publishMessage(ch: AmqpChannel, message: Message, mandatory: boolean): void {
  validateExpiration(message.properties.expiration);
  validateUserId(ch, message.properties.userId);
  rewriteReplyTo(ch, message);
  if (ch.txMode) {
    // RabbitMQ looks the exchange up at publish time, in a transaction too: 404 now, not at tx.commit.
    if (!ch.isReplyToRoutingKey(message.exchange, message.routingKey)) ch.vhost.checkExchange(message.exchange);
    if (ch.txPublishes.length >= AMQP_ADAPTER_LIMITS.txBufferedMax) {
      throw new AmqpError(REPLY.PRECONDITION_FAILED, `too many publishes in one transaction (${AMQP_ADAPTER_LIMITS.txBufferedMax})`);
    }
    ch.txPublishes.push({ message, mandatory });
    return;
  }
  const settled = route(ch, message, mandatory);
  if (ch.confirms !== null) ch.confirms.track(settled);
  else if (settled !== ch.lastSettledWatched) {
    // One group commit settles many publishes with one promise: log its failure once, not once per publish.
    ch.lastSettledWatched = settled;
    settled.catch((err: unknown) => ch.conn.log.warn({ err }, 'publish not settled'));
  }
}

/** Publishes one message now; returns when it is settled (what a confirm or tx.commit waits on). */
export function route(ch: AmqpChannel, message: Message, mandatory: boolean): Promise<void> {
  if (ch.isReplyToRoutingKey(message.exchange, message.routingKey)) {
    const target = ch.conn.shared.replyTo.lookup(message.routingKey.slice(REPLY_TO_PREFIX.length));
    const delivered = target !== undefined && target.deliverReply(message);
    if (!delivered && mandatory) sendReturn(ch, message);
    return Promise.resolve();
  }
  const result = ch.vhost.publish(message, { mandatory });
  if (result.routed === 0 && mandatory) sendReturn(ch, message);
  return result.settled;
}

function sendReturn(ch: AmqpChannel, message: Message): void {
  const method = encodeFrame(ch.id, 'basic.return', {
    replyCode: REPLY.NO_ROUTE,
    replyText: 'NO_ROUTE',
    exchange: message.exchange,
    routingKey: message.routingKey,
  });
  ch.writeContent(method, message, null);
}
