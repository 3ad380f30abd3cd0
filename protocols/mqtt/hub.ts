/**
 * State shared by every MQTT connection of one server: the client-id registry (takeover), persistent sessions
 * and their expiry timers, delayed will messages, retained messages and the counters `$SYS` reports.
 */
import type { BrokerContext, PublishResult, VirtualHost } from '../../src/core/types';
import type { Message } from '../../src/core/message';
import type { Logger } from '../../src/core/logger';
import { SYS_EXCHANGE } from './convert';
import { RetainedStore } from './retained';
import { isExpired, SESSION_EXPIRY_NEVER_SEC, SessionStore, sharedQueueName, type SessionState } from './session';
import { parseSharedFilter } from './topics';

/** setTimeout cannot wait longer than 2^31-1 ms; longer expiries are re-armed when the timer fires. */
const TIMER_DELAY_MAX_MS = 2_147_483_647;
/** Owner id the hub uses for queue operations not tied to a connection (expiry, sweep). */
export const HUB_OWNER = 'mqtt:hub';

export interface MqttServerOptions {
  host: string;
  port: number;
  /** `$SYS` publish interval (Mosquitto's sys_interval, default 10 s); 0 disables. */
  sysIntervalMs?: number;
  /** Largest keep-alive we accept; a v5 client asking more gets Server Keep Alive = this. */
  keepAliveMaxSec?: number;
  /** A connection that sends no CONNECT within this time is closed (idle sockets are not free). */
  connectTimeoutMs?: number;
}

/** Default for connectTimeoutMs. */
export const MQTT_CONNECT_TIMEOUT_MS = 10_000;

/** Mosquitto's default sys_interval. */
export const MQTT_SYS_INTERVAL_MS = 10_000;
/** Mosquitto's default max_keepalive. */
export const MQTT_KEEPALIVE_MAX_SEC = 65_535;

/** What the hub needs from a live connection. */
export interface HubConnection {
  readonly clientId: string;
  /** Closes because another connection took the client id; resolves once the session is released. */
  takeOver(): Promise<void>;
  subscriptionCount(): number;
  /** Topic filters of the session this connection holds (including `$share/…`). */
  subscribedFilters(): string[];
}

export interface MqttStats {
  messagesReceived: number;
  messagesSent: number;
  bytesReceived: number;
  bytesSent: number;
  connectionsTotal: number;
}

export class MqttHub {
  readonly vhost: VirtualHost;
  readonly retained: RetainedStore;
  readonly sessions: SessionStore;
  readonly byClientId = new Map<string, HubConnection>();
  readonly stats: MqttStats = { messagesReceived: 0, messagesSent: 0, bytesReceived: 0, bytesSent: 0, connectionsTotal: 0 };
  readonly startedAtMs = Date.now();
  private readonly pendingWills = new Map<string, { timer: NodeJS.Timeout; fire: () => Promise<void> }>();
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  /** Client ids whose session is being set up or torn down; a CONNECT for them waits. */
  private readonly locks = new Map<string, Promise<void>>();

  constructor(
    readonly ctx: BrokerContext,
    readonly opts: Required<MqttServerOptions>,
    readonly log: Logger,
  ) {
    this.vhost = ctx.defaultVhost;
    this.retained = new RetainedStore(ctx.meta);
    this.sessions = new SessionStore(ctx.meta);
  }

  /** Loads retained messages and ends sessions that expired while the broker was down. */
  async start(): Promise<void> {
    await this.vhost.declareExchange(
      { name: SYS_EXCHANGE, type: 'topic', durable: true, autoDelete: false, internal: false, arguments: {} },
      false,
    );
    this.retained.load();
    const now = Date.now();
    for (const s of this.sessions.list()) {
      if (s.disconnectedAtMs === null) {
        // The broker stopped (or crashed) while the client was connected: the session was offline from now.
        s.disconnectedAtMs = now;
        await this.sessions.save(s);
      }
      if (isExpired(s, now)) await this.discardSession(s);
      else this.scheduleExpiry(s);
    }
  }

  stop(): void {
    for (const t of this.expiryTimers.values()) clearTimeout(t);
    this.expiryTimers.clear();
    for (const w of this.pendingWills.values()) clearTimeout(w.timer);
    this.pendingWills.clear();
  }

  publish(msg: Message): PublishResult {
    return this.vhost.publish(msg, { mandatory: false });
  }

