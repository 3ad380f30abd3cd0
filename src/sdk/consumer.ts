/**
 * Consumer: reads assigned partitions with long-poll FETCH loops into one bounded buffer and hands records out as
 * an async iterator (or via poll()). Two modes:
 *   - group mode (groupId + subscribe(topics)): joins the group, heartbeats, re-joins on rebalance (eager: every
 *     member stops, commits, and receives a fresh assignment); starting positions are the committed offsets, or
 *     autoOffsetReset where none is committed.
 *   - manual mode (assign(partitions)): no group; positions from the assignment or autoOffsetReset. A groupId may
 *     still be given to commit offsets.
 *
 * Positions: `fetch position` is where the next FETCH starts; `consumed position` is offset+1 of the last record
 * the application finished (a record counts as finished when the next one is asked for, or on commit()). Auto
 * commit commits consumed positions, so delivery is at-least-once.
 *
 *   member state:  idle ──subscribe──► joining ──JoinResult──► stable ──heartbeat says rebalance──► joining
 *                                         ▲                       │
 *                                         └── UNKNOWN_MEMBER / ILLEGAL_GENERATION / reconnect ──┘ ; close ─► closed
 */
import { EventEmitter } from 'node:events';
import type { HeaderValue } from '../core/message';
import type { Assignor, CommittedOffset, TopicPartitions } from '../core/types';
import type { TopicRecordCursor } from '../../protocols/native/codec/responses';
import { PolymqClient, type ClientOptions } from './client';
import { PolymqError, isPolymqError } from './errors';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, HeaderValue> | null;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** Omitted: committed offset (with a group) or autoOffsetReset. */
  offset?: number;
}

export type OffsetReset = 'earliest' | 'latest';

export interface ConsumerOptions extends ClientOptions {
  groupId?: string;
  /** Where to start without a committed offset (default 'earliest'). */
  autoOffsetReset?: OffsetReset;
  autoCommit?: boolean;
  autoCommitIntervalMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  assignor?: Assignor;
  /** FETCH long-poll time. */
  maxWaitMs?: number;
  maxRecordsPerFetch?: number;
  maxBytesPerFetch?: number;
  /** Records buffered across partitions before fetching pauses. */
  bufferMaxRecords?: number;
  client?: PolymqClient;
}

export const CONSUMER_DEFAULTS = {
  autoOffsetReset: 'earliest' as OffsetReset,
  autoCommit: true,
  autoCommitIntervalMs: 1_000,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  rebalanceTimeoutMs: 10_000,
  assignor: 'range' as Assignor,
  maxWaitMs: 500,
  maxRecordsPerFetch: 500,
  maxBytesPerFetch: 1024 * 1024,
  bufferMaxRecords: 2_000,
  /** Backoff after a failed fetch before the loop tries again. */
  fetchErrorBackoffMs: 200,
} as const;

interface PartitionState {
  topic: string;
  partition: number;
  fetchPosition: number;
  consumedPosition: number;
  /** Bumped on seek/revoke: fetch answers for an older epoch are dropped. */
  epoch: number;
  paused: boolean;
  /** Id of the fetch loop that owns this partition; an older loop exits after its in-flight fetch. */
  loop: number;
}

