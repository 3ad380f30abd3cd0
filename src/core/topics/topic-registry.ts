/**
 * The topics of one vhost: each topic is N partition logs in the shared LogStore (named
 * "t/<encoded vhost>/<topic>/<partition>") plus a retention policy handed to storage. Topic specs are durable in
 * the MetaStore (namespace "topics/<vhost>"); committed group offsets live with the GroupCoordinator.
 *
 * produce validates the whole call first (so a bad record fails it without partial writes), then makes one
 * log.append per partition. Readers see committed records only; waitForData listens to the store's onCommit.
 */
import type { AppendRecord, LogHandle, LogStore, MetaStore, RetentionPolicy, StoredRecord } from '../../../storage/types';
import { BrokerError } from '../errors';
import type { Limits } from '../limits';
import type { Logger } from '../logger';
import { decodeFetchedRecords, encodeProduceRecord } from '../record-codec';
import type {
  FetchedRecord,
  GroupCoordinator,
  PartitionInfo,
  ProducedBatch,
  ProduceRecord,
  TopicInfo,
  TopicRegistry,
  TopicSpec,
} from '../types';
import { GroupCoordinatorImpl } from './group-coordinator';
import type { TopicView } from './group-types';
import { StickyCursor, partitionForKey } from './partitioner';
import type { TopicLimits } from './topic-limits';
import { topicLimits } from './topic-limits';
import { checkPartitionCount, checkRetention, checkTopicName } from './validation';

export interface TopicDeps {
  store: LogStore;
  meta: MetaStore;
  limits: Limits;
  logger: Logger;
  now(): number;
  setTimer(ms: number, fn: () => void): () => void;
  /** Overrides of TOPIC_LIMITS (tests shrink them). */
  topicLimits?: Partial<TopicLimits>;
}

interface Waiter {
  offset: number;
  listener: () => void;
}

interface Partition {
  log: LogHandle;
  waiters: Set<Waiter>;
}

interface Topic {
  spec: TopicSpec;
  partitions: Partition[];
  cursor: StickyCursor;
}

interface PersistedTopic {
  name: string;
  partitions: number;
  retention: RetentionPolicy;
}

export class TopicRegistryImpl implements TopicRegistry, TopicView {
  readonly groups: GroupCoordinator;
  private readonly coordinator: GroupCoordinatorImpl;
  private readonly topics = new Map<string, Topic>();
  /** Names being created (meta write in flight), so a second create fails with ALREADY_EXISTS. */
  private readonly creating = new Set<string>();
  /** Topics that back an AMQP stream queue: deleting them goes through the queue (see StreamQueue.delete). */
  private readonly streamBacked = new Set<string>();
  /** Log name → partition, for onCommit. */
  private readonly byLogName = new Map<string, Partition>();
  private readonly limits: TopicLimits;
  private readonly namespace: string;
  private closed = false;

  constructor(
    readonly vhostName: string,
    private readonly deps: TopicDeps,
  ) {
    this.limits = topicLimits(deps.topicLimits);
    this.namespace = `topics/${vhostName}`;
    this.coordinator = new GroupCoordinatorImpl({
      vhostName,
      meta: deps.meta,
      logger: deps.logger,
      limits: this.limits,
      topics: this,
      now: deps.now,
      setTimer: deps.setTimer,
    });
    this.groups = this.coordinator;
    // LogStore has no way to unregister; the closed flag makes the listener inert after close().
    deps.store.onCommit((names) => {
      if (!this.closed) this.committed(names);
    });
  }

  /** Reloads topics and committed offsets from meta (the store is already open). */
  async recover(): Promise<void> {
    for (const [name, persisted] of this.deps.meta.list<PersistedTopic>(this.namespace)) {
      if (!Number.isInteger(persisted.partitions) || persisted.partitions < 1) {
        this.deps.logger.error({ vhost: this.vhostName, topic: name }, 'stored topic has no valid partition count; skipped');
        continue;
      }
      const spec: TopicSpec = { name, partitions: persisted.partitions, retention: persisted.retention ?? {} };
      this.install(spec);
    }
    this.coordinator.recover();
    this.deps.logger.debug({ vhost: this.vhostName, topics: this.topics.size }, 'topics recovered');
  }

  /** Stops group timers; parked waitForData listeners are dropped. */
  close(): void {
    this.closed = true;
    this.coordinator.close();
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.waiters.clear();
  }

  // ------------------------------------------------------------------------------------------ admin

