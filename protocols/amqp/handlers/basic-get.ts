/** basic.get → get-ok (+ content) or get-empty. The delivery joins the channel's unacked set unless noAck. */
import type { HandlerTable } from '../dispatcher';
import { encodeFrame } from '../wire';
import { authorize, queueName } from './names';

export const getHandlers: HandlerTable = {
  'basic.get': (ch, args) => {
    const name = queueName(ch, args.queue);
    authorize(ch, name, 'read');
    const queue = ch.vhost.queue(name, ch.conn.id);
    const noAck = Boolean(args.noAck);
    const d = queue.get(noAck, ch.conn.id);
    if (d === null) {
      ch.send('basic.get-empty', { clusterId: '' });
      return undefined;
    }
    const tag = ch.nextDeliveryTag();
    if (!noAck) ch.unacked.set(tag, { queue, id: d.id });
    const method = encodeFrame(ch.id, 'basic.get-ok', {
      deliveryTag: tag,
      redelivered: d.redelivered,
      exchange: d.message.exchange,
      routingKey: d.message.routingKey,
      messageCount: queue.info().messageCount,
    });
    ch.writeContent(method, d.message, queue.spec.arguments['x-queue-type'] === 'stream' ? d.offset : null);
    return undefined;
  },
};
