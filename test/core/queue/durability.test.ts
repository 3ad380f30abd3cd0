import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryLogStore } from '../../../storage/memory-store';
import { MemoryMetaStore } from '../../../storage/memory-meta-store';
import { SqliteLogStore } from '../../../storage/sqlite-store';
import { SqliteMetaStore } from '../../../storage/sqlite-meta-store';
import { sqliteOptions } from '../../storage/helpers';
import { QUEUE_STATE_NAMESPACE } from '../../../src/core/queue/delivery-state';
import { consumer, FakeClock, makeQueue, msg, type QueueOptions, type TestQueue } from './helpers';

/** A durable queue on real SQLite files; `reopen` closes everything and opens the same directory again. */
class DurableHarness {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polymq-'));
  private store: SqliteLogStore | null = null;
  private meta: SqliteMetaStore | null = null;
  t: TestQueue | null = null;

  async open(opts: QueueOptions = {}): Promise<TestQueue> {
    this.store = new SqliteLogStore(sqliteOptions(this.dir));
    await this.store.open();
    this.meta = SqliteMetaStore.open(path.join(this.dir, 'meta.sqlite'), 'full');
    this.t = makeQueue({ name: 'dq', durable: true, ...opts, store: this.store, meta: this.meta });
    await this.t.q.recover();
    return this.t;
  }

  async close(): Promise<void> {
    if (this.t !== null) {
      await this.t.q.flushState();
      this.t.q.close();
    }
    await this.store?.close();
    await this.meta?.close();
    this.store = null;
    this.meta = null;
    this.t = null;
  }

  async reopen(opts: QueueOptions = {}): Promise<TestQueue> {
    await this.close();
    return this.open(opts);
  }

  async dispose(): Promise<void> {
    await this.close();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

describe('classic queue: durability across reopen (SqliteLogStore + SqliteMetaStore)', () => {
  let h: DurableHarness;
  beforeEach(() => {
    h = new DurableHarness();
  });
  afterEach(async () => {
    await h.dispose();
  });

  test('acked messages are not redelivered, unacked come back redelivered, transient ones are dropped', async () => {
    let t = await h.open();
    for (let i = 0; i < 10; i++) {
      await t.q.enqueue(msg(`p${i}`, { deliveryMode: 2, headers: { i } }));
      if (i % 3 === 0) await t.q.enqueue(msg(`t${i}`, { deliveryMode: 1 }));
    }
    expect(t.q.messageCount()).toBe(14);
    const c = consumer('c', { prefetch: 8 });
    t.q.consume(c.spec);
    // delivered: p0 t0 p1 p2 p3 t3 p4 p5 ; ack p0 t0 p1 (in order) and p4 (out of order)
    expect(c.bodies()).toEqual(['p0', 't0', 'p1', 'p2', 'p3', 't3', 'p4', 'p5']);
    t.q.cancel('c'); // no more deliveries; its unacked stay unacked
    t.q.ack([0, 1, 2, 6].map((i) => c.deliveries[i].id));

    t = await h.reopen();
    expect(t.q.messageCount()).toBe(7);
    const c2 = consumer('c2', { noAck: true });
    t.q.consume(c2.spec);
    expect(c2.bodies()).toEqual(['p2', 'p3', 'p5', 'p6', 'p7', 'p8', 'p9']);
    expect(c2.deliveries.map((d) => d.redelivered)).toEqual([true, true, true, false, false, false, false]);
    expect(c2.deliveries[3].message.properties.headers).toEqual({ i: 6 });

    // Everything was settled (noAck): nothing comes back after another restart.
    t = await h.reopen();
    expect(t.q.messageCount()).toBe(0);
    await t.q.enqueue(msg('new', { deliveryMode: 2 }));
    t = await h.reopen();
    expect(t.q.get(true, 'o')?.message.body.toString()).toBe('new');
  });

  test('acked prefix is reclaimed from the log; state survives many reopen cycles', async () => {
    let t = await h.open();
    const body = 'x'.repeat(1000);
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 200 }, () => t.q.enqueue(msg(body, { deliveryMode: 2 }))));
      const c = consumer(`c${round}`, { prefetch: 0 });
      t.q.consume(c.spec);
      expect(c.deliveries).toHaveLength(200);
      t.q.ack(c.deliveries.slice(0, 150).map((d) => d.id));
      t = await h.reopen();
      expect(t.q.messageCount()).toBe(50);
      const drain = consumer(`d${round}`, { noAck: true });
      t.q.consume(drain.spec);
      expect(drain.deliveries.every((d) => d.redelivered)).toBe(true);
      t.q.cancel(drain.spec.tag);
    }
    await t.q.flushState();
    const log = h.t!.store.log('queue:/:dq');
    expect(log.startOffset()).toBe(600);
  });

  test('priorities and TTL survive a reopen (expiry counts from the original enqueue)', async () => {
    const clock = new FakeClock();
    let t = await h.open({ clock, args: { 'x-max-priority': 3, 'x-message-ttl': 1000 } });
    await t.q.enqueue(msg('low', { deliveryMode: 2, priority: 0 }));
    await t.q.enqueue(msg('high', { deliveryMode: 2, priority: 3 }));
    clock.advance(600);
    await t.q.enqueue(msg('late', { deliveryMode: 2, priority: 1 }));
    t = await h.reopen({ clock, args: { 'x-max-priority': 3, 'x-message-ttl': 1000 } });
    expect(t.q.messageCount()).toBe(3);
    clock.advance(400); // low and high are 1000 ms old
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(['late']);
  });
});

