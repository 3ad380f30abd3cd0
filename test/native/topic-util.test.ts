/** highWatermark: O(1) per FETCH answer / push via the registry's per-partition accessor, never describeTopic. */
import { highWatermark } from '../../protocols/native/topic-util';
import { makeRegistry } from '../core/topics/helpers';

describe('highWatermark', () => {
  test('reads the committed end of one partition without describing the topic', async () => {
    const { registry, store } = makeRegistry();
    await registry.createTopic({ name: 'wide', partitions: 64, retention: {} });
    const batches = registry.produce('wide', [{ key: null, value: Buffer.from('a'), headers: null, partition: 7 }, { key: null, value: Buffer.from('b'), headers: null, partition: 7 }]);
    await Promise.all(batches.map((b) => b.durable));
    const describe = jest.spyOn(registry, 'describeTopic');
    expect(highWatermark(registry, 'wide', 7)).toBe(2);
    expect(highWatermark(registry, 'wide', 8)).toBe(0);
    expect(describe).not.toHaveBeenCalled();
    await store.close();
  });

  test('is -1 for an unknown topic or partition', async () => {
    const { registry, store } = makeRegistry();
    await registry.createTopic({ name: 't', partitions: 2, retention: {} });
    expect(highWatermark(registry, 'nope', 0)).toBe(-1);
    expect(highWatermark(registry, 't', 2)).toBe(-1);
    await store.close();
  });
});
