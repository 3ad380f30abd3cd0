/**
 * The seam between protocol adapters and the core. Adapters (protocols/*) only translate frames into calls on
 * these interfaces and encode what comes back; the core knows no protocol. Errors are BrokerError with codes.
 */
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { MetaStore, RetentionPolicy } from '../../storage/types';
import type { HeaderTable, HeaderValue, Message } from './message';
import type { Limits } from './limits';
import type { Logger } from './logger';

/** Identifies the connection that owns exclusive queues and consumers (e.g. "amqp:127.0.0.1:5555#12"). */
export type OwnerId = string;

// ---------------------------------------------------------------------------------------------- exchanges

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';

export interface ExchangeSpec {
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: HeaderTable;
}

// ---------------------------------------------------------------------------------------------- queues

export interface QueueSpec {
  /** '' asks for a server-generated name ("amq.gen-…"). */
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  /** x-message-ttl, x-expires, x-max-length, x-max-length-bytes, x-overflow, x-dead-letter-exchange,
   * x-dead-letter-routing-key, x-max-priority, x-single-active-consumer, x-queue-type, ... */
  arguments: HeaderTable;
}

export interface QueueInfo {
  name: string;
  messageCount: number;
  consumerCount: number;
}

export interface Delivery {
  queue: string;
  /** Queue-scoped id used to settle this delivery (ack/nack). */
  id: number;
  message: Message;
  redelivered: boolean;
  /** Log offset of the record (streams expose it as x-stream-offset). */
  offset: number;
}

export interface ConsumerSpec {
  tag: string;
  noAck: boolean;
  exclusive: boolean;
  /** Unacknowledged deliveries allowed to this consumer; 0 = unlimited. */
  prefetch: number;
  priority: number;
  arguments: HeaderTable;
  owner: OwnerId;
  /** Adapter-side credit (channel-global qos, socket backpressure). Checked before each delivery. */
  canDeliver(): boolean;
  deliver(delivery: Delivery): void;
  /** Server-initiated cancel, e.g. the queue was deleted. */
  cancelled(reason: string): void;
}

export interface QueueHandle {
  readonly name: string;
  readonly spec: QueueSpec;
  consume(consumer: ConsumerSpec): void;
  cancel(tag: string): void;
  /** The adapter calls this when canDeliver() may have turned true again (ack, socket drain). */
  resume(): void;
  get(noAck: boolean, owner: OwnerId): Delivery | null;
  ack(ids: readonly number[]): void;
  /** requeue=false dead-letters (or drops when no DLX). */
  nack(ids: readonly number[], requeue: boolean): void;
  info(): QueueInfo;
}

// ---------------------------------------------------------------------------------------------- publish

export interface PublishOptions {
  mandatory: boolean;
}

export interface PublishResult {
  /** Queues and streams the message was routed to (0 → unroutable; the adapter returns it when mandatory). */
  routed: number;
  /** Resolves when the message is committed in every routed queue; rejects (BrokerError) when one refused it
   * (x-overflow reject-publish, storage failure). A publisher confirm waits on this. */
  settled: Promise<void>;
}

// ---------------------------------------------------------------------------------------------- topics & groups

export interface TopicSpec {
  name: string;
  partitions: number;
  retention: RetentionPolicy;
}

export interface PartitionInfo {
  partition: number;
  startOffset: number;
  endOffset: number;
  sizeBytes: number;
}

export interface TopicInfo {
  name: string;
  partitions: PartitionInfo[];
  retention: RetentionPolicy;
}

export interface ProduceRecord {
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, HeaderValue> | null;
  timestamp?: number;
  /** Explicit partition; otherwise key hash (same key → same partition) or round-robin without a key. */
  partition?: number;
}

export interface ProducedBatch {
  partition: number;
  baseOffset: number;
  count: number;
  durable: Promise<void>;
}

export interface FetchedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, HeaderValue> | null;
}

export type Assignor = 'range' | 'roundrobin' | 'cooperative-sticky';

