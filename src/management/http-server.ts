/**
 * The HTTP listener: health, a small JSON API, Prometheus /metrics, and the WebSocket endpoints /mqtt and
 * /native, which hand each upgraded socket (as a Duplex) to the protocol server of that name.
 */
import http from 'node:http';
import https from 'node:https';
import type { TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Logger } from '../core/logger';
import type { StreamProtocolServer } from '../core/types';
import type { MetricsRegistry } from './metrics';

export interface HttpServerDeps {
  host: string;
  port: number;
  logger: Logger;
  metrics: MetricsRegistry;
  /** Path → protocol server for WebSocket upgrades ('/mqtt', '/native'). */
  websocketRoutes: Map<string, StreamProtocolServer>;
  overview(): unknown;
  /** Serve HTTPS (and wss) with these options instead of plain HTTP. */
  tls?: TlsOptions;
}

/** Largest WebSocket message accepted; protocol servers enforce their own frame limits beneath. */
export const WEBSOCKET_MESSAGE_MAX_BYTES = 64 * 1024 * 1024;

export class HttpServer {
  private readonly server: http.Server | https.Server;
  private readonly wss: WebSocketServer;

  constructor(private readonly deps: HttpServerDeps) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void this.handle(req, res);
    this.server = deps.tls === undefined ? http.createServer(handler) : https.createServer(deps.tls, handler);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: WEBSOCKET_MESSAGE_MAX_BYTES,
      handleProtocols: (protocols) => {
        // mqtt.js asks for 'mqtt' (v3.1.1/5) or 'mqttv3.1'; echo what was asked so the client accepts.
        for (const p of protocols) return p;
        return false;
      },
    });
    this.server.on('upgrade', (req, socket, head) => {
      const path = (req.url ?? '/').split('?')[0];
      const target = deps.websocketRoutes.get(path);
      if (!target) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const stream = createWebSocketStream(ws);
        stream.on('error', () => stream.destroy());
        target.handleConnection(stream, {
          remoteAddress: req.socket.remoteAddress ?? '',
          remotePort: req.socket.remotePort ?? 0,
          transport: 'ws',
        });
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.deps.port, this.deps.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  async stop(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': this.deps.metrics.contentType });
        res.end(await this.deps.metrics.render());
      } else if (path === '/api/health' || path === '/api/health/checks/alarms') {
        json(res, 200, { status: 'ok' });
      } else if (path === '/api/overview') {
        json(res, 200, this.deps.overview());
      } else {
        json(res, 404, { error: 'not_found', reason: `no route ${path}` });
      }
    } catch (err) {
      this.deps.logger.error({ err }, 'http handler failed');
      json(res, 500, { error: 'internal_error' });
    }
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
