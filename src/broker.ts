/**
 * The broker process: storage, the default vhost, alarms, security, and the protocol listeners, started and
 * stopped in order. Embeddable: `const b = new Broker({ dataDir, amqpPort: 0 }); await b.start(); … await b.stop()`.
 *
 *   new ──start()──► starting ──► running ──stop()──► stopping ──► stopped
 *   stop() stops accepting, closes connections politely, waits for in-flight commits, then closes the files.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { createAmqpServer } from '../protocols/amqp/server';
import { createMqttServer } from '../protocols/mqtt/server';
import { createNativeServer } from '../protocols/native/server';
import { MemoryLogStore, SqliteLogStore, SqliteMetaStore, type LogStore, type MetaStore } from '../storage';
import { type BrokerConfig, type ConfigSources, loadConfig } from './config';
import { ResourceAlarms } from './core/alarms';
import { BrokerError } from './core/errors';
import type { Limits } from './core/limits';
import { type Logger, childLogger, rootLogger } from './core/logger';
import type { BrokerContext, StreamProtocolServer, VirtualHost } from './core/types';
import { VirtualHostImpl } from './core/vhost';
import { HttpServer } from './management/http-server';
import { createMetrics } from './management/metrics';
import { createDefaultSecurity } from './security/default-security';
import { TlsListener, tlsServerOptions } from './security/tls';

export type BrokerOptions = Partial<Omit<BrokerConfig, 'limits'>> & { limits?: Partial<Limits> };

export interface BrokerPorts {
  amqp: number;
  mqtt: number;
  native: number;
  http: number;
  /** TLS listeners: present only when TLS is configured (every port listed here is open). */
  amqps?: number;
  mqtts?: number;
  https?: number;
}

type State = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';


/** Emits 'stopped' after stop() completes (also when a client asked for the shutdown). */
export class Broker extends EventEmitter {
  readonly config: BrokerConfig;
  private state: State = 'new';
  private readonly logger: Logger;
  private store: LogStore | null = null;
  private transientStore: LogStore | null = null;
  private meta: MetaStore | null = null;
  private readonly vhosts = new Map<string, VirtualHostImpl>();
  private alarms: ResourceAlarms | null = null;
  private servers: StreamProtocolServer[] = [];
  private http: HttpServer | null = null;
  private https: HttpServer | null = null;
  private tlsListeners: TlsListener[] = [];
  private ctx: BrokerContext | null = null;
  private readonly startedAtMs = Date.now();

  /**
   * Embedding: options over the defaults, nothing read from files or the environment. The CLI builds its
   * config from file, environment and flags with `loadConfig` and passes `{ sources }` instead.
   */
  constructor(options: BrokerOptions = {}, sources?: ConfigSources) {
    super();
    this.config = loadConfig(sources ?? { env: {}, file: null, overrides: options });
    this.logger = childLogger('broker');
  }

  context(): BrokerContext {
    if (!this.ctx) throw new BrokerError('INTERNAL_ERROR', 'broker not started');
    return this.ctx;
  }

