/**
 * MQTT session state and its persistence. A persistent session (v3.1.1 clean session 0, v5 session expiry > 0)
 * is a DURABLE queue `mqtt-subscription-<clientid>qos1` plus this record in the MetaStore (namespace
 * `mqtt.sessions`): subscriptions with their options and the QoS 2 packet ids that must survive a restart for
 * exactly-once. A clean session uses a transient exclusive queue `mqtt-subscription-<clientid>qos0` and no record.
 */
import { createHash } from 'node:crypto';
import type { QoS } from 'mqtt-packet';
import type { MetaStore } from '../../storage/types';

export const SESSIONS_NAMESPACE = 'mqtt.sessions';
/** v5 "never expires" (v5 §3.1.2.11.2: Session Expiry Interval 0xFFFFFFFF). */
export const SESSION_EXPIRY_NEVER_SEC = 0xffff_ffff;
/** Client ids longer than this get a hashed queue name (AMQP queue names are shortstr, at most 255 bytes). */
const QUEUE_NAME_CLIENT_ID_MAX_BYTES = 200;

export interface SubscriptionOptions {
  qos: QoS;
  /** v5 No Local. */
  nl: boolean;
  /** v5 Retain As Published. */
  rap: boolean;
  /** v5 Retain Handling 0/1/2. */
  rh: number;
  /** v5 Subscription Identifier. */
  subId?: number;
}

export interface SessionState {
  clientId: string;
  queue: string;
  durable: boolean;
  expiryIntervalSec: number;
  /** Topic filter as the client sent it (including `$share/g/…`) → options. */
  subscriptions: Record<string, SubscriptionOptions>;
  /** Inbound QoS 2 packet ids we sent PUBREC for and await PUBREL for (v5 §4.3.3, 3.1.1 §4.3.3). */
  inboundQos2: number[];
  /** Outbound QoS 2 packet ids we sent PUBREL for and await PUBCOMP for. */
  outboundPubrel: number[];
  /** null while a connection holds the session. */
  disconnectedAtMs: number | null;
  /**
   * Packet ids of outbound QoS 1/2 PUBLISH not yet acknowledged, by `<queue>#<log offset>`: a redelivery after a
   * reconnect reuses the original id [MQTT-4.4.0-1]. Persisted with the session (written on QoS 2 sends).
   */
  outboundIds?: Record<string, number>;
}

function queueId(clientId: string): string {
  if (Buffer.byteLength(clientId) <= QUEUE_NAME_CLIENT_ID_MAX_BYTES) return clientId;
  return 'sha1-' + createHash('sha1').update(clientId).digest('hex');
}

export function sessionQueueName(clientId: string, durable: boolean): string {
  return `mqtt-subscription-${queueId(clientId)}${durable ? 'qos1' : 'qos0'}`;
}

/** One durable queue per share group and filter; every member session consumes from it. */
export function sharedQueueName(group: string, filter: string): string {
  const id = `${group}/${filter}`;
  const safe = Buffer.byteLength(id) <= QUEUE_NAME_CLIENT_ID_MAX_BYTES ? id : 'sha1-' + createHash('sha1').update(id).digest('hex');
  return `mqtt-shared-${safe}`;
}

export function newSession(clientId: string, durable: boolean, expiryIntervalSec: number): SessionState {
  return {
    clientId,
    queue: sessionQueueName(clientId, durable),
    durable,
    expiryIntervalSec,
    subscriptions: {},
    inboundQos2: [],
    outboundPubrel: [],
    disconnectedAtMs: null,
  };
}

export function isExpired(s: SessionState, nowMs: number): boolean {
  if (s.disconnectedAtMs === null || s.expiryIntervalSec === SESSION_EXPIRY_NEVER_SEC) return false;
  return s.disconnectedAtMs + s.expiryIntervalSec * 1000 <= nowMs;
}

export class SessionStore {
  /** Client ids with a stored session, so counting them (for `$SYS`) does not read every record. */
  private readonly ids = new Set<string>();

  constructor(private readonly meta: MetaStore) {
    for (const [id] of meta.list<SessionState>(SESSIONS_NAMESPACE)) this.ids.add(id);
  }

  count(): number {
    return this.ids.size;
  }

  get(clientId: string): SessionState | undefined {
    return this.meta.get<SessionState>(SESSIONS_NAMESPACE, clientId);
  }

  list(): SessionState[] {
    return this.meta.list<SessionState>(SESSIONS_NAMESPACE).map(([, s]) => s);
  }

  /** Resolves when durable; transient sessions are never written. */
  async save(s: SessionState): Promise<void> {
    if (!s.durable) return;
    this.ids.add(s.clientId);
    await this.meta.put(SESSIONS_NAMESPACE, s.clientId, s);
  }

  async remove(clientId: string): Promise<void> {
    if (!this.ids.delete(clientId)) return;
    await this.meta.delete(SESSIONS_NAMESPACE, clientId);
  }
}