/** Fully taken fetch answers at the head of the buffer are dropped in one slice once there are this many. */
const BUFFER_COMPACT_MIN = 64;

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Events: 'rebalance' ({ assigned: TopicPartitions[] }), 'error' (PolymqError, non-fatal, for logging). */
export class Consumer extends EventEmitter implements AsyncIterable<ConsumedRecord> {
  readonly client: PolymqClient;
  private readonly ownsClient: boolean;
  private readonly o: Required<Omit<ConsumerOptions, keyof ClientOptions | 'client' | 'groupId'>> & { groupId: string | null };
  private readonly parts = new Map<string, PartitionState>();
  /**
   * Fetch answers not handed out completely, in arrival order; their records are built when taken (see
   * TopicRecordCursor), so a deep buffer does not keep tens of thousands of record objects alive.
   */
  private buffer: TopicRecordCursor[] = [];
  private bufferHead = 0;
  /** Records in `buffer` not taken yet. */
  private bufferedRecords = 0;
  private readonly wakeReaders = new Set<() => void>();
  private readonly wakeFetchers = new Set<() => void>();
  private lastHanded: ConsumedRecord | null = null;
  private lastState: PartitionState | null = null;
  /** Bumped whenever `parts` changes, which invalidates lastState. */
  private partsVersion = 0;
  private lastStateVersion = -1;
  private topics: string[] = [];
  private memberId = '';
  private generation = -1;
  private joining: Promise<void> | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private commitTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private groupMode = false;

  constructor(opts: ConsumerOptions = {}) {
    super();
    this.client = opts.client ?? new PolymqClient({ retryInitialConnect: false, ...opts });
    this.ownsClient = opts.client === undefined;
    this.o = {
      groupId: opts.groupId ?? null,
      autoOffsetReset: opts.autoOffsetReset ?? CONSUMER_DEFAULTS.autoOffsetReset,
      autoCommit: opts.autoCommit ?? (opts.groupId !== undefined && CONSUMER_DEFAULTS.autoCommit),
      autoCommitIntervalMs: opts.autoCommitIntervalMs ?? CONSUMER_DEFAULTS.autoCommitIntervalMs,
      sessionTimeoutMs: opts.sessionTimeoutMs ?? CONSUMER_DEFAULTS.sessionTimeoutMs,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? CONSUMER_DEFAULTS.heartbeatIntervalMs,
      rebalanceTimeoutMs: opts.rebalanceTimeoutMs ?? CONSUMER_DEFAULTS.rebalanceTimeoutMs,
      assignor: opts.assignor ?? CONSUMER_DEFAULTS.assignor,
      maxWaitMs: opts.maxWaitMs ?? CONSUMER_DEFAULTS.maxWaitMs,
      maxRecordsPerFetch: opts.maxRecordsPerFetch ?? CONSUMER_DEFAULTS.maxRecordsPerFetch,
      maxBytesPerFetch: opts.maxBytesPerFetch ?? CONSUMER_DEFAULTS.maxBytesPerFetch,
      bufferMaxRecords: opts.bufferMaxRecords ?? CONSUMER_DEFAULTS.bufferMaxRecords,
    };
    // Without a listener an 'error' event would throw; errors here are informational.
    this.on('error', () => undefined);
  }

  // ---------------------------------------------------------------------------------------------- setup

  /** Group mode: join `groupId` for these topics; resolves once the first assignment is in place. */
  async subscribe(topics: string[]): Promise<void> {
    if (this.o.groupId === null) throw new PolymqError('INVALID_ARGUMENT', 'subscribe() needs a groupId; use assign() without one');
    this.topics = [...topics];
    this.groupMode = true;
    await this.client.connect();
    this.client.on('reconnected', () => this.onReconnected());
    await this.rejoin();
    this.startCommitTimer();
  }

  /** Manual mode: read exactly these partitions. */
  async assign(partitions: TopicPartitionOffset[]): Promise<void> {
    await this.client.connect();
    this.client.on('reconnected', () => this.onReconnected());
    await this.install(partitions.map((p) => ({ topic: p.topic, partitions: [p.partition] })), partitions);
    this.startCommitTimer();
  }

  /** Current assignment. */
  assignment(): TopicPartitions[] {
    const byTopic = new Map<string, number[]>();
    for (const s of this.parts.values()) {
      const list = byTopic.get(s.topic) ?? [];
      list.push(s.partition);
      byTopic.set(s.topic, list);
    }
    return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
  }

  // ---------------------------------------------------------------------------------------------- reading

