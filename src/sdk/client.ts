/**
 * PolymqClient: a reconnecting native-protocol client with one typed method per request. When the connection
 * drops, requests in flight fail with CONNECTION_LOST (they may or may not have been applied) and the client
 * reconnects with exponential backoff; requests made meanwhile wait for the new connection (up to
 * requestTimeoutMs). Emits 'reconnected' after a successful reconnect so subscriptions and group members can
 * restore themselves, and 'push' / 'subscriptionEnd' for push subscriptions.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { Acks, FrameType, type AckLevel } from '../../protocols/native/constants';
import type { BodyReader } from '../../protocols/native/codec/reader';
import * as req from '../../protocols/native/codec/requests';
import * as res from '../../protocols/native/codec/responses';
import type {
  CommittedOffset,
  GroupInfo,
  JoinResult,
  OffsetResetSpec,
  ProduceRecord,
  TopicInfo,
  TopicSpec,
} from '../core/types';
import { PolymqError } from './errors';
import { WebSocket, createWebSocketStream } from 'ws';

/** A Duplex over a WebSocket; writes before the socket opens are queued by ws. */
function websocketStream(url: string): () => Duplex {
  return () => {
    const ws = new WebSocket(url);
    const stream = createWebSocketStream(ws);
    // A failed handshake surfaces as a stream error, which the wire reports as CONNECTION_LOST.
    ws.on('error', () => undefined);
    return stream;
  };
}
import { WireConnection } from './wire';

export interface ClientOptions {
  /** "host:port"; default POLYMQ_BROKER or 127.0.0.1:5680. */
  broker?: string;
  username?: string;
  password?: string;
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Reconnect after a lost connection (default true). */
  reconnect?: boolean;
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
  /** Give up after this many failed reconnect attempts (default: never). */
  reconnectMaxAttempts?: number;
  /** Retry the very first connect too (default false: fail fast, e.g. for the CLI). */
  retryInitialConnect?: boolean;
  /** Connect over WebSocket instead of TCP, e.g. "ws://127.0.0.1:15672/native". */
  websocketUrl?: string;
  /** Custom transport (any Duplex); replaces TCP. */
  stream?: () => Duplex;
}

export const CLIENT_DEFAULTS = {
  broker: '127.0.0.1:5680',
  username: 'guest',
  password: 'guest',
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  reconnectInitialDelayMs: 100,
  reconnectMaxDelayMs: 5_000,
} as const;

export type AckMode = 'none' | 'leader' | 'durable';

export function ackLevel(mode: AckMode): AckLevel {
  return mode === 'none' ? Acks.NONE : mode === 'leader' ? Acks.LEADER : Acks.DURABLE;
}

export function parseBroker(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const host = i > 0 ? s.slice(0, i).replace(/^\[|\]$/g, '') : s;
  const port = i > 0 ? Number(s.slice(i + 1)) : 5680;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new PolymqError('INVALID_ARGUMENT', `bad broker address ${s}`);
  return { host, port };
}

