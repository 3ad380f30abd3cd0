/**
 * Test kit for the classic queue: a fake clock with manual timers, recording consumers, and a queue factory on
 * the real MemoryLogStore / MemoryMetaStore (no mocks of our own components).
 */
import { MemoryLogStore } from '../../../storage/memory-store';
import { MemoryMetaStore } from '../../../storage/memory-meta-store';
import type { LogStore, MetaStore } from '../../../storage/types';
import { defaultLimits } from '../../../src/core/limits';
import { childLogger } from '../../../src/core/logger';
import type { HeaderTable, Message, MessageProperties } from '../../../src/core/message';
import type { ConsumerSpec, Delivery } from '../../../src/core/types';
import { ClassicQueue } from '../../../src/core/queue/classic-queue';
import { FakeClock as SharedFakeClock } from '../../helpers/fake-clock';
import type { QueueLimits } from '../../../src/core/queue/queue-limits';

/** The shared fake clock; `activeTimers()` is its old name here. */
export class FakeClock extends SharedFakeClock {
  activeTimers(): number {
    return this.pending();
  }
}

export interface TestConsumer {
  spec: ConsumerSpec;
  deliveries: Delivery[];
  cancelledReasons: string[];
  /** What canDeliver() answers. */
  open: boolean;
  bodies(): string[];
}

export function consumer(tag: string, opts: Partial<Omit<ConsumerSpec, 'deliver' | 'cancelled' | 'canDeliver'>> = {}): TestConsumer {
  const c: TestConsumer = {
    deliveries: [],
    cancelledReasons: [],
    open: true,
    bodies: () => c.deliveries.map((d) => d.message.body.toString()),
    spec: {
      tag,
      noAck: false,
      exclusive: false,
      prefetch: 0,
      priority: 0,
      arguments: {},
      owner: 'owner-1',
      ...opts,
      canDeliver: () => c.open,
      deliver: (d) => c.deliveries.push(d),
      cancelled: (reason) => c.cancelledReasons.push(reason),
    },
  };
  return c;
}

export function msg(body: string, properties: MessageProperties = {}, routingKey = 'rk'): Message {
  return { exchange: 'ex', routingKey, properties, body: Buffer.from(body) };
}

export interface QueueOptions {
  name?: string;
  args?: HeaderTable;
  durable?: boolean;
  autoDelete?: boolean;
  store?: LogStore;
  meta?: MetaStore;
  clock?: FakeClock;
  queueLimits?: Partial<QueueLimits>;
  /** Where dead-lettered messages go (default: recorded in `deadLettered`). */
  deadLetter?: (m: Message) => void;
  /** Runs after a delete request is recorded (e.g. delete the queue at once, as the vhost does). */
  onRequestDelete?: (q: ClassicQueue) => void;
  /** QueueDeps.inMemory (what the vhost sets for non-durable queues). */
  inMemory?: boolean;
}

export interface TestQueue {
  q: ClassicQueue;
  clock: FakeClock;
  store: LogStore;
  meta: MetaStore;
  deadLettered: Message[];
  deleteRequests: string[];
}

export function makeQueue(opts: QueueOptions = {}): TestQueue {
  const store = opts.store ?? new MemoryLogStore();
  const meta = opts.meta ?? new MemoryMetaStore();
  const clock = opts.clock ?? new FakeClock();
  const name = opts.name ?? 'q';
  const deadLettered: Message[] = [];
  const deleteRequests: string[] = [];
  const onRequestDelete = opts.onRequestDelete;
  const q: ClassicQueue = new ClassicQueue(
    { name, durable: opts.durable ?? false, exclusive: false, autoDelete: opts.autoDelete ?? false, arguments: opts.args ?? {} },
    {
      log: store.log(`queue:/:${name}`),
      meta,
      limits: defaultLimits(),
      logger: childLogger('queue-test'),
      now: clock.now,
      setTimer: clock.setTimer,
      deadLetter: opts.deadLetter ?? ((m) => deadLettered.push(m)),
      requestDelete: (reason) => {
        deleteRequests.push(reason);
        onRequestDelete?.(q);
      },
      queueLimits: opts.queueLimits,
      inMemory: opts.inMemory,
    },
  );
  return { q, clock, store, meta, deadLettered, deleteRequests };
}

/** Enqueues each body (persistent unless told) and waits for all to be committed. */
export async function publish(q: ClassicQueue, bodies: string[], properties: MessageProperties = { deliveryMode: 2 }): Promise<void> {
  await Promise.all(bodies.map((b) => q.enqueue(msg(b, properties))));
}

export function range(n: number, prefix = 'm'): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}
