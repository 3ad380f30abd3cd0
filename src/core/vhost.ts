/**
 * A virtual host: the namespace of exchanges, bindings, queues and topics, with RabbitMQ's declare / delete /
 * bind semantics and errors (rabbit_channel, rabbit_amqqueue, rabbit_exchange), and the publish path.
 *
 * State lives in memory (the Router and the queue map) and, for durable entities, in the MetaStore, written
 * before the declare/bind resolves so a -ok reply means it survives a restart. Every change to the in-memory
 * maps happens synchronously before the first await, so concurrent calls see each other's effects.
 *
 * Cascades (as in RabbitMQ): deleting a queue or exchange removes its bindings; an auto-delete exchange goes
 * when its last binding as source goes; an exclusive queue goes when its owner's connection closes.
 */
import type { LogStore, MetaStore } from '../../storage/types';
import { BrokerError, isBrokerError } from './errors';
import type { Limits } from './limits';
import type { Logger } from './logger';
import type { HeaderTable, Message } from './message';
import { isDeadLetterCycle } from './queue/dead-letter';
import { validateQueueArguments, stringValue } from './queue/arguments';
import { ClassicQueue } from './queue/classic-queue';
import { type Binding, makeBinding } from './router/binding';
import { EXCHANGE_TYPES, type ExchangeEntry, Router } from './router/router';
import { StreamQueue } from './topics/stream-queue';
import { TopicRegistryImpl } from './topics/topic-registry';
import type {
  ExchangeSpec,
  OwnerId,
  PublishOptions,
  PublishResult,
  QueueHandle,
  QueueInfo,
  QueueSpec,
  VirtualHost,
} from './types';
import { HostedClassic } from './vhost-classic';
import { hasSenderRoutes, routingKeysOf, withoutBcc } from './vhost-sender-routes';
import { assertExchangeEquivalent, assertQueueEquivalent } from './vhost-equivalence';
import { type VhostLimits, vhostLimits } from './vhost-limits';
import {
  checkNameLength,
  checkNotDefaultExchange,
  checkNotReserved,
  RESERVED_PREFIX,
  serverGeneratedQueueName,
} from './vhost-names';
import { HostedStream, type HostedQueue, type QueueKind } from './vhost-queue';
import {
  type BindingRecord,
  bindingFromRecord,
  bindingToRecord,
  type ExchangeRecord,
  exchangeFromRecord,
  exchangeToRecord,
  queueFromRecord,
  queueLogPrefix,
  type QueueRecord,
  queueToRecord,
  type VhostNamespaces,
  vhostNamespaces,
} from './vhost-records';

export interface VhostDeps {
  store: LogStore;
  transientStore: LogStore;
  meta: MetaStore;
  limits: Limits;
  logger: Logger;
  now(): number;
  setTimer(ms: number, fn: () => void): () => void;
  /** Overrides of VHOST_LIMITS (tests shrink them). */
  vhostLimits?: Partial<VhostLimits>;
}

const RESOLVED: Promise<void> = Promise.resolve();
const NOOP = (): void => {};

function queueKindOf(args: HeaderTable): QueueKind {
  const t = stringValue(args['x-queue-type']);
  return t === 'stream' || t === 'quorum' ? t : 'classic';
}