  ports(): BrokerPorts {
    const byName = (n: string): number => this.servers.find((s) => s.name === n)?.port() ?? 0;
    const plain: BrokerPorts = { amqp: byName('amqp'), mqtt: byName('mqtt'), native: byName('native'), http: this.http?.port() ?? 0 };
    if (this.https === null) return plain;
    const tlsPort = (n: string): number => this.tlsListeners.find((l) => l.target.name === n)?.portNumber() ?? 0;
    return { ...plain, amqps: tlsPort('amqp'), mqtts: tlsPort('mqtt'), https: this.https.port() };
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new BrokerError('INTERNAL_ERROR', `cannot start a broker that is ${this.state}`);
    this.state = 'starting';
    const cfg = this.config;
    const host = cfg.host;
    try {
      // Read (and check) the certificate files before anything is opened: a bad path is a one-line refusal.
      const tlsOptions = tlsServerOptions(cfg);
      fs.mkdirSync(cfg.dataDir, { recursive: true });
      const store: LogStore = new SqliteLogStore({
        dataDir: path.join(cfg.dataDir, 'segments'),
        synchronous: cfg.synchronous,
        segmentSizeMaxBytes: cfg.limits.segmentSizeMaxBytes,
        groupCommitDelayMaxMs: cfg.limits.groupCommitDelayMaxMs,
        groupCommitBytesMax: cfg.limits.groupCommitBytesMax,
        quarantineCorrupt: cfg.quarantineCorrupt,
        writer: cfg.storageWriter,
      });
      this.store = store;
      await store.open();
      const transientStore = new MemoryLogStore();
      this.transientStore = transientStore;
      await transientStore.open();
      const meta = SqliteMetaStore.open(path.join(cfg.dataDir, 'meta.sqlite'), cfg.synchronous);
      this.meta = meta;

      const alarms = new ResourceAlarms({
        memoryHighWatermarkBytes: cfg.limits.memoryHighWatermarkBytes,
        diskFreeLimitBytes: cfg.limits.diskFreeLimitBytes,
        dataDir: cfg.dataDir,
        storageFull: () => (store as LogStore & { isFull?: () => boolean }).isFull?.() ?? false,
        logger: this.logger,
      });
      this.alarms = alarms;
      alarms.start();

      for (const name of cfg.vhosts) {
        const vhost = new VirtualHostImpl(name, {
          store,
          transientStore,
          meta,
          limits: cfg.limits,
          logger: childLogger('vhost').child({ vhost: name }),
          now: () => Date.now(),
          setTimer: (ms: number, fn: () => void) => {
            const t = setTimeout(fn, ms);
            t.unref();
            return () => clearTimeout(t);
          },
        });
        await vhost.recover();
        this.vhosts.set(name, vhost);
      }
      const defaultVhost = this.vhosts.get(cfg.vhosts[0]) as VirtualHostImpl;

      const ctx: BrokerContext = {
        vhost: (name) => this.vhosts.get(name),
        defaultVhost,
        security: createDefaultSecurity(cfg),
        alarms,
        limits: cfg.limits,
        logger: rootLogger(),
        nodeName: cfg.nodeName,
        meta,
        control: {
          listeners: () => {
            const p = this.ports();
            return Object.entries(p).map(([protocol, port]) => ({ protocol, host, port: port as number }));
          },
          storage: () => ({ dataDir: cfg.dataDir, synchronous: cfg.synchronous, ...(this.store?.stats() ?? {}) }),
          shutdown: ({ timeoutMs, force }) => this.requestShutdown(timeoutMs, force),
        },
      };
      this.ctx = ctx;
      this.servers = [
        createAmqpServer(ctx, { host, port: cfg.amqpPort }),
        createMqttServer(ctx, { host, port: cfg.mqttPort, sysIntervalMs: cfg.sysIntervalSeconds * 1000 }),
        createNativeServer(ctx, { host, port: cfg.nativePort }),
      ];
      for (const s of this.servers) await s.start();
      const metrics = createMetrics(() => this.counters());
      const httpDeps = {
        host,
        port: cfg.httpPort,
        logger: childLogger('http'),
        metrics,
        websocketRoutes: new Map(
          this.servers.filter((s) => s.name === 'mqtt' || s.name === 'native').map((s) => [`/${s.name}`, s]),
        ),
        overview: () => this.overview(),
      };
      this.http = new HttpServer(httpDeps);
      await this.http.start();
      if (tlsOptions !== null) {
        const tlsLog = childLogger('tls');
        const byName = (n: string): StreamProtocolServer => this.servers.find((s) => s.name === n) as StreamProtocolServer;
        this.tlsListeners = [
          new TlsListener(byName('amqp'), host, cfg.amqpsPort, tlsOptions, tlsLog),
          new TlsListener(byName('mqtt'), host, cfg.mqttsPort, tlsOptions, tlsLog),
        ];
        for (const l of this.tlsListeners) await l.start();
        this.https = new HttpServer({ ...httpDeps, port: cfg.httpsPort, tls: tlsOptions });
        await this.https.start();
      }
      this.state = 'running';
      this.logger.info({ ports: this.ports(), dataDir: cfg.dataDir, node: cfg.nodeName }, 'polymq started');
    } catch (err) {
      this.state = 'running';
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping' || this.state === 'new') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    await this.http?.stop().catch((err: unknown) => this.logger.warn({ err }, 'http stop failed'));
    await this.https?.stop().catch((err: unknown) => this.logger.warn({ err }, 'https stop failed'));
    // TLS ports stop accepting now; their connections belong to the protocol servers, which close them next.
    const tlsClosed = this.tlsListeners.map((l) => l.stop());
    for (const s of this.servers) await s.stop().catch((err: unknown) => this.logger.warn({ err, server: s.name }, 'listener stop failed'));
    await Promise.all(tlsClosed);
    for (const v of this.vhosts.values()) await v.close();
    this.alarms?.stop();
    await this.store?.flush();
    await this.store?.close();
    await this.transientStore?.close();
    await this.meta?.close();
    this.state = 'stopped';
    this.logger.info('polymq stopped');
    this.emit('stopped');
  }

  /** A client (native SHUTDOWN, `polymq stop`) asked us to stop; answer first, then stop on the next tick. */
  private requestShutdown(timeoutMs: number, force: boolean): void {
    this.logger.info({ timeoutMs, force }, 'shutdown requested by a client');
    setImmediate(() => {
      if (force) {
        this.emit('force-stop');
        return;
      }
      const timer = setTimeout(() => this.emit('force-stop'), timeoutMs);
      timer.unref();
      void this.stop().finally(() => clearTimeout(timer));
    });
  }

  /** Counters for /metrics and status. */
  counters(): Record<string, number> {
    const st = this.store?.stats();
    const out: Record<string, number> = {
      uptime_seconds: Math.round((Date.now() - this.startedAtMs) / 1000),
      alarms_blocked: this.alarms?.blocked ? 1 : 0,
    };
    for (const s of this.servers) out[`connections_${s.name}`] = s.connectionCount();
    if (st) {
      out.storage_logs = st.logs;
      out.storage_segments = st.segments;
      out.storage_bytes_on_disk = st.bytesOnDisk;
      out.storage_commits = st.commits;
      out.storage_records_appended = st.recordsAppended;
      out.storage_records_withdrawn = st.recordsWithdrawn ?? 0;
    }
    return out;
  }

  overview(): unknown {
    return {
      node: this.config.nodeName,
      ports: this.ports(),
      dataDir: this.config.dataDir,
      alarms: this.alarms?.reason ?? null,
      counters: this.counters(),
      topics: this.vhosts.get(this.config.vhosts[0])?.topics.listTopics() ?? [],
    };
  }

  vhost(name: string = this.config.vhosts[0]): VirtualHost | undefined {
    return this.vhosts.get(name);
  }
}
