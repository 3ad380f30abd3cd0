/** Exchange class (40): declare, delete, bind, unbind (exchange-to-exchange bindings are a RabbitMQ extension). */
import { REPLY } from '../constants';
import { AmqpError } from '../errors';
import type { HandlerTable } from '../dispatcher';
import type { AmqpChannel } from '../channel';
import type { HeaderTable } from '../../../src/core/message';
import { authorize, checkNotDefaultExchange, exchangeName } from './names';

const BUILTIN_TYPES = new Set(['direct', 'fanout', 'topic', 'headers']);

/** The two ends of an exchange-to-exchange binding, checked as RabbitMQ does for bind and unbind alike. */
function bindingEnds(ch: AmqpChannel, args: { destination: string; source: string }): { dest: string; src: string } {
  const dest = exchangeName(args.destination);
  const src = exchangeName(args.source);
  checkNotDefaultExchange(dest);
  checkNotDefaultExchange(src);
  authorize(ch, dest, 'write');
  authorize(ch, src, 'read');
  return { dest, src };
}

export const exchangeHandlers: HandlerTable = {
  'exchange.declare': async (ch, args) => {
    const name = exchangeName(args.exchange);
    const passive = Boolean(args.passive);
    if (!passive) {
      checkNotDefaultExchange(name);
      // The amq.* prefix is the vhost's call: redeclaring amq.direct as it is succeeds in RabbitMQ.
      // Unknown types are a hard error in RabbitMQ (503); plugin types are "x-…".
      if (!BUILTIN_TYPES.has(args.type) && !args.type.startsWith('x-')) {
        throw new AmqpError(REPLY.COMMAND_INVALID, `unknown exchange type '${args.type}'`, true);
      }
    }
    authorize(ch, name, 'configure');
    await ch.vhost.declareExchange(
      {
        name,
        type: args.type,
        durable: Boolean(args.durable),
        autoDelete: Boolean(args.autoDelete),
        internal: Boolean(args.internal),
        arguments: (args.arguments ?? {}) as HeaderTable,
      },
      passive,
    );
    if (!args.noWait) ch.send('exchange.declare-ok', {});
  },
  'exchange.delete': async (ch, args) => {
    const name = exchangeName(args.exchange);
    checkNotDefaultExchange(name);
    authorize(ch, name, 'configure');
    try {
      await ch.vhost.deleteExchange(name, Boolean(args.ifUnused));
    } catch (err) {
      // RabbitMQ answers delete-ok for an exchange that does not exist (idempotent delete).
      if (!(err instanceof Error && 'code' in err && err.code === 'NOT_FOUND')) throw err;
    }
    if (!args.noWait) ch.send('exchange.delete-ok', {});
  },
  'exchange.bind': async (ch, args) => {
    const { dest, src } = bindingEnds(ch, args);
    await ch.vhost.bindExchange(dest, src, args.routingKey, (args.arguments ?? {}) as HeaderTable);
    if (!args.noWait) ch.send('exchange.bind-ok', {});
  },
  'exchange.unbind': async (ch, args) => {
    const { dest, src } = bindingEnds(ch, args);
    await ch.vhost.unbindExchange(dest, src, args.routingKey, (args.arguments ?? {}) as HeaderTable);
    if (!args.noWait) ch.send('exchange.unbind-ok', {});
  },
};