  /** Runs `fn` exclusively for one client id (CONNECT, takeover and teardown of the same id never overlap). */
  async withClientLock<T>(clientId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(clientId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = prev.then(() => mine);
    this.locks.set(clientId, chained);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.locks.get(clientId) === chained) this.locks.delete(clientId);
    }
  }

  /** Deletes the session queue and record, and shared group queues nobody subscribes to any more. */
  async discardSession(s: SessionState): Promise<void> {
    this.cancelExpiry(s.clientId);
    try {
      await this.vhost.deleteQueue(s.queue, { ifUnused: false, ifEmpty: false }, HUB_OWNER);
    } catch (err) {
      this.log.debug({ err, queue: s.queue }, 'session queue already gone');
    }
    await this.sessions.remove(s.clientId);
    for (const filter of Object.keys(s.subscriptions)) {
      const shared = parseSharedFilter(filter);
      if (shared !== null && shared !== 'invalid') await this.releaseSharedQueue(filter, s.clientId);
    }
  }

  /**
   * A `$share` group queue lives while some session (connected or stored) subscribes to it; the last one to
   * leave deletes it, so a group nobody consumes does not collect messages forever.
   */
  async releaseSharedQueue(filter: string, leavingClientId: string): Promise<void> {
    const shared = parseSharedFilter(filter);
    if (shared === null || shared === 'invalid') return;
    for (const c of this.byClientId.values()) {
      if (c.clientId !== leavingClientId && c.subscribedFilters().includes(filter)) return;
    }
    for (const s of this.sessions.list()) {
      if (s.clientId !== leavingClientId && s.subscriptions[filter] !== undefined) return;
    }
    const queue = sharedQueueName(shared.group, shared.filter);
    try {
      await this.vhost.deleteQueue(queue, { ifUnused: true, ifEmpty: false }, HUB_OWNER);
    } catch (err) {
      this.log.debug({ err, queue }, 'shared queue kept');
    }
  }

  scheduleExpiry(s: SessionState): void {
    this.cancelExpiry(s.clientId);
    if (s.expiryIntervalSec === SESSION_EXPIRY_NEVER_SEC || s.disconnectedAtMs === null) return;
    const dueMs = s.disconnectedAtMs + s.expiryIntervalSec * 1000 - Date.now();
    const timer = setTimeout(() => {
      this.expiryTimers.delete(s.clientId);
      void this.withClientLock(s.clientId, async () => {
        const current = this.sessions.get(s.clientId);
        if (current === undefined || this.byClientId.has(s.clientId)) return;
        if (isExpired(current, Date.now())) await this.discardSession(current);
        else this.scheduleExpiry(current);
      }).catch((err: unknown) => this.log.warn({ err }, 'session expiry failed'));
    }, Math.max(0, Math.min(dueMs, TIMER_DELAY_MAX_MS)));
    timer.unref();
    this.expiryTimers.set(s.clientId, timer);
  }

  cancelExpiry(clientId: string): void {
    const t = this.expiryTimers.get(clientId);
    if (t !== undefined) clearTimeout(t);
    this.expiryTimers.delete(clientId);
  }

  /** v5 Will Delay Interval: the will waits; a new connection for the client id cancels it [MQTT-3.1.3-9]. */
  scheduleWill(clientId: string, delaySec: number, fire: () => Promise<void>): void {
    this.cancelWill(clientId);
    if (delaySec <= 0) {
      void fire();
      return;
    }
    const timer = setTimeout(() => {
      this.pendingWills.delete(clientId);
      void fire();
    }, Math.min(delaySec * 1000, TIMER_DELAY_MAX_MS));
    timer.unref();
    this.pendingWills.set(clientId, { timer, fire });
  }

  /** Broker shutdown: delayed wills are published now rather than lost with their timers. */
  async publishPendingWills(): Promise<void> {
    const due = [...this.pendingWills.values()];
    for (const w of due) clearTimeout(w.timer);
    this.pendingWills.clear();
    await Promise.all(due.map((w) => w.fire()));
  }

  cancelWill(clientId: string): void {
    const w = this.pendingWills.get(clientId);
    if (w !== undefined) clearTimeout(w.timer);
    this.pendingWills.delete(clientId);
  }

  subscriptionCount(): number {
    let n = 0;
    for (const c of this.byClientId.values()) n += c.subscriptionCount();
    return n;
  }
}