export class VirtualHostImpl implements VirtualHost {
  readonly topics: TopicRegistryImpl;
  private readonly router: Router;
  private readonly queues = new Map<string, HostedQueue>();
  /** Ids of bindings that have a MetaStore record (source and destination both durable). */
  private readonly durableBindings = new Set<string>();
  private readonly ns: VhostNamespaces;
  private readonly vlimits: VhostLimits;
  private readonly logger: Logger;
  /** MetaStore writes not awaited by a caller (cascades from ownerClosed, requestDelete); close() waits. */
  private readonly background = new Set<Promise<unknown>>();
  /** Queues being deleted, by name: settles when their log and records are gone. */
  private readonly deleting = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly deps: VhostDeps,
  ) {
    this.logger = deps.logger; // the broker passes a child logger that names the vhost
    this.ns = vhostNamespaces(name);
    this.vlimits = vhostLimits(deps.vhostLimits);
    this.router = new Router(name, (q) => this.queues.has(q));
    this.topics = new TopicRegistryImpl(name, {
      store: deps.store,
      meta: deps.meta,
      limits: deps.limits,
      logger: deps.logger,
      now: () => deps.now(),
      setTimer: (ms, fn) => deps.setTimer(ms, fn),
    });
  }

  // ------------------------------------------------------------------------------------------ lifecycle

  /** Reloads durable exchanges, queues and bindings (and topics); transient ones did not survive. */
  async recover(): Promise<void> {
    await this.topics.recover();
    for (const [, rec] of this.deps.meta.list<ExchangeRecord>(this.ns.exchange)) {
      if (this.router.getExchange(rec.name) !== undefined) continue;
      try {
        this.router.addExchange(exchangeFromRecord(rec));
      } catch (err) {
        this.logger.error({ err, exchange: rec.name }, 'stored exchange could not be restored; skipped');
      }
    }
    // A queue that fails to load keeps its log and records (an operator can fix the cause and restart).
    const durableLogs = new Set<string>();
    const failed = new Set<string>();
    // Concurrently, so that the queues' state writes share metadata commits instead of one fsync per queue.
    await Promise.all(
      this.deps.meta.list<QueueRecord>(this.ns.queue).map(async ([, rec]) => {
        const spec = queueFromRecord(rec);
        durableLogs.add(this.queueLogName(spec.name));
        try {
          await this.createQueue(spec, null, queueKindOf(spec.arguments), true);
        } catch (err) {
          failed.add(spec.name);
          this.logger.error({ err, queue: rec.name }, 'stored queue could not be restored; skipped');
        }
      }),
    );
    for (const [key, rec] of this.deps.meta.list<BindingRecord>(this.ns.binding)) {
      const b = bindingFromRecord(rec);
      if (!this.destinationExists(b) || this.router.getExchange(b.source) === undefined) {
        // Its queue or exchange is gone (a crash between the two deletions): a stale record.
        if (!(b.destinationKind === 'queue' && failed.has(b.destination))) await this.deps.meta.delete(this.ns.binding, key);
        continue;
      }
      this.router.addBinding(b);
      this.durableBindings.add(b.id);
    }
    // Logs left behind by a crash between a queue's record deletion and its log deletion, and every transient
    // queue's log from the previous run.
    const prefix = queueLogPrefix(this.name);
    for (const log of this.deps.store.listLogs()) {
      if (log.startsWith(prefix) && !durableLogs.has(log)) this.deps.store.deleteLog(log);
    }
    for (const log of this.deps.transientStore.listLogs()) {
      if (log.startsWith(prefix)) this.deps.transientStore.deleteLog(log);
    }
    this.logger.debug(
      { exchanges: this.router.size.exchanges, queues: this.queues.size, bindings: this.router.size.bindings },
      'vhost recovered',
    );
  }

  /** Stops queue timers and consumers (data stays) and waits for outstanding metadata writes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing: Promise<void>[] = [];
    for (const q of this.queues.values()) {
      closing.push(
        q.close().catch((err: unknown) => this.logger.warn({ err, queue: q.spec.name }, 'queue close failed')),
      );
    }
    this.topics.close();
    await Promise.allSettled([...closing, ...this.background]);
  }

  // ------------------------------------------------------------------------------------------ exchanges

  async declareExchange(spec: ExchangeSpec, passive: boolean): Promise<void> {
    this.checkOpen();
    checkNotDefaultExchange(spec.name);
    if (passive) {
      this.exchangeOrDie(spec.name);
      return;
    }
    if (!EXCHANGE_TYPES.includes(spec.type)) {
      throw new BrokerError('COMMAND_INVALID', `unknown exchange type '${spec.type}'`);
    }
    const existing = this.router.getExchange(spec.name);
    if (existing !== undefined) {
      assertExchangeEquivalent(existing.spec, spec, this.name);
      return;
    }
    checkNotReserved('exchange', spec.name);
    checkNameLength('exchange', spec.name, this.vlimits.nameLengthMaxBytes);
    if (this.router.size.exchanges >= this.vlimits.exchangesMax) {
      throw new BrokerError('LIMIT_EXCEEDED', `exchange limit in vhost '${this.name}' (${this.vlimits.exchangesMax}) is reached`);
    }
    const own: ExchangeSpec = { ...spec, arguments: { ...spec.arguments } };
    this.router.addExchange(own);
    if (own.durable) await this.deps.meta.put(this.ns.exchange, own.name, exchangeToRecord(own));
  }

  async deleteExchange(name: string, ifUnused: boolean): Promise<void> {
    this.checkOpen();
    checkNotDefaultExchange(name);
    if (name.startsWith(RESERVED_PREFIX)) {
      throw new BrokerError('ACCESS_REFUSED', `deletion of system exchange '${name}' in vhost '${this.name}' not allowed`);
    }
    const x = this.router.getExchange(name);
    if (x === undefined) return; // idempotent, as RabbitMQ
    if (ifUnused && x.bindings.size > 0) {
      throw new BrokerError('PRECONDITION_FAILED', `exchange '${name}' in vhost '${this.name}' in use`);
    }
    const writes: Promise<void>[] = [];
    this.removeExchange(x, writes);
    await Promise.all(writes);
  }

  async bindExchange(destination: string, source: string, routingKey: string, args: HeaderTable): Promise<void> {
    this.checkOpen();
    checkNotDefaultExchange(destination);
    checkNotDefaultExchange(source);
    const src = this.exchangeOrDie(source);
    const dst = this.exchangeOrDie(destination);
    const b = makeBinding(source, destination, 'exchange', routingKey, { ...args });
    await this.addBinding(b, src.spec.durable && dst.spec.durable);
  }

  /** Idempotent: a missing binding, source or destination is not an error (RabbitMQ 3.x answers unbind-ok). */
  async unbindExchange(destination: string, source: string, routingKey: string, args: HeaderTable): Promise<void> {
    this.checkOpen();
    checkNotDefaultExchange(destination);
    checkNotDefaultExchange(source);
    await this.removeBinding(makeBinding(source, destination, 'exchange', routingKey, args));
  }

  // ------------------------------------------------------------------------------------------ queues

  async declareQueue(spec: QueueSpec, passive: boolean, owner: OwnerId): Promise<QueueInfo> {
    this.checkOpen();
    if (passive) {
      const q = this.queueOrDie(spec.name, owner);
      return q.info();
    }
    // An exclusive queue is never durable: it dies with its connection (rabbit_channel: Durable andalso not Exclusive).
    const exclusive = spec.exclusive;
    const requested: QueueSpec = {
      name: spec.name === '' ? serverGeneratedQueueName() : spec.name,
      durable: spec.durable && !exclusive,
      exclusive,
      autoDelete: spec.autoDelete,
      arguments: { ...spec.arguments },
    };
    if (spec.name !== '') {
      checkNotReserved('queue', spec.name);
      checkNameLength('queue', spec.name, this.vlimits.nameLengthMaxBytes);
    }
    const deleting = this.deleting.get(requested.name);
    if (deleting !== undefined) {
      // The previous queue of this name is still releasing its log: declare afresh once it has.
      await deleting;
      return this.declareQueue(spec, passive, owner);
    }
    const existing = this.queues.get(requested.name);
    if (existing !== undefined) {
      // strict: both the owner and the exclusivity must match (rabbit_amqqueue:check_exclusive_access/3).
      if (existing.owner !== (exclusive ? owner : null)) throw this.locked(requested.name);
      assertQueueEquivalent(existing.spec, requested, this.name);
      existing.touch?.();
      return existing.info();
    }
    validateQueueArguments(requested.arguments, requested.name, this.name);
    const kind = queueKindOf(requested.arguments);
    if (kind !== 'classic') this.checkReplicatedProperties(requested);
    if (this.queues.size >= this.vlimits.queuesMax) {
      throw new BrokerError(
        'LIMIT_EXCEEDED',
        `cannot declare queue '${requested.name}': queue limit in vhost '${this.name}' (${this.vlimits.queuesMax}) is reached`,
      );
    }
    const q = await this.createQueue(requested, exclusive ? owner : null, kind, false);
    if (requested.durable) {
      try {
        await this.deps.meta.put(this.ns.queue, requested.name, queueToRecord(requested));
      } catch (err) {
        await this.removeQueue(q).catch(NOOP);
        throw err;
      }
    }
    return q.info();
  }

  async deleteQueue(name: string, opts: { ifUnused: boolean; ifEmpty: boolean }, owner: OwnerId): Promise<number> {
    this.checkOpen();
    const q = this.queues.get(name);
    if (q === undefined) return 0; // idempotent, as RabbitMQ
    this.checkExclusive(q, owner);
    const info = q.info();
    if (opts.ifUnused && info.consumerCount > 0) {
      throw new BrokerError('PRECONDITION_FAILED', `queue '${name}' in vhost '${this.name}' in use`);
    }
    if (opts.ifEmpty && info.messageCount > 0) {
      throw new BrokerError('PRECONDITION_FAILED', `queue '${name}' in vhost '${this.name}' not empty`);
    }
    return this.removeQueue(q);
  }

  async purgeQueue(name: string, owner: OwnerId): Promise<number> {
    this.checkOpen();
    return this.queueOrDie(name, owner).purge();
  }

  async bindQueue(queue: string, exchange: string, routingKey: string, args: HeaderTable, owner: OwnerId): Promise<void> {
    this.checkOpen();
    checkNotDefaultExchange(exchange);
    const x = this.exchangeOrDie(exchange);
    const q = this.queueOrDie(queue, owner);
    const b = makeBinding(exchange, queue, 'queue', routingKey, { ...args });
    await this.addBinding(b, x.spec.durable && q.spec.durable);
  }

  /**
   * Idempotent like unbindExchange; removing an existing binding of another connection's exclusive queue is
   * RESOURCE_LOCKED (RabbitMQ checks exclusivity only once it found the binding).
   */
  async unbindQueue(queue: string, exchange: string, routingKey: string, args: HeaderTable, owner: OwnerId): Promise<void> {
    this.checkOpen();
    checkNotDefaultExchange(exchange);
    const b = makeBinding(exchange, queue, 'queue', routingKey, args);
    const q = this.queues.get(queue);
    if (q !== undefined && this.router.hasBinding(b)) this.checkExclusive(q, owner);
    await this.removeBinding(b);
  }

  queue(name: string, owner: OwnerId): QueueHandle {
    this.checkOpen();
    return this.queueOrDie(name, owner).handle;
  }

  /** Deletes the owner's exclusive queues and tells every other queue the owner is gone (its consumers). */
  ownerClosed(owner: OwnerId): void {
    for (const q of [...this.queues.values()]) {
      if (q.owner === owner) {
        this.track(this.removeQueue(q));
        continue;
      }
      try {
        q.ownerClosed(owner);
      } catch (err) {
        this.logger.warn({ err, queue: q.spec.name, owner }, 'ownerClosed failed');
      }
    }
  }

  // ------------------------------------------------------------------------------------------ publish

  /**
   * Routes and enqueues. Throws NOT_FOUND (no such exchange) and ACCESS_REFUSED (internal exchange)
   * synchronously; refusals by a queue (x-overflow reject-publish, storage) reject `settled`.
   */
  publish(message: Message, _opts: PublishOptions): PublishResult {
    this.checkOpen();
    const targets: string[] = [];
    const headers = message.properties.headers;
    if (hasSenderRoutes(headers)) {
      this.router.routeKeys(message.exchange, routingKeysOf(message, headers), headers, true, targets);
      return this.deliver(withoutBcc(message, headers), targets);
    }
    this.router.route(message.exchange, message.routingKey, headers, true, targets);
    return this.deliver(message, targets);
  }

  /** Dead-lettered messages take the publish path, minus the internal-exchange check and with cycle detection. */
  private deadLetter(message: Message): void {
    if (this.closed) return;
    const targets: string[] = [];
    try {
      this.router.route(message.exchange, message.routingKey, message.properties.headers, false, targets);
    } catch (err) {
      // RabbitMQ drops a dead-lettered message whose DLX does not exist.
      this.logger.debug({ err, exchange: message.exchange }, 'dead-letter exchange missing; message dropped');
      return;
    }
    let n = 0;
    for (let i = 0; i < targets.length; i++) if (!isDeadLetterCycle(message, targets[i])) targets[n++] = targets[i];
    targets.length = n;
    this.deliver(message, targets).settled.catch((err: unknown) =>
      this.logger.debug({ err }, 'dead-lettered message refused by a queue'),
    );
  }

  private deliver(message: Message, targets: string[]): PublishResult {
    const n = targets.length;
    if (n === 0) return { routed: 0, settled: RESOLVED };
    let settled: Promise<void>;
    if (n === 1) {
      settled = this.enqueueInto(targets[0], message);
    } else {
      const all: Promise<void>[] = new Array(n);
      for (let i = 0; i < n; i++) all[i] = this.enqueueInto(targets[i], message);
      settled = Promise.all(all).then(NOOP);
    }
    // A publisher without confirms never looks at `settled`; a refusal must not become an unhandled rejection.
    settled.catch(NOOP);
    return { routed: n, settled };
  }

  private enqueueInto(queue: string, message: Message): Promise<void> {
    const q = this.queues.get(queue);
    if (q === undefined) return RESOLVED; // deleted by a dead-letter cascade within this publish
    try {
      return q.enqueue(message);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  // ------------------------------------------------------------------------------------------ introspection

  /** For management and tests: every exchange's spec. */
  listExchanges(): ExchangeSpec[] {
    return this.router.exchangeList().map((x) => x.spec);
  }

  listQueues(): QueueInfo[] {
    return [...this.queues.values()].map((q) => q.info());
  }

  queueSpec(name: string): QueueSpec | undefined {
    return this.queues.get(name)?.spec;
  }

  listBindings(): Binding[] {
    return this.router.bindingList();
  }

  /** Counts for management and metrics (cheap: no iteration). */
  stats(): { exchanges: number; queues: number; bindings: number } {
    const { exchanges, bindings } = this.router.size;
    return { exchanges, queues: this.queues.size, bindings };
  }

  checkExchange(name: string): void {
    this.exchangeOrDie(name);
  }

  // ------------------------------------------------------------------------------------------ internals

  private checkOpen(): void {
    if (this.closed) throw new BrokerError('BROKER_STOPPING', `vhost '${this.name}' is closed`);
  }

  private exchangeOrDie(name: string): ExchangeEntry {
    const x = this.router.getExchange(name);
    if (x === undefined) throw new BrokerError('NOT_FOUND', `no exchange '${name}' in vhost '${this.name}'`);
    return x;
  }

  private queueOrDie(name: string, owner: OwnerId): HostedQueue {
    const q = this.queues.get(name);
    if (q === undefined) throw new BrokerError('NOT_FOUND', `no queue '${name}' in vhost '${this.name}'`);
    this.checkExclusive(q, owner);
    return q;
  }

  /** lax mode: a non-exclusive queue is anyone's; an exclusive one only its owner's. */
  private checkExclusive(q: HostedQueue, owner: OwnerId): void {
    if (q.owner !== null && q.owner !== owner) throw this.locked(q.spec.name);
  }

  private locked(name: string): BrokerError {
    return new BrokerError(
      'RESOURCE_LOCKED',
      `cannot obtain exclusive access to locked queue '${name}' in vhost '${this.name}'. It could be originally ` +
        'declared on another connection or the exclusive property value does not match that of the original declaration.',
    );
  }

  /** Quorum queues and streams are durable, shared and explicit-delete only, as in RabbitMQ. */
  private checkReplicatedProperties(spec: QueueSpec): void {
    const bad = !spec.durable ? 'non-durable' : spec.exclusive ? 'exclusive-owner' : spec.autoDelete ? 'auto-delete' : null;
    if (bad !== null) {
      throw new BrokerError('PRECONDITION_FAILED', `invalid property '${bad}' for queue '${spec.name}' in vhost '${this.name}'`);
    }
  }

  private queueLogName(queue: string): string {
    return queueLogPrefix(this.name) + queue;
  }

  private destinationExists(b: Binding): boolean {
    return b.destinationKind === 'queue' ? this.queues.has(b.destination) : this.router.getExchange(b.destination) !== undefined;
  }

  /** Builds the queue and registers it; `recovering` loads its persisted state. */
  private async createQueue(spec: QueueSpec, owner: OwnerId | null, kind: QueueKind, recovering: boolean): Promise<HostedQueue> {
    if (kind === 'stream') {
      const sq = new StreamQueue(spec, this.topics, { logger: this.logger, now: () => this.deps.now() });
      const hosted = new HostedStream(sq);
      this.queues.set(spec.name, hosted);
      try {
        await sq.ready;
      } catch (err) {
        if (this.queues.get(spec.name) === hosted) this.queues.delete(spec.name);
        throw err;
      }
      return hosted;
    }
    const store = spec.durable ? this.deps.store : this.deps.transientStore;
    let hosted: HostedClassic | null = null;
    const cq = new ClassicQueue(spec, {
      log: store.log(this.queueLogName(spec.name)),
      meta: this.deps.meta,
      limits: this.deps.limits,
      logger: this.logger,
      now: () => this.deps.now(),
      setTimer: (ms, fn) => this.deps.setTimer(ms, fn),
      deadLetter: (m) => this.deadLetter(m),
      requestDelete: (reason) => {
        if (hosted === null || this.closed) return;
        this.logger.debug({ queue: spec.name, reason }, 'queue deleted on its own request');
        this.track(this.removeQueue(hosted));
      },
      vhost: this.name,
      // A non-durable queue's log would be the in-memory store: keep its messages as objects instead.
      inMemory: !spec.durable,
    });
    hosted = new HostedClassic(cq, kind === 'quorum' ? 'quorum' : 'classic', owner);
    this.queues.set(spec.name, hosted);
    if (recovering) {
      try {
        await cq.recover();
      } catch (err) {
        if (this.queues.get(spec.name) === hosted) this.queues.delete(spec.name);
        throw err;
      }
    }
    return hosted;
  }

  /**
   * Removes a queue with its bindings (and auto-delete exchanges they leave empty); returns its message count.
   * Until its log and records are gone, a declare of the same name waits (see `deleting`).
   */
  private removeQueue(q: HostedQueue): Promise<number> {
    const name = q.spec.name;
    if (this.queues.get(name) !== q) return Promise.resolve(0); // already removed
    const p = this.dropQueue(q);
    const done = p.then(NOOP, NOOP);
    this.deleting.set(name, done);
    void done.then(() => {
      if (this.deleting.get(name) === done) this.deleting.delete(name);
    });
    return p;
  }

  private async dropQueue(q: HostedQueue): Promise<number> {
    const name = q.spec.name;
    this.queues.delete(name);
    const writes: Promise<void>[] = [];
    const removed: Binding[] = [];
    for (const b of this.router.bindingsTo('queue', name)) {
      const r = this.router.removeBinding(b);
      if (r !== undefined) removed.push(r);
    }
    this.afterBindingsRemoved(removed, writes);
    if (q.spec.durable) writes.push(this.deps.meta.delete(this.ns.queue, name));
    const count = q.delete(); // consumers are cancelled now, not after the metadata commit
    await Promise.all(writes);
    const messages = await count;
    // The record is gone first: a crash before this line leaves an orphan log that recover() deletes.
    if (q.kind !== 'stream') {
      const store = q.spec.durable ? this.deps.store : this.deps.transientStore;
      const logName = this.queueLogName(name);
      if (store.hasLog(logName)) store.deleteLog(logName);
    }
    return messages;
  }

  private removeExchange(x: ExchangeEntry, writes: Promise<void>[]): void {
    const removed = this.router.removeExchange(x.spec.name);
    if (x.spec.durable) writes.push(this.deps.meta.delete(this.ns.exchange, x.spec.name));
    this.afterBindingsRemoved(removed, writes);
  }

  /**
   * Drops the records of removed bindings and auto-deletes source exchanges left without bindings, which removes
   * their own bindings in turn: a worklist, so a long chain of auto-delete exchanges cannot exhaust the stack.
   */
  private afterBindingsRemoved(removed: readonly Binding[], writes: Promise<void>[]): void {
    const work: Binding[] = [...removed];
    while (work.length > 0) {
      const b = work.pop() as Binding;
      if (this.durableBindings.delete(b.id)) writes.push(this.deps.meta.delete(this.ns.binding, b.id));
      const src = this.router.getExchange(b.source);
      if (src === undefined || !src.spec.autoDelete || src.bindings.size > 0) continue;
      for (const more of this.router.removeExchange(src.spec.name)) work.push(more);
      if (src.spec.durable) writes.push(this.deps.meta.delete(this.ns.exchange, src.spec.name));
    }
  }

  private async addBinding(b: Binding, durable: boolean): Promise<void> {
    if (this.router.hasBinding(b)) return;
    if (this.router.size.bindings >= this.vlimits.bindingsMax) {
      throw new BrokerError('LIMIT_EXCEEDED', `binding limit in vhost '${this.name}' (${this.vlimits.bindingsMax}) is reached`);
    }
    if (b.routingKey.length * 3 > this.vlimits.bindingKeyLengthMaxBytes &&
      Buffer.byteLength(b.routingKey, 'utf8') > this.vlimits.bindingKeyLengthMaxBytes) {
      throw new BrokerError('PRECONDITION_FAILED', `binding key longer than ${this.vlimits.bindingKeyLengthMaxBytes} bytes`);
    }
    this.router.addBinding(b); // validates headers-exchange x-match
    if (!durable) return;
    this.durableBindings.add(b.id);
    try {
      await this.deps.meta.put(this.ns.binding, b.id, bindingToRecord(b));
    } catch (err) {
      this.router.removeBinding(b);
      this.durableBindings.delete(b.id);
      throw err;
    }
  }

  /** Unbinding what is not bound is a no-op, as in RabbitMQ. */
  private async removeBinding(b: Binding): Promise<void> {
    const removed = this.router.removeBinding(b);
    if (removed === undefined) return;
    const writes: Promise<void>[] = [];
    this.afterBindingsRemoved([removed], writes);
    await Promise.all(writes);
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch((err: unknown) => {
      if (!isBrokerError(err) || err.code !== 'BROKER_STOPPING') this.logger.error({ err }, 'background vhost change failed');
    });
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}
