import type { JoinRequest } from '../../../src/core/types';
import { expectCode, makeRegistry } from './helpers';

function join(groupId: string): JoinRequest {
  return { groupId, memberId: '', clientId: 'c', topics: ['t'], assignor: 'range', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 0 };
}

describe('topic and group limits are enforced', () => {
  test('topics, records per produce, waiters per partition, members and groups', async () => {
    const { registry } = makeRegistry({
      topicLimits: { topicsMax: 2, produceRecordsMax: 3, partitionWaitersMax: 1, groupMembersMax: 1, groupsMax: 2, offsetMetadataMaxChars: 4 },
    });
    await registry.createTopic({ name: 't', partitions: 1, retention: {} });
    await registry.createTopic({ name: 'u', partitions: 1, retention: {} });
    await expectCode(registry.createTopic({ name: 'v', partitions: 1, retention: {} }), 'LIMIT_EXCEEDED');

    const rec = { key: null, value: Buffer.from('x'), headers: null };
    await expectCode(() => registry.produce('t', [rec, rec, rec, rec]), 'LIMIT_EXCEEDED');
    expect(registry.produce('t', [rec, rec, rec])).toHaveLength(1);

    registry.waitForData('t', 0, 10, () => undefined);
    await expectCode(() => registry.waitForData('t', 0, 10, () => undefined), 'LIMIT_EXCEEDED');

    const g = registry.groups;
    await g.join(join('g1'));
    await expectCode(g.join(join('g1')), 'LIMIT_EXCEEDED'); // second member
    await g.commit('g2', [{ topic: 't', partition: 0, offset: 0 }]);
    await expectCode(g.commit('g3', [{ topic: 't', partition: 0, offset: 0 }]), 'LIMIT_EXCEEDED');
    await expectCode(g.join(join('g3')), 'LIMIT_EXCEEDED');
    await expectCode(g.commit('g2', [{ topic: 't', partition: 0, offset: 0, metadata: 'too long' }]), 'INVALID_ARGUMENT');
    registry.close();
  });
});
