/** confirm.select (+ nowait): switches the channel to publisher-confirm mode (rabbitmq.com/docs/confirms). */
import { REPLY } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';
import { Confirms } from '../confirms';

export const confirmHandlers: HandlerTable = {
  'confirm.select': (ch, args) => {
    if (ch.txMode) throw new AmqpError(REPLY.PRECONDITION_FAILED, 'cannot switch from tx to confirm mode');
    if (ch.confirms === null) {
      ch.confirms = new Confirms({
        send: (name, a) => ch.send(name, a),
        get live() {
          return ch.state === 'open';
        },
        backlog: (delta) => ch.conn.unconfirmedChanged(delta),
      });
    }
    if (!args.nowait) ch.send('confirm.select-ok', {});
    return undefined;
  },
};