  async createTopic(spec: TopicSpec): Promise<void> {
    checkTopicName(spec.name, this.limits);
    checkPartitionCount(spec.partitions, this.limits);
    const retention = checkRetention(spec.retention ?? {});
    if (this.topics.has(spec.name) || this.creating.has(spec.name)) {
      throw new BrokerError('ALREADY_EXISTS', `topic ${spec.name} exists`);
    }
    if (this.topics.size + this.creating.size >= this.limits.topicsMax) {
      throw new BrokerError('LIMIT_EXCEEDED', `at most ${this.limits.topicsMax} topics per vhost`);
    }
    this.creating.add(spec.name);
    try {
      const persisted: PersistedTopic = { name: spec.name, partitions: spec.partitions, retention };
      await this.deps.meta.put(this.namespace, spec.name, persisted);
    } finally {
      this.creating.delete(spec.name);
    }
    // Logs left behind by a crash between a delete's meta write and its log deletion must not leak old records.
    for (let p = 0; p < spec.partitions; p++) {
      const name = this.logName(spec.name, p);
      if (this.deps.store.hasLog(name)) this.deps.store.deleteLog(name);
    }
    this.install({ name: spec.name, partitions: spec.partitions, retention });
    this.coordinator.topicChanged(spec.name);
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.topic(name);
    if (this.streamBacked.has(name)) {
      throw new BrokerError('PRECONDITION_FAILED', `topic ${name} is the AMQP stream queue ${name}; delete the queue`);
    }
    // Logs go synchronously, before any await, so a createTopic of the same name racing with us starts clean.
    this.topics.delete(name);
    topic.partitions.forEach((p, i) => {
      const logName = this.logName(name, i);
      this.byLogName.delete(logName);
      this.deps.store.deleteLog(logName);
      // Parked consumers wake up and learn from their next fetch that the topic is gone.
      this.fire(p, Number.POSITIVE_INFINITY);
    });
    await Promise.all([this.deps.meta.delete(this.namespace, name), this.coordinator.topicDeleted(name)]);
  }

  /** Marks (or unmarks) a topic as the storage of an AMQP stream queue, so that only the queue deletes it. */
  setStreamBacked(name: string, backed: boolean): void {
    if (backed) this.streamBacked.add(name);
    else this.streamBacked.delete(name);
  }

  hasTopic(name: string): boolean {
    return this.topics.has(name);
  }

  listTopics(): TopicInfo[] {
    return [...this.topics.keys()].sort().map((name) => this.describeTopic(name));
  }

  describeTopic(name: string): TopicInfo {
    const topic = this.topic(name);
    const partitions: PartitionInfo[] = topic.partitions.map((p, partition) => ({
      partition,
      startOffset: p.log.startOffset(),
      endOffset: p.log.committedOffset(),
      sizeBytes: p.log.sizeBytes(),
    }));
    return { name, partitions, retention: { ...topic.spec.retention } };
  }

  // ------------------------------------------------------------------------------------------ data

  produce(topicName: string, records: readonly ProduceRecord[]): ProducedBatch[] {
    const topic = this.topic(topicName);
    if (records.length > this.limits.produceRecordsMax) {
      throw new BrokerError('LIMIT_EXCEEDED', `at most ${this.limits.produceRecordsMax} records per produce`);
    }
    const n = topic.partitions.length;
    const now = this.deps.now();
    const byPartition = new Map<number, AppendRecord[]>();
    let sticky = -1;
    for (const r of records) {
      if (r.value.length + (r.key?.length ?? 0) > this.deps.limits.messageSizeMaxBytes) {
        throw new BrokerError('MESSAGE_TOO_LARGE', `record larger than ${this.deps.limits.messageSizeMaxBytes} bytes`);
      }
      let p: number;
      if (r.partition !== undefined) p = this.checkPartition(topic, r.partition);
      else if (r.key !== null && r.key !== undefined) p = partitionForKey(r.key, n);
      else p = sticky >= 0 ? sticky : (sticky = topic.cursor.take(n));
      let list = byPartition.get(p);
      if (list === undefined) byPartition.set(p, (list = []));
      const encoded = encodeProduceRecord(r);
      if (encoded.timestamp === undefined) encoded.timestamp = now;
      list.push(encoded);
    }
    const out: ProducedBatch[] = [];
    for (const [partition, appends] of byPartition) {
      const result = topic.partitions[partition].log.append(appends);
      out.push({ partition, baseOffset: result.baseOffset, count: appends.length, durable: result.durable });
    }
    return out;
  }

  fetch(topicName: string, partition: number, offset: number, maxRecords: number, maxBytes: number): FetchedRecord[] {
    return decodeFetchedRecords(this.fetchStored(topicName, partition, offset, maxRecords, maxBytes));
  }

