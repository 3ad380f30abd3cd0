import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryLogStore } from '../../../storage/memory-store';
import { SqliteLogStore, SqliteMetaStore } from '../../../storage';
import type { LogStore, MetaStore } from '../../../storage/types';
import { LIMITS } from '../../../src/core/limits';
import type { Delivery } from '../../../src/core/types';
import { VirtualHostImpl } from '../../../src/core/vhost';
import { codeOf, ManualClock, memoryDeps, msg, qspec, withHeaders, xspec } from './helpers';

const OWNER = 'conn-1';

interface Node {
  vhost: VirtualHostImpl;
  store: LogStore;
  meta: MetaStore;
}

async function start(dir: string, name = '/'): Promise<Node> {
  const store = new SqliteLogStore({
    dataDir: dir,
    synchronous: 'normal',
    segmentSizeMaxBytes: LIMITS.segmentSizeMaxBytes,
    groupCommitDelayMaxMs: LIMITS.groupCommitDelayMaxMs,
    groupCommitBytesMax: LIMITS.groupCommitBytesMax,
    quarantineCorrupt: false,
  });
  await store.open();
  const meta = SqliteMetaStore.open(path.join(dir, 'meta.db'), 'normal');
  const vhost = new VirtualHostImpl(name, memoryDeps(new ManualClock(), { store, transientStore: new MemoryLogStore(), meta }));
  await vhost.recover();
  return { vhost, store, meta };
}

async function stop(n: Node): Promise<void> {
  await n.vhost.close();
  await n.store.close();
  await n.meta.close();
}

describe('vhost recovery (SQLite stores on a temp dir)', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polymq-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('restart restores durable exchanges, queues, bindings and persistent messages; transient ones are gone', async () => {
    const a = await start(dir);
    const v = a.vhost;
    await v.declareExchange(xspec('dx', 'topic', { durable: true, arguments: { 'alternate-exchange': 'dae' } }), false);
    await v.declareExchange(xspec('dae', 'fanout', { durable: true }), false);
    await v.declareExchange(xspec('dh', 'headers', { durable: true }), false);
    await v.declareExchange(xspec('tx', 'fanout'), false);
    await v.declareQueue(qspec('dq', { durable: true, arguments: { 'x-max-length': 100, 'x-max-priority': { amqpType: 'b', value: 5 } } }), false, OWNER);
    await v.declareQueue(qspec('dq-ae', { durable: true }), false, OWNER);
    await v.declareQueue(qspec('dq-h', { durable: true }), false, OWNER);
    await v.declareQueue(qspec('tq'), false, OWNER);
    await v.declareQueue(qspec('ex', { exclusive: true, durable: true }), false, OWNER);
    await v.bindQueue('dq', 'dx', 'a.#', {}, OWNER);
    await v.bindQueue('dq-ae', 'dae', '', {}, OWNER);
    await v.bindQueue('dq-h', 'dh', '', { 'x-match': 'all', bin: Buffer.from([1, 2]), n: 7n }, OWNER);
    await v.bindExchange('dx', 'amq.topic', 'fwd.#', {}); // durable e2e binding
    await v.bindQueue('tq', 'dx', 'a.#', {}, OWNER); // transient queue: binding not stored
    await v.bindQueue('dq', 'tx', '', {}, OWNER); // transient exchange: binding not stored
    await v.publish(msg('dx', 'a.b', 'persistent', { deliveryMode: 2 }), { mandatory: false }).settled;
    await v.publish(msg('dx', 'a.c', 'transient', { deliveryMode: 1 }), { mandatory: false }).settled;
    await stop(a);

    const b = await start(dir);
    const w = b.vhost;
    expect(w.listExchanges().map((x) => x.name).sort()).toEqual(
      ['', 'amq.direct', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.topic', 'dae', 'dh', 'dx'].sort(),
    );
    expect(w.listQueues().map((q) => q.name).sort()).toEqual(['dq', 'dq-ae', 'dq-h']);
    expect(w.queueSpec('dq')?.arguments['x-max-priority']).toEqual({ amqpType: 'b', value: 5 });
    expect(w.listBindings().length).toBe(4);
    // Persistent message survived; the transient one did not.
    expect(w.queue('dq', OWNER).info().messageCount).toBe(1);
    expect((w.queue('dq', OWNER).get(true, OWNER) as Delivery).message.body.toString()).toBe('persistent');
    // Routing works again: topic, alternate exchange, e2e, headers with Buffer and bigint arguments.
    expect(w.publish(msg('dx', 'a.z'), { mandatory: true }).routed).toBe(1);
    expect(w.publish(msg('dx', 'zzz'), { mandatory: true }).routed).toBe(1); // → dae → dq-ae
    expect(w.publish(msg('amq.topic', 'fwd.x'), { mandatory: true }).routed).toBe(1); // → dx → dae
    expect(w.publish(withHeaders('dh', { bin: Buffer.from([1, 2]), n: 7 }), { mandatory: true }).routed).toBe(1);
    // Redeclaring with the original arguments is equivalent after the JSON round trip.
    expect(await codeOf(() => w.declareQueue(qspec('dq', { durable: true, arguments: { 'x-max-length': 100, 'x-max-priority': 5 } }), false, OWNER))).toBe('ok');
    expect(await codeOf(() => w.declareExchange(xspec('dx', 'topic', { durable: true, arguments: { 'alternate-exchange': 'dae' } }), false))).toBe('ok');

    // Deletions are durable too.
    await w.deleteQueue('dq-h', { ifUnused: false, ifEmpty: false }, OWNER);
    await w.deleteExchange('dae', false);
    await stop(b);
    const c = await start(dir);
    expect(c.vhost.listQueues().map((q) => q.name).sort()).toEqual(['dq', 'dq-ae']);
    expect(c.vhost.listExchanges().some((x) => x.name === 'dae')).toBe(false);
    expect(c.vhost.listBindings().map((x) => `${x.source}->${x.destination}`).sort()).toEqual(['amq.topic->dx', 'dx->dq']);
    expect(c.store.listLogs().filter((l) => l.startsWith('q/')).sort()).toEqual(['q/%2F/dq', 'q/%2F/dq-ae']);
    await stop(c);
  });

  test('vhosts sharing one meta store keep their entities apart', async () => {
    const a = await start(dir, 'one');
    await a.vhost.declareQueue(qspec('q', { durable: true }), false, OWNER);
    await stop(a);
    const b = await start(dir, 'two');
    expect(b.vhost.listQueues()).toEqual([]);
    await stop(b);
    const c = await start(dir, 'one');
    expect(c.vhost.listQueues().map((q) => q.name)).toEqual(['q']);
    await stop(c);
  });
});
