/**
 * The native protocol server: a TCP listener (port 5680 by default) plus handleConnection for streams accepted
 * elsewhere (the Broker routes WebSocket `/native` connections here). Any Duplex works.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { BrokerContext, ConnectionInfo, StreamProtocolServer } from '../../src/core/types';
import { NativeConnection, type NativeServerInfo } from './connection';
import { encodeError } from './codec/responses';

export function createNativeServer(ctx: BrokerContext, opts: { host: string; port: number }): StreamProtocolServer {
  const connections = new Set<NativeConnection>();
  const log = ctx.logger.child({ component: 'native' });
  let server: net.Server | null = null;
  let boundPort = opts.port;
  let stopping = false;

  const info: NativeServerInfo = {
    host: opts.host,
    port: () => boundPort,
    connectionCount: () => connections.size,
    startedAtMs: Date.now(),
  };

  function handleConnection(stream: Duplex, connInfo: ConnectionInfo): void {
    if (stopping || connections.size >= ctx.limits.connectionsMax) {
      stream.end(encodeError(0, stopping ? 'BROKER_STOPPING' : 'LIMIT_EXCEEDED', 'connection refused'));
      return;
    }
    const conn = new NativeConnection(ctx, stream, connInfo, info, (c) => connections.delete(c));
    connections.add(conn);
  }

  return {
    name: 'native',
    async start(): Promise<void> {
      const srv = net.createServer({ noDelay: true }, (socket) => {
        handleConnection(socket, {
          remoteAddress: socket.remoteAddress ?? '',
          remotePort: socket.remotePort ?? 0,
          transport: 'tcp',
        });
      });
      server = srv;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(opts.port, opts.host, () => {
          srv.off('error', reject);
          const addr = srv.address();
          if (addr !== null && typeof addr === 'object') boundPort = addr.port;
          resolve();
        });
      });
      srv.on('error', (err) => log.error({ err }, 'native listener error'));
      log.info({ host: opts.host, port: boundPort }, 'native protocol listening');
    },
    async stop(): Promise<void> {
      stopping = true;
      const closed = server ? new Promise<void>((resolve) => server?.close(() => resolve())) : Promise.resolve();
      for (const c of [...connections]) c.fail('BROKER_STOPPING', 'broker is stopping');
      await closed;
      server = null;
    },
    port: () => boundPort,
    connectionCount: () => connections.size,
    handleConnection,
  };
}