export interface JoinRequest {
  groupId: string;
  /** '' on first join; the coordinator assigns one. */
  memberId: string;
  clientId: string;
  topics: string[];
  assignor: Assignor;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

export interface JoinResult {
  memberId: string;
  generation: number;
  assignment: TopicPartitions[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
}

export interface GroupMemberInfo {
  memberId: string;
  clientId: string;
  assignment: TopicPartitions[];
  lastHeartbeatMs: number;
}

export interface GroupPartitionLag {
  topic: string;
  partition: number;
  committed: number | null;
  endOffset: number;
  lag: number;
}

export interface GroupInfo {
  groupId: string;
  state: 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';
  generation: number;
  assignor: Assignor;
  members: GroupMemberInfo[];
  lag: GroupPartitionLag[];
}

export type OffsetResetSpec =
  | { to: 'earliest' }
  | { to: 'latest' }
  | { to: 'offset'; offset: number }
  | { to: 'timestamp'; timestampMs: number };

export interface GroupCoordinator {
  /** Resolves when the group's rebalance completes with this member's assignment. */
  join(req: JoinRequest): Promise<JoinResult>;
  /** Throws UNKNOWN_MEMBER / ILLEGAL_GENERATION; rebalanceRequired tells the member to re-join. */
  heartbeat(groupId: string, memberId: string, generation: number): { rebalanceRequired: boolean };
  leave(groupId: string, memberId: string): void;
  commit(groupId: string, offsets: readonly CommittedOffset[], memberId?: string, generation?: number): Promise<void>;
  fetchOffsets(groupId: string, topic?: string): CommittedOffset[];
  list(): string[];
  describe(groupId: string): GroupInfo;
  resetOffsets(groupId: string, topic: string, spec: OffsetResetSpec): Promise<CommittedOffset[]>;
  deleteGroup(groupId: string): Promise<void>;
}

export interface TopicRegistry {
  createTopic(spec: TopicSpec): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  hasTopic(name: string): boolean;
  listTopics(): TopicInfo[];
  describeTopic(name: string): TopicInfo;
  produce(topic: string, records: readonly ProduceRecord[]): ProducedBatch[];
  fetch(topic: string, partition: number, offset: number, maxRecords: number, maxBytes: number): FetchedRecord[];
  offsetForTimestamp(topic: string, partition: number, timestampMs: number): number;
  /** Calls listener once when `partition` has committed records at or above `offset`; returns a canceller. */
  waitForData(topic: string, partition: number, offset: number, listener: () => void): () => void;
  readonly groups: GroupCoordinator;
}

// ---------------------------------------------------------------------------------------------- vhost

export interface VirtualHost {
  readonly name: string;
  declareExchange(spec: ExchangeSpec, passive: boolean): Promise<void>;
  deleteExchange(name: string, ifUnused: boolean): Promise<void>;
  bindExchange(destination: string, source: string, routingKey: string, args: HeaderTable): Promise<void>;
  unbindExchange(destination: string, source: string, routingKey: string, args: HeaderTable): Promise<void>;
  declareQueue(spec: QueueSpec, passive: boolean, owner: OwnerId): Promise<QueueInfo>;
  deleteQueue(name: string, opts: { ifUnused: boolean; ifEmpty: boolean }, owner: OwnerId): Promise<number>;
  purgeQueue(name: string, owner: OwnerId): Promise<number>;
  bindQueue(queue: string, exchange: string, routingKey: string, args: HeaderTable, owner: OwnerId): Promise<void>;
  unbindQueue(queue: string, exchange: string, routingKey: string, args: HeaderTable, owner: OwnerId): Promise<void>;
  /** Throws NOT_FOUND; RESOURCE_LOCKED for another connection's exclusive queue. */
  queue(name: string, owner: OwnerId): QueueHandle;
  publish(message: Message, opts: PublishOptions): PublishResult;
  /** Throws NOT_FOUND when `name` is not an exchange of this vhost (a publish that is not routed yet, as in a tx). */
  checkExchange(name: string): void;
  /** Deletes the owner's exclusive queues and cancels its consumers. */
  ownerClosed(owner: OwnerId): void;
  readonly topics: TopicRegistry;
}

// ---------------------------------------------------------------------------------------------- broker context

export interface AuthenticatedUser {
  username: string;
  tags: string[];
}

export type Permission = 'configure' | 'write' | 'read';

/** Security seams; the security issue replaces the default (guest/guest from loopback only). */
export interface SecurityHooks {
  /** Throws BrokerError('ACCESS_REFUSED') on bad credentials. */
  authenticate(req: {
    mechanism: string;
    username: string;
    password: string;
    remoteAddress: string;
    protocol: 'amqp' | 'mqtt' | 'native' | 'http';
  }): Promise<AuthenticatedUser>;
  /** Throws BrokerError('ACCESS_REFUSED'). resource is an exchange, queue or topic name. */
  authorize(user: AuthenticatedUser, vhost: string, resource: string, permission: Permission): void;
}

/** Emits 'blocked' (reason: string) and 'unblocked' when a memory or disk alarm turns on or off. */
export interface AlarmState extends EventEmitter {
  readonly blocked: boolean;
  readonly reason: string | null;
}

/** A listening socket, as reported by STATUS. */
export interface ListenerInfo {
  protocol: string;
  host: string;
  port: number;
}

/**
 * Operator hooks the Broker offers to admin requests (native STATUS and SHUTDOWN, `polymq status|stop`).
 * Optional on BrokerContext: contexts built by tests may omit it; adapters then report what they know themselves
 * and answer SHUTDOWN with NOT_IMPLEMENTED.
 */
export interface BrokerControl {
  listeners(): ListenerInfo[];
  /** Storage figures (bytes used, segment files, data dir, ...), free-form for display. */
  storage(): Record<string, number | string | boolean>;
  /** Starts a graceful stop: stop accepting, drain for at most timeoutMs, close; force = close at once. */
  shutdown(opts: { timeoutMs: number; force: boolean }): void;
}

/** What every protocol server receives. */
export interface BrokerContext {
  /** Operator hooks (status, shutdown); see BrokerControl. */
  readonly control?: BrokerControl;
  vhost(name: string): VirtualHost | undefined;
  readonly defaultVhost: VirtualHost;
  readonly security: SecurityHooks;
  readonly alarms: AlarmState;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly nodeName: string;
  /** Durable key/value metadata (MQTT sessions, retained messages). */
  readonly meta: MetaStore;
}

export interface ConnectionInfo {
  remoteAddress: string;
  remotePort: number;
  transport: 'tcp' | 'tls' | 'ws';
}

export interface ProtocolServer {
  readonly name: string;
  start(): Promise<void>;
  /** Stops accepting, closes connections politely (connection.close / DISCONNECT 0x8B). */
  stop(): Promise<void>;
  /** Bound port (after start), for tests that ask for port 0. */
  port(): number;
  connectionCount(): number;
}

/** A protocol server that can also serve connections it did not accept itself (WebSocket gateway). */
export interface StreamProtocolServer extends ProtocolServer {
  handleConnection(stream: Duplex, info: ConnectionInfo): void;
}
