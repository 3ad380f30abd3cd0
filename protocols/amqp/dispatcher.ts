/**
 * Method dispatch for channels ≥ 1: one handler per method, grouped in handlers/<class>.ts. Anything not in the
 * table (server-to-client methods, unknown methods) is 503 COMMAND_INVALID, a connection error, as in
 * RabbitMQ's rabbit_channel "unimplemented method".
 */
import { REPLY } from './constants';
import { AmqpError } from './errors';
import type { AmqpChannel } from './channel';
import type { AmqpMethod, MethodArgs, MethodName } from './wire';
import { channelHandlers } from './handlers/channel';
import { exchangeHandlers } from './handlers/exchange';
import { queueHandlers } from './handlers/queue';
import { consumeHandlers } from './handlers/basic-consume';
import { publishHandlers } from './handlers/basic-publish';
import { ackHandlers } from './handlers/basic-ack';
import { getHandlers } from './handlers/basic-get';
import { confirmHandlers } from './handlers/confirm';
import { txHandlers } from './handlers/tx';

export type Handler<N extends MethodName> = (ch: AmqpChannel, args: MethodArgs<N>) => Promise<void> | undefined;
export type HandlerTable = { [N in MethodName]?: Handler<N> };

const TABLE: HandlerTable = {
  ...channelHandlers,
  ...exchangeHandlers,
  ...queueHandlers,
  ...consumeHandlers,
  ...publishHandlers,
  ...ackHandlers,
  ...getHandlers,
  ...confirmHandlers,
  ...txHandlers,
};

export function dispatch(ch: AmqpChannel, method: AmqpMethod): Promise<void> | undefined {
  const handler = TABLE[method.name] as Handler<MethodName> | undefined;
  if (handler === undefined) {
    throw new AmqpError(REPLY.COMMAND_INVALID, `unimplemented method '${method.name}'`, true);
  }
  return handler(ch, method.args as MethodArgs<MethodName>);
}