  [Symbol.asyncIterator](): AsyncIterator<ConsumedRecord> {
    return {
      next: async (): Promise<IteratorResult<ConsumedRecord>> => {
        const rec = await this.nextRecord();
        return rec === null ? { done: true, value: undefined } : { done: false, value: rec };
      },
      return: async (): Promise<IteratorResult<ConsumedRecord>> => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  /** The next record, waiting as needed; null once the consumer is closed. */
  async nextRecord(): Promise<ConsumedRecord | null> {
    this.markHandedConsumed();
    for (;;) {
      if (this.closed) return null;
      const rec = this.takeBuffered();
      if (rec) {
        this.lastHanded = rec;
        return rec;
      }
      await new Promise<void>((resolve) => this.wakeReaders.add(resolve));
    }
  }

  /** Up to maxRecords buffered records, waiting at most timeoutMs for the first. */
  async poll(timeoutMs: number, maxRecords = 500): Promise<ConsumedRecord[]> {
    this.markHandedConsumed();
    if (this.bufferedCount() === 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(t);
          resolve();
        }
        this.wakeReaders.add(done);
      });
    }
    const out: ConsumedRecord[] = [];
    while (out.length < maxRecords) {
      const r = this.takeBuffered();
      if (!r) break;
      out.push(r);
      this.consumed(r);
    }
    return out;
  }

  private bufferedCount(): number {
    return this.bufferedRecords;
  }

  private takeBuffered(): ConsumedRecord | null {
    while (this.bufferHead < this.buffer.length) {
      const c = this.buffer[this.bufferHead];
      const r = c.next();
      this.bufferedRecords--;
      if (c.remaining === 0) {
        this.bufferHead++;
        if (this.bufferHead > BUFFER_COMPACT_MIN && this.bufferHead * 2 > this.buffer.length) {
          this.buffer = this.buffer.slice(this.bufferHead);
          this.bufferHead = 0;
        }
      }
      this.wakeAll(this.wakeFetchers);
      const s = this.stateOf(r);
      // Drop records of revoked partitions and records from before a seek.
      // (a paused partition re-reads from its consumed position on resume)
      if (!s || r.offset < s.consumedPosition || s.paused) continue;
      return r;
    }
    return null;
  }

  private markHandedConsumed(): void {
    if (this.lastHanded) this.consumed(this.lastHanded);
    this.lastHanded = null;
  }

  /** The partition state of a record; records come in runs per partition, so the last lookup is cached. */
  private stateOf(r: { topic: string; partition: number }): PartitionState | undefined {
    const c = this.lastState;
    if (c !== null && this.lastStateVersion === this.partsVersion && c.partition === r.partition && c.topic === r.topic) return c;
    const s = this.parts.get(tpKey(r.topic, r.partition));
    this.lastState = s ?? null;
    this.lastStateVersion = this.partsVersion;
    return s;
  }

  private consumed(r: ConsumedRecord): void {
    const s = this.stateOf(r);
    if (s && r.offset + 1 > s.consumedPosition) s.consumedPosition = r.offset + 1;
  }

  // ---------------------------------------------------------------------------------------------- positions

  /** Next reads of this partition start at `offset`. */
  seek(topic: string, partition: number, offset: number): void {
    const s = this.parts.get(tpKey(topic, partition));
    if (!s) throw new PolymqError('INVALID_ARGUMENT', `${topic}/${partition} is not assigned to this consumer`);
    s.epoch++;
    s.fetchPosition = offset;
    s.consumedPosition = offset;
    // A new loop at once: the old one may sit in a long-poll for up to maxWaitMs.
    if (!s.paused) this.runFetcher(s);
    if (this.lastHanded?.topic === topic && this.lastHanded.partition === partition) this.lastHanded = null;
    // Records already buffered for this partition are stale now.
    this.buffer = this.buffer.slice(this.bufferHead).filter((c) => c.topic !== topic || c.partition !== partition);
    this.bufferHead = 0;
    this.bufferedRecords = 0;
    for (const c of this.buffer) this.bufferedRecords += c.remaining;
    this.wakeAll(this.wakeFetchers);
  }

  /** Seeks every assigned partition of `topic` (or one) to the first record at or after timestampMs. */
  async seekToTimestamp(topic: string, timestampMs: number, partition?: number): Promise<void> {
    for (const s of [...this.parts.values()]) {
      if (s.topic !== topic || (partition !== undefined && s.partition !== partition)) continue;
      const offset = await this.client.offsetForTimestamp(topic, s.partition, timestampMs);
      this.seek(topic, s.partition, offset);
    }
  }

  async seekToBeginning(topic: string, partition?: number): Promise<void> {
    await this.seekToEdge(topic, 'earliest', partition);
  }

  async seekToEnd(topic: string, partition?: number): Promise<void> {
    await this.seekToEdge(topic, 'latest', partition);
  }

  private async seekToEdge(topic: string, edge: OffsetReset, partition?: number): Promise<void> {
    const info = await this.client.describeTopic(topic);
    for (const p of info.partitions) {
      if (partition !== undefined && p.partition !== partition) continue;
      if (this.parts.has(tpKey(topic, p.partition))) this.seek(topic, p.partition, edge === 'earliest' ? p.startOffset : p.endOffset);
    }
  }

  pause(partitions: { topic: string; partition: number }[]): void {
    for (const p of partitions) {
      const s = this.parts.get(tpKey(p.topic, p.partition));
      if (s) s.paused = true;
    }
  }

  resume(partitions: { topic: string; partition: number }[]): void {
    for (const p of partitions) {
      const s = this.parts.get(tpKey(p.topic, p.partition));
      if (s && s.paused) {
        s.paused = false;
        s.epoch++;
        // Buffered records of a paused partition were dropped; read again from the consumed position.
        s.fetchPosition = s.consumedPosition;
        this.runFetcher(s);
      }
    }
    this.wakeAll(this.wakeFetchers);
  }

  /** Position of the next record the application will see for this partition. */
  position(topic: string, partition: number): number | undefined {
    return this.parts.get(tpKey(topic, partition))?.consumedPosition;
  }

  // ---------------------------------------------------------------------------------------------- commits

  /**
   * Commits offsets: the given ones, or the consumed position of every assigned partition (including the record
   * handed out last). Requires a groupId.
   */
  async commit(offsets?: { topic: string; partition: number; offset: number }[]): Promise<void> {
    if (this.o.groupId === null) throw new PolymqError('INVALID_ARGUMENT', 'commit() needs a groupId');
    if (!offsets) this.markHandedConsumed();
    const list: CommittedOffset[] = offsets ?? [...this.parts.values()].map((s) => ({ topic: s.topic, partition: s.partition, offset: s.consumedPosition }));
    if (list.length === 0) return;
    await this.client.commitOffsets({
      groupId: this.o.groupId,
      memberId: this.groupMode ? this.memberId : '',
      generation: this.groupMode ? this.generation : -1,
      offsets: list,
    });
  }

  /** Commits the consumed positions, without counting the record handed out last (it may still be in work). */
  private async autoCommitNow(): Promise<void> {
    if (!this.o.autoCommit || this.o.groupId === null || this.parts.size === 0) return;
    const list = [...this.parts.values()].map((s) => ({ topic: s.topic, partition: s.partition, offset: s.consumedPosition }));
    await this.client.commitOffsets({
      groupId: this.o.groupId,
      memberId: this.groupMode ? this.memberId : '',
      generation: this.groupMode ? this.generation : -1,
      offsets: list,
    });
  }

  private startCommitTimer(): void {
    if (!this.o.autoCommit || this.o.groupId === null || this.commitTimer) return;
    this.commitTimer = setInterval(() => {
      if (this.joining) return;
      this.autoCommitNow().catch((err: unknown) => this.emit('error', err));
    }, this.o.autoCommitIntervalMs);
  }

  // ---------------------------------------------------------------------------------------------- group membership

  private rejoin(): Promise<void> {
    if (this.joining) return this.joining;
    this.joining = this.doJoin().finally(() => {
      this.joining = null;
    });
    return this.joining;
  }

  private async doJoin(): Promise<void> {
    const groupId = this.o.groupId;
    if (groupId === null) return;
    this.stopHeartbeat();
    // Eager rebalance: commit what was consumed, then give everything up before re-joining.
    if (this.parts.size > 0 && this.memberId !== '') await this.autoCommitNow().catch(() => undefined);
    const retained = new Map<string, number>();
    for (const [k, s] of this.parts) retained.set(k, s.consumedPosition);
    this.revokeAll();
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        const res = await this.client.joinGroup({
          groupId,
          memberId: this.memberId,
          clientId: this.client.clientId,
          topics: this.topics,
          assignor: this.o.assignor,
          sessionTimeoutMs: this.o.sessionTimeoutMs,
          rebalanceTimeoutMs: this.o.rebalanceTimeoutMs,
        });
        this.memberId = res.memberId;
        this.generation = res.generation;
        const explicit: TopicPartitionOffset[] = [];
        for (const tp of res.assignment) {
          for (const p of tp.partitions) {
            const kept = retained.get(tpKey(tp.topic, p));
            explicit.push(kept === undefined ? { topic: tp.topic, partition: p } : { topic: tp.topic, partition: p, offset: kept });
          }
        }
        await this.install(res.assignment, explicit);
        this.startHeartbeat();
        this.emit('rebalance', { assigned: res.assignment, generation: res.generation });
        return;
      } catch (err) {
        if (this.closed) return;
        if (isPolymqError(err) && err.code === 'UNKNOWN_MEMBER') this.memberId = '';
        this.emit('error', err);
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * 2 ** Math.min(attempt, 5))));
      }
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const groupId = this.o.groupId;
    if (groupId === null) return;
    this.heartbeatTimer = setInterval(() => {
      if (this.joining || this.closed) return;
      this.client.heartbeat(groupId, this.memberId, this.generation).then(
        (rebalance) => {
          if (rebalance) void this.rejoin();
        },
        (err: unknown) => {
          if (!isPolymqError(err)) return;
          if (err.code === 'UNKNOWN_MEMBER') this.memberId = '';
          if (err.code === 'UNKNOWN_MEMBER' || err.code === 'ILLEGAL_GENERATION' || err.code === 'REBALANCE_IN_PROGRESS') void this.rejoin();
          else this.emit('error', err);
        },
      );
    }, this.o.heartbeatIntervalMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private onReconnected(): void {
    if (this.closed) return;
    // Fetch loops retry on their own. A group member checks its membership with the next heartbeat; if the
    // broker forgot it (restart, session timeout) the heartbeat answers UNKNOWN_MEMBER and we re-join.
    this.wakeAll(this.wakeFetchers);
  }

  // ---------------------------------------------------------------------------------------------- fetching

  private revokeAll(): void {
    for (const s of this.parts.values()) s.epoch++;
    this.parts.clear();
    this.partsVersion++;
    this.buffer = [];
    this.bufferHead = 0;
    this.bufferedRecords = 0;
    this.lastHanded = null;
    this.wakeAll(this.wakeFetchers);
  }

  /** Installs an assignment: resolves starting positions, then starts one fetch loop per partition. */
  private async install(assignment: TopicPartitions[], explicit: TopicPartitionOffset[]): Promise<void> {
    const committed = new Map<string, number>();
    if (this.o.groupId !== null) {
      for (const topic of new Set(assignment.map((a) => a.topic))) {
        for (const c of await this.client.fetchOffsets(this.o.groupId, topic)) committed.set(tpKey(c.topic, c.partition), c.offset);
      }
    }
    const edges = new Map<string, { start: number; end: number }>();
    for (const topic of new Set(assignment.map((a) => a.topic))) {
      for (const p of (await this.client.describeTopic(topic)).partitions) edges.set(tpKey(topic, p.partition), { start: p.startOffset, end: p.endOffset });
    }
    for (const e of explicit) {
      const k = tpKey(e.topic, e.partition);
      const edge = edges.get(k);
      if (!edge) throw new PolymqError('UNKNOWN_PARTITION', `${e.topic} has no partition ${e.partition}`);
      const start = e.offset ?? committed.get(k) ?? (this.o.autoOffsetReset === 'earliest' ? edge.start : edge.end);
      const s: PartitionState = { topic: e.topic, partition: e.partition, fetchPosition: start, consumedPosition: start, epoch: 0, paused: false, loop: 0 };
      this.parts.set(k, s);
      this.partsVersion++;
      this.runFetcher(s);
    }
  }

  private runFetcher(s: PartitionState): void {
    s.loop++;
    void this.fetchLoop(s, s.loop);
  }

  private isCurrent(s: PartitionState): boolean {
    return !this.closed && this.parts.get(tpKey(s.topic, s.partition)) === s;
  }

  private async fetchLoop(s: PartitionState, loop: number): Promise<void> {
    while (this.isCurrent(s) && !s.paused && s.loop === loop) {
      if (this.bufferedCount() >= this.o.bufferMaxRecords) {
        await new Promise<void>((resolve) => this.wakeFetchers.add(resolve));
        continue;
      }
      const epoch = s.epoch;
      const offset = s.fetchPosition;
      let set: TopicRecordCursor;
      try {
        set = await this.client.fetchTopicRecordCursor({
          topic: s.topic,
          partition: s.partition,
          offset,
          maxRecords: this.o.maxRecordsPerFetch,
          maxBytes: this.o.maxBytesPerFetch,
          maxWaitMs: this.o.maxWaitMs,
        });
      } catch (err) {
        if (!this.isCurrent(s)) return;
        if (isPolymqError(err) && err.code === 'OFFSET_OUT_OF_RANGE') {
          await this.resetPosition(s).catch((e: unknown) => this.emit('error', e));
        } else {
          this.emit('error', err);
          if (isPolymqError(err) && err.code === 'CLIENT_CLOSED') return;
          await new Promise((r) => setTimeout(r, CONSUMER_DEFAULTS.fetchErrorBackoffMs));
        }
        continue;
      }
      if (!this.isCurrent(s) || s.epoch !== epoch || s.paused || s.loop !== loop) continue;
      if (set.count === 0) continue;
      this.buffer.push(set);
      this.bufferedRecords += set.count;
      s.fetchPosition = set.lastOffset + 1;
      this.wakeAll(this.wakeReaders);
    }
  }

  private async resetPosition(s: PartitionState): Promise<void> {
    const p = (await this.client.describeTopic(s.topic)).partitions.find((x) => x.partition === s.partition);
    if (!p) return;
    const to = this.o.autoOffsetReset === 'earliest' ? p.startOffset : p.endOffset;
    if (this.isCurrent(s)) this.seek(s.topic, s.partition, to);
  }

  private wakeAll(set: Set<() => void>): void {
    if (set.size === 0) return;
    const fns = [...set];
    set.clear();
    for (const f of fns) f();
  }

  // ---------------------------------------------------------------------------------------------- close

  /** Commits (auto commit), leaves the group, closes the connection if it owns it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.stopHeartbeat();
    if (this.commitTimer) clearInterval(this.commitTimer);
    this.commitTimer = null;
    if (this.o.autoCommit && this.o.groupId !== null) {
      this.markHandedConsumed();
      await this.autoCommitNow().catch(() => undefined);
    }
    if (this.groupMode && this.o.groupId !== null && this.memberId !== '') {
      await this.client.leaveGroup(this.o.groupId, this.memberId).catch(() => undefined);
    }
    this.closed = true;
    this.revokeAll();
    this.wakeAll(this.wakeReaders);
    if (this.ownsClient) await this.client.close();
  }
}
