/**
 * Retained messages: a table keyed by topic, held in memory for matching and written through to the durable
 * MetaStore (namespace `mqtt.retained`) so they survive a restart. `$SYS` topics are kept in memory only.
 */
import type { IPublishPacket, QoS } from 'mqtt-packet';
import type { MetaStore } from '../../storage/types';
import { topicMatches } from './topics';

export const RETAINED_NAMESPACE = 'mqtt.retained';
/** Most retained topics kept; beyond this, new retained topics are not stored (the publish is still routed). */
export const MQTT_RETAINED_TOPICS_MAX = 100_000;

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  properties: NonNullable<IPublishPacket['properties']>;
  storedAtMs: number;
}

interface StoredJson {
  topic: string;
  payload: string;
  qos: QoS;
  properties: Record<string, unknown>;
  correlationData?: string;
  storedAtMs: number;
}

function toJson(m: RetainedMessage): StoredJson {
  const { correlationData, topicAlias, subscriptionIdentifier, ...rest } = m.properties;
  void topicAlias;
  void subscriptionIdentifier;
  const out: StoredJson = { topic: m.topic, payload: m.payload.toString('base64'), qos: m.qos, properties: rest, storedAtMs: m.storedAtMs };
  if (correlationData !== undefined) out.correlationData = Buffer.from(correlationData).toString('base64');
  return out;
}

function fromJson(j: StoredJson): RetainedMessage {
  const properties = { ...j.properties } as NonNullable<IPublishPacket['properties']>;
  if (j.correlationData !== undefined) properties.correlationData = Buffer.from(j.correlationData, 'base64');
  return { topic: j.topic, payload: Buffer.from(j.payload, 'base64'), qos: j.qos, properties, storedAtMs: j.storedAtMs };
}

function expired(m: RetainedMessage, nowMs: number): boolean {
  const sec = m.properties.messageExpiryInterval;
  return sec !== undefined && m.storedAtMs + sec * 1000 <= nowMs;
}

export class RetainedStore {
  private readonly byTopic = new Map<string, RetainedMessage>();

  constructor(private readonly meta: MetaStore) {}

  load(): void {
    for (const [, j] of this.meta.list<StoredJson>(RETAINED_NAMESPACE)) {
      const m = fromJson(j);
      this.byTopic.set(m.topic, m);
    }
  }

  size(): number {
    return this.byTopic.size;
  }

  /** Stores or, for an empty payload, clears [MQTT-3.3.1-10]; resolves when durable. */
  async set(m: RetainedMessage): Promise<void> {
    const volatile = m.topic.startsWith('$SYS/');
    if (m.payload.length === 0) {
      const had = this.byTopic.delete(m.topic);
      if (had && !volatile) await this.meta.delete(RETAINED_NAMESPACE, m.topic);
      return;
    }
    if (!this.byTopic.has(m.topic) && this.byTopic.size >= MQTT_RETAINED_TOPICS_MAX) return;
    this.byTopic.set(m.topic, m);
    if (!volatile) await this.meta.put(RETAINED_NAMESPACE, m.topic, toJson(m));
  }

  /** Live retained messages matching a filter; expired ones are dropped on the way. */
  match(filter: string, nowMs: number): RetainedMessage[] {
    const out: RetainedMessage[] = [];
    // A filter without wildcards names one topic: a lookup instead of a scan.
    const exact = !filter.includes('+') && !filter.includes('#');
    const candidates = exact ? [this.byTopic.get(filter)].filter((m): m is RetainedMessage => m !== undefined) : this.byTopic.values();
    for (const m of candidates) {
      if (!topicMatches(filter, m.topic)) continue;
      if (expired(m, nowMs)) {
        this.byTopic.delete(m.topic);
        if (!m.topic.startsWith('$SYS/')) void this.meta.delete(RETAINED_NAMESPACE, m.topic);
        continue;
      }
      out.push(m);
    }
    return out;
  }
}
