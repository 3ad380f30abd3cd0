/**
 * The AMQP 0-9-1 listener (RabbitMQ-compatible). Accepts TCP connections itself and serves any other Duplex
 * (WebSocket gateway, TLS) through handleConnection. Each connection is an AmqpConnection (connection.ts).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { BrokerContext, ConnectionInfo, StreamProtocolServer } from '../../src/core/types';
import { AmqpConnection, type AmqpServerShared } from './connection';
import { REPLY } from './constants';
import { ReplyToRegistry } from './reply-to';

export function createAmqpServer(ctx: BrokerContext, opts: { host: string; port: number }): StreamProtocolServer {
  const logger = ctx.logger.child({ component: 'amqp' });
  const shared: AmqpServerShared = { ctx, replyTo: new ReplyToRegistry(), logger };
  const connections = new Set<AmqpConnection>();
  let server: net.Server | null = null;
  let boundPort = opts.port;
  // rabbitmq.com/docs/connection-blocked: one alarm listener for the server, fanned out to the connections.
  const onBlocked = (reason: unknown): void => {
    for (const c of connections) c.alarmChanged(true, typeof reason === 'string' ? reason : 'resource alarm');
  };
  const onUnblocked = (): void => {
    for (const c of connections) c.alarmChanged(false, '');
  };

  function handleConnection(stream: Duplex, info: ConnectionInfo): void {
    if (connections.size >= ctx.limits.connectionsMax) {
      logger.warn({ max: ctx.limits.connectionsMax }, 'connection limit reached, refusing');
      stream.destroy();
      return;
    }
    const conn = new AmqpConnection(stream, info, shared, (c) => connections.delete(c));
    connections.add(conn);
  }

  return {
    name: 'amqp',
    async start(): Promise<void> {
      const s = net.createServer({ noDelay: true }, (socket) => {
        handleConnection(socket, {
          remoteAddress: socket.remoteAddress ?? 'unknown',
          remotePort: socket.remotePort ?? 0,
          transport: 'tcp',
        });
      });
      server = s;
      ctx.alarms.on('blocked', onBlocked);
      ctx.alarms.on('unblocked', onUnblocked);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.port, opts.host, () => {
          s.off('error', reject);
          const addr = s.address();
          if (addr !== null && typeof addr === 'object') boundPort = addr.port;
          logger.info({ host: opts.host, port: boundPort }, 'AMQP listener started');
          resolve();
        });
      });
    },
    async stop(): Promise<void> {
      const s = server;
      server = null;
      ctx.alarms.off('blocked', onBlocked);
      ctx.alarms.off('unblocked', onUnblocked);
      const closed = s === null ? Promise.resolve() : new Promise<void>((resolve) => s.close(() => resolve()));
      // Polite close: connection.close 320 CONNECTION_FORCED, as RabbitMQ does on shutdown.
      for (const c of [...connections]) c.close(REPLY.CONNECTION_FORCED, 'broker forced connection closure with reason \'shutdown\'');
      const deadline = Date.now() + 2000;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const c of [...connections]) c.destroy();
      await closed;
    },
    port: () => boundPort,
    connectionCount: () => connections.size,
    handleConnection,
  };
}
