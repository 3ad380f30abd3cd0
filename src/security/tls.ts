/**
 * TLS listeners (AMQPS, MQTTS): a TLS server in front of a protocol server's handleConnection, which takes any
 * Duplex. The certificate files are read once at start; a missing or unreadable file stops the start with one line.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import type { BrokerConfig } from '../config';
import { BrokerError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { StreamProtocolServer } from '../core/types';

/** A TLS handshake that has not finished by then is dropped (a silent client must not hold a socket forever). */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Server options from the config, or null when TLS is not configured. */
export function tlsServerOptions(cfg: BrokerConfig): tls.TlsOptions | null {
  if (cfg.tlsCertFile === '' || cfg.tlsKeyFile === '') return null;
  const read = (key: string, file: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new BrokerError('INVALID_CONFIG', `invalid config ${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const opts: tls.TlsOptions = {
    cert: read('tlsCertFile', cfg.tlsCertFile),
    key: read('tlsKeyFile', cfg.tlsKeyFile),
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
    minVersion: 'TLSv1.2',
  };
  if (cfg.tlsCaFile !== '') opts.ca = read('tlsCaFile', cfg.tlsCaFile);
  if (cfg.tlsVerifyPeer) {
    opts.requestCert = true;
    opts.rejectUnauthorized = true;
  }
  try {
    tls.createSecureContext(opts);
  } catch (err) {
    throw new BrokerError('INVALID_CONFIG', `invalid config tlsCertFile/tlsKeyFile: ${(err as Error).message}`);
  }
  return opts;
}

/** One TLS port whose decrypted connections go to a protocol server (which owns and closes them). */
export class TlsListener {
  private readonly server: tls.Server;
  private boundPort = 0;

  constructor(
    readonly target: StreamProtocolServer,
    private readonly host: string,
    private readonly port: number,
    options: tls.TlsOptions,
    private readonly log: Logger,
  ) {
    this.server = tls.createServer(options, (socket) => {
      socket.setNoDelay(true);
      target.handleConnection(socket, { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, transport: 'tls' });
    });
    // A failed handshake (wrong CA, no client certificate, plain bytes on the TLS port) concerns that socket only.
    this.server.on('tlsClientError', (err, socket) => {
      this.log.debug({ err: err.message, remoteAddress: socket.remoteAddress }, 'tls handshake failed');
      socket.destroy();
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr !== null && typeof addr === 'object') this.boundPort = addr.port;
    this.log.info({ port: this.boundPort, protocol: `${this.target.name}s` }, 'tls listening');
  }

  portNumber(): number {
    return this.boundPort;
  }

  /** Stops accepting; the connections already handed over are closed by their protocol server. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