type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export class PolymqClient extends EventEmitter {
  readonly clientId: string;
  private readonly opts: Required<Omit<ClientOptions, 'stream' | 'reconnectMaxAttempts' | 'websocketUrl'>> & {
    stream?: () => Duplex;
    reconnectMaxAttempts: number;
  };
  private readonly host: string;
  private readonly port: number;
  private wire: WireConnection | null = null;
  private state: ClientState = 'idle';
  private connecting: Promise<WireConnection> | null = null;
  private waiters: { resolve(w: WireConnection): void; reject(e: PolymqError): void }[] = [];
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(options: ClientOptions = {}) {
    super();
    this.opts = {
      broker: options.broker ?? process.env.POLYMQ_BROKER ?? CLIENT_DEFAULTS.broker,
      username: options.username ?? CLIENT_DEFAULTS.username,
      password: options.password ?? CLIENT_DEFAULTS.password,
      clientId: options.clientId ?? `polymq-sdk-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      connectTimeoutMs: options.connectTimeoutMs ?? CLIENT_DEFAULTS.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs ?? CLIENT_DEFAULTS.requestTimeoutMs,
      reconnect: options.reconnect ?? true,
      reconnectInitialDelayMs: options.reconnectInitialDelayMs ?? CLIENT_DEFAULTS.reconnectInitialDelayMs,
      reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? CLIENT_DEFAULTS.reconnectMaxDelayMs,
      reconnectMaxAttempts: options.reconnectMaxAttempts ?? Number.POSITIVE_INFINITY,
      retryInitialConnect: options.retryInitialConnect ?? false,
      stream: options.stream ?? (options.websocketUrl === undefined ? undefined : websocketStream(options.websocketUrl)),
    };
    this.clientId = this.opts.clientId;
    const { host, port } = parseBroker(this.opts.broker);
    this.host = host;
    this.port = port;
  }

  get isConnected(): boolean {
    return this.state === 'connected';
  }

  /** Connects (once); later calls resolve when connected. */
  async connect(): Promise<void> {
    await this.current();
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const err = new PolymqError('CLIENT_CLOSED', 'client closed');
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    this.wire?.close();
    this.wire = null;
  }

  // ---------------------------------------------------------------------------------------------- plumbing

  /** The live connection, connecting or waiting for a reconnect as needed. */
  private current(): Promise<WireConnection> {
    if (this.state === 'closed') return Promise.reject(new PolymqError('CLIENT_CLOSED', 'client closed'));
    if (this.wire && !this.wire.isClosed) return Promise.resolve(this.wire);
    if (this.state === 'idle') return this.firstConnect();
    if (this.state === 'connecting' && this.connecting) return this.connecting;
    return new Promise<WireConnection>((resolve, reject) => {
      const waiter = { resolve, reject };
      this.waiters.push(waiter);
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new PolymqError('REQUEST_TIMEOUT', `not reconnected to ${this.opts.broker} in ${this.opts.requestTimeoutMs} ms`));
      }, this.opts.requestTimeoutMs);
      t.unref();
    });
  }

  private firstConnect(): Promise<WireConnection> {
    this.state = 'connecting';
    this.connecting = this.open().then(
      (w) => {
        this.connecting = null;
        return w;
      },
      (err: unknown) => {
        this.connecting = null;
        if (this.opts.retryInitialConnect && this.opts.reconnect && (this.state as ClientState) !== 'closed') {
          this.state = 'reconnecting';
          this.scheduleReconnect(0);
          return this.current();
        }
        this.state = 'idle';
        throw err;
      },
    );
    return this.connecting;
  }

  private async open(): Promise<WireConnection> {
    const wire = await WireConnection.open({
      host: this.host,
      port: this.port,
      username: this.opts.username,
      password: this.opts.password,
      connectTimeoutMs: this.opts.connectTimeoutMs,
      stream: this.opts.stream,
    });
    if (this.state === 'closed') {
      wire.close();
      throw new PolymqError('CLIENT_CLOSED', 'client closed');
    }
    this.attach(wire);
    return wire;
  }

  private attach(wire: WireConnection): void {
    const wasReconnect = this.state === 'reconnecting';
    this.wire = wire;
    this.state = 'connected';
    wire.on('push', (p: res.PushBody) => this.emit('push', p));
    wire.on('subscriptionEnd', (e: res.SubscriptionEndBody) => this.emit('subscriptionEnd', e));
    wire.on('brokerError', (e: PolymqError) => this.emit('brokerError', e));
    wire.on('close', () => this.lost());
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve(wire);
    if (wasReconnect) this.emit('reconnected');
  }

  private lost(): void {
    if (this.state === 'closed') return;
    this.wire = null;
    this.emit('disconnected');
    if (!this.opts.reconnect) {
      this.state = 'idle';
      return;
    }
    this.state = 'reconnecting';
    this.scheduleReconnect(0);
  }

  private scheduleReconnect(attempt: number): void {
    if (this.state !== 'reconnecting') return;
    if (attempt >= this.opts.reconnectMaxAttempts) {
      this.state = 'idle';
      const err = new PolymqError('CONNECTION_REFUSED', `gave up reconnecting to ${this.opts.broker}`);
      for (const w of this.waiters) w.reject(err);
      this.waiters = [];
      this.emit('error', err);
      return;
    }
    const base = Math.min(this.opts.reconnectMaxDelayMs, this.opts.reconnectInitialDelayMs * 2 ** attempt);
    const delay = base / 2 + Math.random() * (base / 2); // jitter so many clients do not reconnect in lockstep
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.open().catch(() => this.scheduleReconnect(attempt + 1));
    }, delay);
  }

  /** One request on the current connection. */
  async call<T>(build: (corr: number) => Buffer, type: number, decode: (r: BodyReader) => T, timeoutMs?: number): Promise<T> {
    const wire = await this.current();
    if (wire.needsDrain) await wire.waitDrain();
    return wire.request(build, type, decode, timeoutMs ?? this.opts.requestTimeoutMs);
  }

  /** A frame without an answer; dropped when not connected. */
  sendNoReply(build: (corr: number) => Buffer): boolean {
    if (!this.wire || this.wire.isClosed) return false;
    this.wire.send(build);
    return true;
  }

  // ---------------------------------------------------------------------------------------------- requests

  produce(topic: string, records: ProduceRecord[], acks: AckMode): Promise<res.BatchAck[]> {
    if (acks === 'none') {
      return this.current().then((w) => {
        w.send((c) => req.encodeProduce(c, { topic, acks: Acks.NONE, records }));
        return [];
      });
    }
    return this.call((c) => req.encodeProduce(c, { topic, acks: ackLevel(acks), records }), FrameType.PRODUCE, res.decodeProduceResponse);
  }

  fetch(r: req.FetchRequest): Promise<res.RecordSet> {
    // The long-poll may legitimately take maxWaitMs: the timeout starts after it.
    return this.call((c) => req.encodeFetch(c, r), FrameType.FETCH, res.decodeRecordSet, r.maxWaitMs + this.opts.requestTimeoutMs);
  }

  /** fetch whose records carry their topic and partition (what Consumer buffers, without a copy per record). */
  fetchTopicRecords(r: req.FetchRequest): Promise<res.TopicRecordSet> {
    return this.call((c) => req.encodeFetch(c, r), FrameType.FETCH, res.topicRecordSetDecoder(r.topic), r.maxWaitMs + this.opts.requestTimeoutMs);
  }

  /** fetchTopicRecords whose records are built when taken from the cursor (what Consumer buffers). */
  fetchTopicRecordCursor(r: req.FetchRequest): Promise<res.TopicRecordCursor> {
    return this.call((c) => req.encodeFetch(c, r), FrameType.FETCH, res.topicRecordCursorDecoder(r.topic), r.maxWaitMs + this.opts.requestTimeoutMs);
  }

  subscribe(r: req.SubscribeRequest): Promise<void> {
    return this.call((c) => req.encodeSubscribe(c, r), FrameType.SUBSCRIBE, () => undefined);
  }

  credit(subscriptionId: number, records: number, bytes: number): void {
    this.sendNoReply((c) => req.encodeCredit(c, { subscriptionId, records, bytes }));
  }

  unsubscribe(subscriptionId: number): Promise<void> {
    return this.call((c) => req.encodeUnsubscribe(c, subscriptionId), FrameType.UNSUBSCRIBE, () => undefined);
  }

  commitOffsets(r: req.CommitOffsetsRequest): Promise<void> {
    return this.call((c) => req.encodeCommitOffsets(c, r), FrameType.COMMIT_OFFSETS, () => undefined);
  }

  fetchOffsets(groupId: string, topic = ''): Promise<CommittedOffset[]> {
    return this.call((c) => req.encodeFetchOffsets(c, { groupId, topic }), FrameType.FETCH_OFFSETS, res.decodeOffsetsResponse);
  }

  offsetForTimestamp(topic: string, partition: number, timestampMs: number): Promise<number> {
    return this.call(
      (c) => req.encodeOffsetForTimestamp(c, { topic, partition, timestampMs }),
      FrameType.OFFSET_FOR_TIMESTAMP,
      res.decodeOffsetResponse,
    );
  }

  joinGroup(r: req.JoinGroupRequest): Promise<JoinResult> {
    return this.call((c) => req.encodeJoinGroup(c, r), FrameType.JOIN_GROUP, res.decodeJoinResponse, r.rebalanceTimeoutMs * 2 + this.opts.requestTimeoutMs);
  }

  heartbeat(groupId: string, memberId: string, generation: number): Promise<boolean> {
    return this.call((c) => req.encodeHeartbeat(c, { groupId, memberId, generation }), FrameType.HEARTBEAT, res.decodeHeartbeatResponse);
  }

  leaveGroup(groupId: string, memberId: string): Promise<void> {
    return this.call((c) => req.encodeLeaveGroup(c, { groupId, memberId }), FrameType.LEAVE_GROUP, () => undefined);
  }

  createTopic(spec: TopicSpec): Promise<void> {
    return this.call((c) => req.encodeCreateTopic(c, spec), FrameType.CREATE_TOPIC, () => undefined);
  }

  deleteTopic(name: string): Promise<void> {
    return this.call((c) => req.encodeName(FrameType.DELETE_TOPIC, c, name), FrameType.DELETE_TOPIC, () => undefined);
  }

  listTopics(): Promise<TopicInfo[]> {
    return this.call((c) => req.encodeEmpty(FrameType.LIST_TOPICS, c), FrameType.LIST_TOPICS, res.decodeTopicsResponse);
  }

  describeTopic(name: string): Promise<TopicInfo> {
    return this.call((c) => req.encodeName(FrameType.DESCRIBE_TOPIC, c, name), FrameType.DESCRIBE_TOPIC, res.decodeTopicResponse);
  }

  listGroups(): Promise<string[]> {
    return this.call((c) => req.encodeEmpty(FrameType.LIST_GROUPS, c), FrameType.LIST_GROUPS, res.decodeNamesResponse);
  }

  describeGroup(groupId: string): Promise<GroupInfo> {
    return this.call((c) => req.encodeName(FrameType.DESCRIBE_GROUP, c, groupId), FrameType.DESCRIBE_GROUP, res.decodeGroupResponse);
  }

  resetOffsets(groupId: string, topic: string, spec: OffsetResetSpec): Promise<CommittedOffset[]> {
    return this.call((c) => req.encodeResetOffsets(c, { groupId, topic, spec }), FrameType.RESET_OFFSETS, res.decodeOffsetsResponse);
  }

  status(): Promise<unknown> {
    return this.call((c) => req.encodeEmpty(FrameType.STATUS, c), FrameType.STATUS, res.decodeStatusResponse);
  }

  shutdown(timeoutMs: number, force: boolean): Promise<void> {
    return this.call((c) => req.encodeShutdown(c, { timeoutMs, force }), FrameType.SHUTDOWN, () => undefined);
  }

  ping(): Promise<void> {
    return this.call((c) => req.encodeEmpty(FrameType.PING, c), FrameType.PING, () => undefined);
  }
}
