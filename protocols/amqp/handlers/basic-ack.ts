/**
 * basic.ack / nack / reject / recover(-async). Delivery tags are channel-scoped; an unknown tag is 406
 * PRECONDITION_FAILED "unknown delivery tag N" and closes the channel. In a transaction the core is only told
 * at tx.commit (RabbitMQ semantics); the tags are checked and taken now.
 */
import { REPLY } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';
import type { AmqpChannel } from '../channel';

function settle(ch: AmqpChannel, deliveryTag: number, multiple: boolean, action: 'ack' | 'requeue' | 'drop'): void {
  // The common case, one ack per delivery outside a transaction, without the grouping arrays and maps.
  if (!multiple && !ch.txMode && action === 'ack') {
    ch.ackOne(deliveryTag);
    return;
  }
  const entries = ch.takeUnacked(deliveryTag, multiple);
  if (ch.txMode) {
    ch.txAcked.push(...entries);
    ch.txActions.push(() => ch.settle(entries, action));
    return;
  }
  ch.settle(entries, action);
}

function recover(ch: AmqpChannel, requeue: boolean): void {
  // RabbitMQ only implements requeue=true: every unacked delivery goes back to its queue, redelivered.
  if (!requeue) throw new AmqpError(REPLY.NOT_IMPLEMENTED, 'requeue=false', true);
  const entries = ch.takeUnacked(0, true);
  ch.settle(entries, 'requeue');
  ch.resumeConsumers();
}

export const ackHandlers: HandlerTable = {
  'basic.ack': (ch, args) => {
    settle(ch, Number(args.deliveryTag), Boolean(args.multiple), 'ack');
    return undefined;
  },
  'basic.nack': (ch, args) => {
    settle(ch, Number(args.deliveryTag), Boolean(args.multiple), args.requeue ? 'requeue' : 'drop');
    return undefined;
  },
  'basic.reject': (ch, args) => {
    settle(ch, Number(args.deliveryTag), false, args.requeue ? 'requeue' : 'drop');
    return undefined;
  },
  'basic.recover-async': (ch, args) => {
    recover(ch, Boolean(args.requeue));
    return undefined;
  },
  'basic.recover': (ch, args) => {
    recover(ch, Boolean(args.requeue));
    ch.send('basic.recover-ok', {});
    return undefined;
  },
};
