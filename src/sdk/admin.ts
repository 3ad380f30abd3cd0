/**
 * Admin: topics, groups, offsets, broker status and shutdown. A thin typed layer over PolymqClient.
 */
import type { RetentionPolicy } from '../../storage/types';
import type { CommittedOffset, GroupInfo, OffsetResetSpec, TopicInfo } from '../core/types';
import { PolymqClient, type ClientOptions } from './client';

export interface CreateTopicOptions {
  partitions?: number;
  retention?: RetentionPolicy;
}

export interface AdminOptions extends ClientOptions {
  client?: PolymqClient;
}

/** The STATUS document (see protocols/native/status.ts); fields may be added by newer brokers. */
export interface BrokerStatus {
  node: string;
  uptimeMs: number;
  listeners: { protocol: string; host: string; port: number }[];
  nativeConnections: number;
  topics: { name: string; partitions: number; records: number; sizeBytes: number }[];
  groups: { groupId: string; state: string; members: number; lag: number }[];
  storage: Record<string, number | string | boolean>;
  alarms: { blocked: boolean; reason: string | null };
}

export class Admin {
  readonly client: PolymqClient;
  private readonly ownsClient: boolean;

  constructor(opts: AdminOptions = {}) {
    this.client = opts.client ?? new PolymqClient(opts);
    this.ownsClient = opts.client === undefined;
  }

  connect(): Promise<void> {
    return this.client.connect();
  }

  createTopic(name: string, opts: CreateTopicOptions = {}): Promise<void> {
    return this.client.createTopic({ name, partitions: opts.partitions ?? 1, retention: opts.retention ?? {} });
  }

  deleteTopic(name: string): Promise<void> {
    return this.client.deleteTopic(name);
  }

  listTopics(): Promise<TopicInfo[]> {
    return this.client.listTopics();
  }

  describeTopic(name: string): Promise<TopicInfo> {
    return this.client.describeTopic(name);
  }

  listGroups(): Promise<string[]> {
    return this.client.listGroups();
  }

  describeGroup(groupId: string): Promise<GroupInfo> {
    return this.client.describeGroup(groupId);
  }

  fetchOffsets(groupId: string, topic?: string): Promise<CommittedOffset[]> {
    return this.client.fetchOffsets(groupId, topic ?? '');
  }

  resetOffsets(groupId: string, topic: string, spec: OffsetResetSpec): Promise<CommittedOffset[]> {
    return this.client.resetOffsets(groupId, topic, spec);
  }

  offsetForTimestamp(topic: string, partition: number, timestampMs: number): Promise<number> {
    return this.client.offsetForTimestamp(topic, partition, timestampMs);
  }

  async status(): Promise<BrokerStatus> {
    return (await this.client.status()) as BrokerStatus;
  }

  /** Asks the broker to stop (loopback or administrator only). */
  shutdown(opts: { timeoutMs?: number; force?: boolean } = {}): Promise<void> {
    return this.client.shutdown(opts.timeoutMs ?? 30_000, opts.force ?? false);
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }
}
