/** Channel class (20): close, close-ok, flow. channel.open is handled by the channel itself. */
import { REPLY } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';

export const channelHandlers: HandlerTable = {
  'channel.close': (ch) => {
    ch.clientClose();
    return undefined;
  },
  // A close-ok while open answers nothing we sent; ignore it like RabbitMQ.
  'channel.close-ok': () => undefined,
  'channel.flow': (ch, args) => {
    // RabbitMQ (since 3.3) refuses client-initiated flow=false; credit is what throttles consumers.
    if (!args.active) throw new AmqpError(REPLY.NOT_IMPLEMENTED, 'active=false', true);
    ch.send('channel.flow-ok', { active: true });
    return undefined;
  },
  'channel.flow-ok': () => undefined,
};
