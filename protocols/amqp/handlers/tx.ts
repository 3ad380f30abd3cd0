/**
 * tx.select / commit / rollback with RabbitMQ's semantics: publishes and acks are buffered until tx.commit,
 * which applies them in order and answers commit-ok once every published message is settled; tx.rollback
 * discards buffered publishes and puts buffered acks' deliveries back into the unacked set.
 */
import { REPLY } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';
import { route } from './basic-publish';

export const txHandlers: HandlerTable = {
  'tx.select': (ch) => {
    if (ch.confirms !== null) throw new AmqpError(REPLY.PRECONDITION_FAILED, 'cannot switch from confirm to tx mode');
    ch.txMode = true;
    ch.send('tx.select-ok', {});
    return undefined;
  },
  'tx.commit': async (ch) => {
    if (!ch.txMode) throw new AmqpError(REPLY.PRECONDITION_FAILED, 'channel is not transactional');
    const actions = ch.txActions;
    const publishes = ch.txPublishes;
    ch.txActions = [];
    ch.txPublishes = [];
    ch.txAcked = [];
    for (const a of actions) a();
    const settled = publishes.map((p) => route(ch, p.message, p.mandatory));
    await Promise.all(settled);
    if (ch.state === 'open') ch.send('tx.commit-ok', {});
  },
  'tx.rollback': (ch) => {
    if (!ch.txMode) throw new AmqpError(REPLY.PRECONDITION_FAILED, 'channel is not transactional');
    ch.txPublishes = [];
    ch.txActions = [];
    ch.restoreUnacked(ch.txAcked);
    ch.txAcked = [];
    ch.send('tx.rollback-ok', {});
    return undefined;
  },
};
