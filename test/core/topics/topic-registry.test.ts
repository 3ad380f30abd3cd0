import fs from 'node:fs';
import os from 'node:os';
import type { ProduceRecord } from '../../../src/core/types';
import { partitionForKey } from '../../../src/core/topics/partitioner';
import { expectCode, FakeClock, makeRegistry, until, openSqliteStores } from './helpers';

function rec(value: string, key: string | null = null, extra: Partial<ProduceRecord> = {}): ProduceRecord {
  return { key: key === null ? null : Buffer.from(key), value: Buffer.from(value), headers: null, ...extra };
}

describe('TopicRegistryImpl', () => {
  test('create, describe, list; validation errors', async () => {
    const { registry } = makeRegistry({ topicLimits: { partitionsMax: 8 } });
    await registry.createTopic({ name: 'orders', partitions: 3, retention: { maxAgeMs: 60_000 } });
    expect(registry.hasTopic('orders')).toBe(true);
    const info = registry.describeTopic('orders');
    expect(info.partitions.map((p) => [p.partition, p.startOffset, p.endOffset])).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
    ]);
    expect(info.retention).toEqual({ maxAgeMs: 60_000 });
    expect(registry.listTopics().map((t) => t.name)).toEqual(['orders']);

    await expectCode(registry.createTopic({ name: 'orders', partitions: 1, retention: {} }), 'ALREADY_EXISTS');
    await expectCode(registry.createTopic({ name: 'bad/name', partitions: 1, retention: {} }), 'INVALID_ARGUMENT');
    await expectCode(registry.createTopic({ name: 'x'.repeat(250), partitions: 1, retention: {} }), 'INVALID_ARGUMENT');
    await expectCode(registry.createTopic({ name: '..', partitions: 1, retention: {} }), 'INVALID_ARGUMENT');
    await expectCode(registry.createTopic({ name: 'ok', partitions: 0, retention: {} }), 'INVALID_ARGUMENT');
    await expectCode(registry.createTopic({ name: 'ok', partitions: 9, retention: {} }), 'INVALID_ARGUMENT');
    await expectCode(registry.createTopic({ name: 'ok', partitions: 1, retention: { maxBytes: -1 } }), 'INVALID_ARGUMENT');
    await expectCode(() => registry.describeTopic('nope'), 'UNKNOWN_TOPIC');
    await expectCode(() => registry.produce('nope', [rec('a')]), 'UNKNOWN_TOPIC');
    await expectCode(() => registry.produce('orders', [rec('a', null, { partition: 3 })]), 'UNKNOWN_PARTITION');
    await expectCode(() => registry.fetch('orders', -1, 0, 10, 1000), 'UNKNOWN_PARTITION');
    await expectCode(() => registry.fetch('orders', 0, 1, 10, 1000), 'OFFSET_OUT_OF_RANGE');
  });

  test('produce: one append per partition per call, keys stick, order kept per partition', async () => {
    const { registry } = makeRegistry();
    await registry.createTopic({ name: 't', partitions: 4, retention: {} });
    const records: ProduceRecord[] = [];
    for (let i = 0; i < 40; i++) records.push(rec(`v${i}`, `k${i % 5}`));
    const batches = registry.produce('t', records);
    expect(new Set(batches.map((b) => b.partition)).size).toBe(batches.length);
    expect(batches.reduce((n, b) => n + b.count, 0)).toBe(40);
    await Promise.all(batches.map((b) => b.durable));
    for (let p = 0; p < 4; p++) {
      const got = registry.fetch('t', p, 0, 100, 1 << 20);
      expect(got.map((r) => r.offset)).toEqual(got.map((_, i) => i)); // dense from 0
      for (const r of got) expect(partitionForKey(r.key as Buffer, 4)).toBe(p); // same key → its partition
      const values = got.map((r) => Number(r.value.toString().slice(1)));
      expect(values).toEqual([...values].sort((a, b) => a - b)); // produce order kept
    }
  });

  test('keyless records: sticky per call, round-robin across calls; explicit partition wins', async () => {
    const { registry } = makeRegistry();
    await registry.createTopic({ name: 't', partitions: 3, retention: {} });
    const seen: number[] = [];
    for (let call = 0; call < 6; call++) {
      const batches = registry.produce('t', [rec('a'), rec('b'), rec('c')]);
      expect(batches).toHaveLength(1);
      expect(batches[0].count).toBe(3);
      seen.push(batches[0].partition);
    }
    expect(seen).toEqual([0, 1, 2, 0, 1, 2]);
    const [b] = registry.produce('t', [rec('x', 'any-key', { partition: 2 })]);
    expect(b.partition).toBe(2);
  });

  test('fetch sees committed records only; headers, keys and limits', async () => {
    const { registry } = makeRegistry();
    await registry.createTopic({ name: 't', partitions: 1, retention: {} });
    const [b] = registry.produce('t', [
      { key: Buffer.from('k'), value: Buffer.from('v0'), headers: { h: 'x', n: 5 } },
      rec('v1'),
      rec('v2'),
    ]);
    expect(registry.fetch('t', 0, 0, 10, 1 << 20)).toEqual([]); // not yet committed
    await b.durable;
    const got = registry.fetch('t', 0, 0, 10, 1 << 20);
    expect(got.map((r) => r.value.toString())).toEqual(['v0', 'v1', 'v2']);
    expect(got[0].key?.toString()).toBe('k');
    expect(got[0].headers).toEqual({ h: 'x', n: 5 });
    expect(registry.fetch('t', 0, 1, 1, 1 << 20).map((r) => r.offset)).toEqual([1]);
    expect(registry.fetch('t', 0, 0, 10, 1)).toHaveLength(1); // at least one record even when over maxBytes
    expect(registry.fetch('t', 0, 3, 10, 1000)).toEqual([]); // at the end: empty, not an error
  });

  test('offsetForTimestamp uses record timestamps (explicit or the clock)', async () => {
    const clock = new FakeClock();
    const { registry } = makeRegistry({ clock });
    await registry.createTopic({ name: 't', partitions: 1, retention: {} });
    const t0 = clock.nowMs;
    registry.produce('t', [rec('a', null, { timestamp: t0 - 1000 }), rec('b', null, { timestamp: t0 - 500 })]);
    const [b] = registry.produce('t', [rec('c')]); // stamped with the clock: t0
    await b.durable;
    expect(registry.offsetForTimestamp('t', 0, 0)).toBe(0);
    expect(registry.offsetForTimestamp('t', 0, t0 - 700)).toBe(1);
    expect(registry.offsetForTimestamp('t', 0, t0)).toBe(2);
    expect(registry.offsetForTimestamp('t', 0, t0 + 1)).toBe(3); // none later → end
    expect(registry.fetch('t', 0, 2, 1, 1000)[0].timestamp).toBe(t0);
  });

  test('retention policy reaches storage', async () => {
    const { registry } = makeRegistry();
    await registry.createTopic({ name: 't', partitions: 1, retention: { maxRecords: 5 } });
    const records = Array.from({ length: 12 }, (_, i) => rec(`v${i}`));
    await registry.produce('t', records)[0].durable;
    const [p] = registry.describeTopic('t').partitions;
    expect(p.endOffset).toBe(12);
    expect(p.startOffset).toBe(7); // the memory store applies retention record-exactly
    expect(registry.fetch('t', 0, 0, 100, 1 << 20).map((r) => r.offset)).toEqual([7, 8, 9, 10, 11]);
  });

  test('waitForData: fires once after commit, at once when data exists, and can be cancelled', async () => {
    const { registry } = makeRegistry();
    await registry.createTopic({ name: 't', partitions: 2, retention: {} });
    let fired = 0;
    let cancelledFired = 0;
    registry.waitForData('t', 0, 0, () => fired++);
    const cancel = registry.waitForData('t', 0, 0, () => cancelledFired++);
    cancel();
    let otherPartition = 0;
    registry.waitForData('t', 1, 0, () => otherPartition++);
    await registry.produce('t', [rec('a', null, { partition: 0 })])[0].durable;
    await until(() => fired === 1);
    await registry.produce('t', [rec('b', null, { partition: 0 })])[0].durable;
    let immediate = 0;
    registry.waitForData('t', 0, 1, () => immediate++);
    await until(() => immediate === 1);
    expect(fired).toBe(1);
    expect(cancelledFired).toBe(0);
    expect(otherPartition).toBe(0);
  });

  test('deleteTopic wakes waiters, drops logs and group offsets; the name can be reused from offset 0', async () => {
    const { registry, store } = makeRegistry();
    await registry.createTopic({ name: 't', partitions: 1, retention: {} });
    await registry.produce('t', [rec('a'), rec('b')])[0].durable;
    await registry.groups.commit('g', [{ topic: 't', partition: 0, offset: 2 }]);
    let woke = 0;
    registry.waitForData('t', 0, 2, () => woke++);
    await registry.deleteTopic('t');
    expect(woke).toBe(1);
    expect(registry.hasTopic('t')).toBe(false);
    expect(store.listLogs()).toEqual([]);
    expect(registry.groups.fetchOffsets('g')).toEqual([]);
    await expectCode(registry.deleteTopic('t'), 'UNKNOWN_TOPIC');
    await registry.createTopic({ name: 't', partitions: 1, retention: {} });
    expect(registry.produce('t', [rec('c')])[0].baseOffset).toBe(0);
  });

  test('recovery with SqliteLogStore + SqliteMetaStore: topics, records and committed offsets survive', async () => {
    const dir = fs.mkdtempSync(os.tmpdir() + '/polymq-');
    try {
      const open = (): ReturnType<typeof openSqliteStores> => openSqliteStores(dir);
      const first = await open();
      const a = makeRegistry({ ...first, vhost: 'prod' });
      await a.registry.recover();
      await a.registry.createTopic({ name: 'events', partitions: 2, retention: { maxAgeMs: 86_400_000 } });
      const batches = a.registry.produce('events', [rec('x', null, { partition: 0 }), rec('y', null, { partition: 1 }), rec('z', null, { partition: 1 })]);
      await Promise.all(batches.map((b) => b.durable));
      await a.registry.groups.commit('billing', [{ topic: 'events', partition: 1, offset: 1, metadata: 'm' }]);
      a.registry.close();
      await first.store.close();
      await first.meta.close();

      const second = await open();
      const b = makeRegistry({ ...second, vhost: 'prod' });
      await b.registry.recover();
      expect(b.registry.describeTopic('events').retention).toEqual({ maxAgeMs: 86_400_000 });
      expect(b.registry.fetch('events', 1, 0, 10, 1 << 20).map((r) => r.value.toString())).toEqual(['y', 'z']);
      expect(b.registry.groups.fetchOffsets('billing')).toEqual([{ topic: 'events', partition: 1, offset: 1, metadata: 'm' }]);
      expect(b.registry.groups.list()).toEqual(['billing']);
      const lag = b.registry.groups.describe('billing').lag;
      expect(lag).toEqual([{ topic: 'events', partition: 1, committed: 1, endOffset: 2, lag: 1 }]);
      // Appends continue after the recovered end.
      expect(b.registry.produce('events', [rec('w', null, { partition: 1 })])[0].baseOffset).toBe(2);
      b.registry.close();
      await second.store.close();
      await second.meta.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