  /**
   * Committed records as stored (the stream queue decodes them as messages). An offset below the start is
   * clamped up (records carry their offsets, so the gap is visible); beyond the log end is OFFSET_OUT_OF_RANGE.
   */
  fetchStored(topicName: string, partition: number, offset: number, maxRecords: number, maxBytes: number): StoredRecord[] {
    const topic = this.topic(topicName);
    const log = topic.partitions[this.checkPartition(topic, partition)].log;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > log.nextOffset()) {
      throw new BrokerError('OFFSET_OUT_OF_RANGE', `offset ${offset} outside 0..${log.nextOffset()}`);
    }
    const records = Math.min(Math.max(1, Math.floor(maxRecords)), this.limits.fetchRecordsMax);
    return log.read(offset, records, Math.max(1, Math.floor(maxBytes)));
  }

  /** Appends already-encoded records (messages of an AMQP stream) to one partition. */
  appendStored(topicName: string, partition: number, records: AppendRecord[]): ProducedBatch {
    const topic = this.topic(topicName);
    const p = this.checkPartition(topic, partition);
    const now = this.deps.now();
    for (const r of records) {
      if (r.value.length > this.deps.limits.messageSizeMaxBytes) {
        throw new BrokerError('MESSAGE_TOO_LARGE', `record larger than ${this.deps.limits.messageSizeMaxBytes} bytes`);
      }
      if (r.timestamp === undefined) r.timestamp = now;
    }
    const result = topic.partitions[p].log.append(records);
    return { partition: p, baseOffset: result.baseOffset, count: records.length, durable: result.durable };
  }

  offsetForTimestamp(topicName: string, partition: number, timestampMs: number): number {
    const topic = this.topic(topicName);
    const log = topic.partitions[this.checkPartition(topic, partition)].log;
    // Never point past what readers can see (an uncommitted tail is not yet fetchable).
    return Math.min(Math.max(log.offsetForTimestamp(timestampMs), log.startOffset()), log.committedOffset());
  }

  waitForData(topicName: string, partition: number, offset: number, listener: () => void): () => void {
    const topic = this.topic(topicName);
    const p = topic.partitions[this.checkPartition(topic, partition)];
    if (p.log.committedOffset() > offset) {
      let cancelled = false;
      queueMicrotask(() => {
        if (!cancelled) listener();
      });
      return () => {
        cancelled = true;
      };
    }
    if (p.waiters.size >= this.limits.partitionWaitersMax) {
      throw new BrokerError('LIMIT_EXCEEDED', `at most ${this.limits.partitionWaitersMax} waiting consumers per partition`);
    }
    const waiter: Waiter = { offset, listener };
    p.waiters.add(waiter);
    return () => {
      p.waiters.delete(waiter);
    };
  }

  // ------------------------------------------------------------------------------------------ TopicView

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.partitions.length;
  }

  startOffset(topic: string, partition: number): number {
    return this.partitionOf(topic, partition).log.startOffset();
  }

  endOffset(topic: string, partition: number): number {
    return this.partitionOf(topic, partition).log.committedOffset();
  }

  // ------------------------------------------------------------------------------------------ internals

  private install(spec: TopicSpec): void {
    const partitions: Partition[] = [];
    for (let i = 0; i < spec.partitions; i++) {
      const name = this.logName(spec.name, i);
      const log = this.deps.store.log(name);
      log.setRetention(spec.retention);
      const partition: Partition = { log, waiters: new Set() };
      partitions.push(partition);
      this.byLogName.set(name, partition);
    }
    this.topics.set(spec.name, { spec, partitions, cursor: new StickyCursor() });
  }

  private committed(logNames: readonly string[]): void {
    for (const name of logNames) {
      const p = this.byLogName.get(name);
      if (p !== undefined && p.waiters.size > 0) this.fire(p, p.log.committedOffset());
    }
  }

  /** Calls (once) every waiter whose offset is below `committed`. */
  private fire(p: Partition, committed: number): void {
    for (const w of [...p.waiters]) {
      if (w.offset >= committed) continue;
      p.waiters.delete(w);
      try {
        w.listener();
      } catch (err) {
        this.deps.logger.error({ err }, 'waitForData listener threw');
      }
    }
  }

  private logName(topic: string, partition: number): string {
    return `t/${encodeURIComponent(this.vhostName)}/${topic}/${partition}`;
  }

  private topic(name: string): Topic {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new BrokerError('UNKNOWN_TOPIC', `no topic ${name} in vhost ${this.vhostName}`);
    return topic;
  }

  private partitionOf(topic: string, partition: number): Partition {
    const t = this.topic(topic);
    return t.partitions[this.checkPartition(t, partition)];
  }

  private checkPartition(topic: Topic, partition: number): number {
    if (!Number.isInteger(partition) || partition < 0 || partition >= topic.partitions.length) {
      throw new BrokerError('UNKNOWN_PARTITION', `topic ${topic.spec.name} has no partition ${partition}`);
    }
    return partition;
  }
}