describe('classic queue: delivery state edge cases', () => {
  test('persisted acks beyond the end of the log (records lost in a crash) are forgotten at recovery', async () => {
    const store = new MemoryLogStore();
    const meta = new MemoryMetaStore();
    // State claiming offsets 0..4 and 9 settled although the log is empty.
    await meta.put(QUEUE_STATE_NAMESPACE, 'queue:/:q', { v: 1, settled: [5, 9, 10], deliveredBelow: 12 });
    const t = makeQueue({ durable: true, store, meta });
    await t.q.recover();
    await Promise.all(Array.from({ length: 12 }, (_, i) => t.q.enqueue(msg(`m${i}`, { deliveryMode: 2 }))));
    expect(t.q.messageCount()).toBe(12);
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    expect(c.deliveries.map((d) => d.offset)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(c.deliveries.some((d) => d.redelivered)).toBe(false);
    await t.q.flushState();
    expect(meta.get<{ settled: number[] }>(QUEUE_STATE_NAMESPACE, 'queue:/:q')?.settled).toEqual([12]);
  });

  test('a transient (non-durable) queue persists nothing', async () => {
    const t = makeQueue({ durable: false });
    await t.q.enqueue(msg('a', { deliveryMode: 2 }));
    t.q.get(true, 'o');
    await t.q.flushState();
    expect(t.meta.list(QUEUE_STATE_NAMESPACE)).toEqual([]);
  });

  test('deleting a durable queue removes its persisted state', async () => {
    const t = makeQueue({ durable: true });
    await t.q.recover();
    await t.q.enqueue(msg('a', { deliveryMode: 2 }));
    t.q.get(true, 'o');
    await t.q.flushState();
    expect(t.meta.list(QUEUE_STATE_NAMESPACE)).toHaveLength(1);
    t.q.delete();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(t.meta.list(QUEUE_STATE_NAMESPACE)).toEqual([]);
  });

  test('delivery state is written at most once per stateFlushIntervalMs; flushState() writes at once', async () => {
    const intervalMs = 1000;
    const t = makeQueue({ durable: true, queueLimits: { stateFlushIntervalMs: intervalMs } });
    await t.q.recover();
    await Promise.all(['a', 'b', 'c'].map((b) => t.q.enqueue(msg(b, { deliveryMode: 2 }))));
    const settled = (): number[] | undefined => t.meta.get<{ settled: number[] }>(QUEUE_STATE_NAMESPACE, 'queue:/:q')?.settled;
    const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
    // recover() flushed just now: acking 'a' is written only once the interval has passed, not on the next tick.
    const a = t.q.get(false, 'o');
    expect(a).not.toBeNull();
    t.q.ack([a?.id ?? -1]);
    await tick();
    await tick();
    expect(settled()?.[0]).toBe(0);
    const deadline = Date.now() + 5000;
    while (settled()?.[0] !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(settled()?.[0]).toBe(1);
    // flushState() does not wait for the interval.
    const b = t.q.get(false, 'o');
    t.q.ack([b?.id ?? -1]);
    await t.q.flushState();
    expect(settled()?.[0]).toBe(2);
    t.q.close();
  });
});

