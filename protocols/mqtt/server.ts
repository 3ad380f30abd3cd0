/**
 * The MQTT 3.1.1 / 5.0 listener. Plain TCP here; the broker hands WebSocket (`/mqtt`) and TLS streams to
 * handleConnection, which works for any Duplex.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BrokerContext, ConnectionInfo, StreamProtocolServer } from '../../src/core/types';
import { MqttConnection } from './connection';
import { MQTT_CONNECT_TIMEOUT_MS, MQTT_KEEPALIVE_MAX_SEC, MQTT_SYS_INTERVAL_MS, MqttHub, type MqttServerOptions } from './hub';
import { RC } from './reason';
import { publishSys } from './sys';

export type { MqttServerOptions } from './hub';

/** How long stop() waits for connections to finish closing. */
const STOP_TIMEOUT_MS = 5000;

export function createMqttServer(ctx: BrokerContext, opts: MqttServerOptions): StreamProtocolServer {
  const log = ctx.logger.child({ component: 'mqtt' });
  const hub = new MqttHub(
    ctx,
    {
      host: opts.host,
      port: opts.port,
      sysIntervalMs: opts.sysIntervalMs ?? MQTT_SYS_INTERVAL_MS,
      keepAliveMaxSec: opts.keepAliveMaxSec ?? MQTT_KEEPALIVE_MAX_SEC,
      connectTimeoutMs: opts.connectTimeoutMs ?? MQTT_CONNECT_TIMEOUT_MS,
    },
    log,
  );
  const connections = new Set<MqttConnection>();
  let server: Server | null = null;
  let boundPort = opts.port;
  let sysTimer: NodeJS.Timeout | null = null;
  let started: Promise<void> | null = null;
  let ready = false;
  let stopping = false;

  const updateAll = (): void => {
    for (const c of connections) c.updateReading();
  };

  function handleConnection(stream: Duplex, info: ConnectionInfo): void {
    if (stopping || connections.size >= ctx.limits.connectionsMax) {
      stream.destroy();
      return;
    }
    const conn = new MqttConnection(hub, stream, info, (c) => connections.delete(c));
    connections.add(conn);
    // Until the hub has loaded sessions and retained messages, hold the bytes back.
    if (!ready) {
      stream.pause();
      const loading = started ?? Promise.reject(new Error('mqtt server not started'));
      loading.then(() => stream.resume(), () => stream.destroy());
    }
  }

  const sys = (): void => {
    let connected = 0;
    let transient = 0;
    for (const c of connections) {
      if (c.state !== 'open') continue;
      connected++;
      if (c.session !== null && !c.session.durable) transient++;
    }
    publishSys(hub, connected, transient).catch((err: unknown) => log.debug({ err }, '$SYS publish failed'));
  };

  return {
    name: 'mqtt',
    async start(): Promise<void> {
      started = hub.start();
      await started;
      ready = true;
      ctx.alarms.on('blocked', updateAll);
      ctx.alarms.on('unblocked', updateAll);
      server = createServer((socket: Socket) => {
        socket.setNoDelay(true);
        handleConnection(socket, { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, transport: 'tcp' });
      });
      const srv = server;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(opts.port, opts.host, () => {
          srv.off('error', reject);
          resolve();
        });
      });
      const addr = srv.address();
      if (addr !== null && typeof addr === 'object') boundPort = addr.port;
      if (hub.opts.sysIntervalMs > 0) {
        sys();
        sysTimer = setInterval(sys, hub.opts.sysIntervalMs);
        sysTimer.unref();
      }
      log.info({ port: boundPort }, 'mqtt listening');
    },
    async stop(): Promise<void> {
      stopping = true;
      if (sysTimer !== null) clearInterval(sysTimer);
      ctx.alarms.off('blocked', updateAll);
      ctx.alarms.off('unblocked', updateAll);
      const closed = new Promise<void>((resolve) => {
        if (server === null) resolve();
        else server.close(() => resolve());
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_TIMEOUT_MS);
        timer.unref();
      });
      // The server closes every connection, so their wills are due; published first, while subscribers are connected.
      const wills = [...connections].map((c) => c.publishShutdownWill());
      await Promise.race([Promise.all([...wills, hub.publishPendingWills()]).then(() => undefined), timeout]);
      // v5 clients learn why: DISCONNECT 0x8B Server shutting down.
      const all = [...connections].map((c) => c.closeWith(RC.SERVER_SHUTTING_DOWN, 'server-stop'));
      await Promise.race([Promise.all(all).then(() => undefined), timeout]);
      clearTimeout(timer);
      await Promise.race([closed, timeout]);
      hub.stop();
    },
    port: () => boundPort,
    connectionCount: () => connections.size,
    handleConnection,
  };
}
