/**
 * Committed offsets of consumer groups, in memory and durable in the MetaStore (namespace
 * "group-offsets/<vhost>", one key per group/topic/partition so a commit rewrites only what changed).
 */
import type { MetaStore } from '../../../storage/types';
import type { CommittedOffset } from '../types';
import { byString } from './assignors/assignor';

interface StoredOffset {
  offset: number;
  metadata?: string;
}

export class CommittedOffsets {
  /** groupId → topic → partition → offset. */
  private readonly byGroup = new Map<string, Map<string, Map<number, StoredOffset>>>();
  private readonly namespace: string;

  constructor(
    vhostName: string,
    private readonly meta: MetaStore,
  ) {
    this.namespace = `group-offsets/${vhostName}`;
  }

  /** Loads everything committed before the restart. */
  recover(): void {
    this.byGroup.clear();
    for (const [key, value] of this.meta.list<StoredOffset>(this.namespace)) {
      const parsed = parseKey(key);
      if (parsed === null) continue; // not written by us: skip rather than refuse to start
      const [groupId, topic, partition] = parsed as [unknown, unknown, unknown];
      if (typeof groupId !== 'string' || typeof topic !== 'string' || typeof partition !== 'number') continue;
      this.set(groupId, topic, partition, value);
    }
  }

  groups(): string[] {
    return [...this.byGroup.keys()];
  }

  hasGroup(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  get(groupId: string, topic: string, partition: number): number | null {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition)?.offset ?? null;
  }

  list(groupId: string, topic?: string): CommittedOffset[] {
    const out: CommittedOffset[] = [];
    const topics = this.byGroup.get(groupId);
    if (topics === undefined) return out;
    for (const [t, partitions] of topics) {
      if (topic !== undefined && t !== topic) continue;
      for (const [partition, stored] of partitions) {
        const entry: CommittedOffset = { topic: t, partition, offset: stored.offset };
        if (stored.metadata !== undefined) entry.metadata = stored.metadata;
        out.push(entry);
      }
    }
    return out.sort((a, b) => byString(a.topic, b.topic) || a.partition - b.partition);
  }

  /** Applies in memory at once (readers see it) and resolves when durable. */
  commit(groupId: string, offsets: readonly CommittedOffset[]): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const o of offsets) {
      const stored: StoredOffset = { offset: o.offset };
      if (o.metadata !== undefined) stored.metadata = o.metadata;
      this.set(groupId, o.topic, o.partition, stored);
      writes.push(this.meta.put(this.namespace, keyOf(groupId, o.topic, o.partition), stored));
    }
    return Promise.all(writes).then(() => undefined);
  }

  deleteGroup(groupId: string): Promise<void> {
    const gone = this.list(groupId);
    this.byGroup.delete(groupId);
    return Promise.all(gone.map((o) => this.meta.delete(this.namespace, keyOf(groupId, o.topic, o.partition)))).then(
      () => undefined,
    );
  }

  /** Kafka drops a deleted topic's offsets from every group. */
  deleteTopic(topic: string): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const [groupId, topics] of this.byGroup) {
      const partitions = topics.get(topic);
      if (partitions === undefined) continue;
      for (const partition of partitions.keys()) {
        writes.push(this.meta.delete(this.namespace, keyOf(groupId, topic, partition)));
      }
      topics.delete(topic);
      if (topics.size === 0) this.byGroup.delete(groupId);
    }
    return Promise.all(writes).then(() => undefined);
  }

  private set(groupId: string, topic: string, partition: number, stored: StoredOffset): void {
    let topics = this.byGroup.get(groupId);
    if (topics === undefined) this.byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, stored);
  }
}

function parseKey(key: string): unknown[] | null {
  try {
    const parsed: unknown = JSON.parse(key);
    return Array.isArray(parsed) && parsed.length === 3 ? parsed : null;
  } catch {
    return null;
  }
}

function keyOf(groupId: string, topic: string, partition: number): string {
  return JSON.stringify([groupId, topic, partition]);
}
