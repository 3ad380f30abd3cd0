import { MemoryLogStore } from '../../../storage/memory-store';
import { MemoryMetaStore } from '../../../storage/memory-meta-store';
import { VirtualHostImpl } from '../../../src/core/vhost';
import { codeOf, ManualClock, memoryDeps, msg, qspec } from './helpers';

const OWNER = 'conn-1';
const STREAM = { 'x-queue-type': 'stream' };

describe('stream queues in the vhost', () => {
  test('declare creates a one-partition topic; publish appends; delete removes it; restart restores it', async () => {
    const stores = { store: new MemoryLogStore(), transientStore: new MemoryLogStore(), meta: new MemoryMetaStore() };
    const v = new VirtualHostImpl('/', memoryDeps(new ManualClock(), stores));
    await v.recover();
    expect(await codeOf(() => v.declareQueue(qspec('s', { arguments: STREAM }), false, OWNER))).toBe('PRECONDITION_FAILED');
    await v.declareQueue(qspec('s', { durable: true, arguments: STREAM }), false, OWNER);
    expect(v.topics.describeTopic('s').partitions.length).toBe(1);
    await v.bindQueue('s', 'amq.topic', 'events.#', {}, OWNER);
    const r = v.publish(msg('amq.topic', 'events.a', 'e1'), { mandatory: true });
    expect(r.routed).toBe(1);
    await r.settled;
    await v.publish(msg('', 's', 'e2'), { mandatory: true }).settled;
    expect(v.queue('s', OWNER).info().messageCount).toBe(2);
    expect(v.topics.fetch('s', 0, 0, 10, 1 << 20).length).toBe(2);
    expect(await codeOf(() => v.declareQueue(qspec('s', { durable: true }), false, OWNER))).toBe('PRECONDITION_FAILED');
    await v.close();

    const w = new VirtualHostImpl('/', memoryDeps(new ManualClock(), stores));
    await w.recover();
    expect(w.queue('s', OWNER).info().messageCount).toBe(2);
    const r2 = w.publish(msg('amq.topic', 'events.b'), { mandatory: true });
    expect(r2.routed).toBe(1);
    await r2.settled;
    expect(await w.deleteQueue('s', { ifUnused: false, ifEmpty: false }, OWNER)).toBe(3);
    expect(w.topics.hasTopic('s')).toBe(false);
    await w.close();
  });
});
