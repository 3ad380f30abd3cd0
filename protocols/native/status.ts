/**
 * The STATUS document (JSON): node, listeners, connections, topics, groups with lag, storage. Listeners and
 * storage come from ctx.control when the Broker provides it; otherwise only what this adapter knows.
 */
import type { NativeConnection } from './connection';

export interface StatusTopic {
  name: string;
  partitions: number;
  records: number;
  sizeBytes: number;
}

export interface StatusGroup {
  groupId: string;
  state: string;
  members: number;
  lag: number;
}

export interface BrokerStatus {
  node: string;
  uptimeMs: number;
  listeners: { protocol: string; host: string; port: number }[];
  nativeConnections: number;
  topics: StatusTopic[];
  groups: StatusGroup[];
  storage: Record<string, number | string | boolean>;
  alarms: { blocked: boolean; reason: string | null };
}

export function buildStatus(conn: NativeConnection): BrokerStatus {
  const { ctx, server } = conn;
  const topics = conn.vhost.topics;
  const listeners = ctx.control?.listeners() ?? [{ protocol: 'native', host: server.host, port: server.port() }];
  const groups: StatusGroup[] = [];
  for (const id of topics.groups.list()) {
    try {
      const g = topics.groups.describe(id);
      groups.push({ groupId: id, state: g.state, members: g.members.length, lag: g.lag.reduce((s, l) => s + l.lag, 0) });
    } catch {
      // deleted between list and describe
    }
  }
  return {
    node: ctx.nodeName,
    uptimeMs: Date.now() - server.startedAtMs,
    listeners,
    nativeConnections: server.connectionCount(),
    topics: topics.listTopics().map((t) => ({
      name: t.name,
      partitions: t.partitions.length,
      records: t.partitions.reduce((s, p) => s + (p.endOffset - p.startOffset), 0),
      sizeBytes: t.partitions.reduce((s, p) => s + p.sizeBytes, 0),
    })),
    groups,
    storage: ctx.control?.storage() ?? {},
    alarms: { blocked: ctx.alarms.blocked, reason: ctx.alarms.reason },
  };
}
