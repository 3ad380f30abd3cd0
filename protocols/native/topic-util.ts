import type { TopicRegistry } from '../../src/core/types';

/** The cheap per-partition accessor TopicRegistryImpl offers (not part of the TopicRegistry contract). */
interface EndOffsetAccessor {
  endOffset(topic: string, partition: number): number;
}

function hasEndOffset(topics: TopicRegistry): topics is TopicRegistry & EndOffsetAccessor {
  return typeof (topics as Partial<EndOffsetAccessor>).endOffset === 'function';
}

/**
 * The partition's end offset (next offset to be written), -1 when the topic or partition is gone. Called for
 * every FETCH answer and push, so it uses the registry's O(1) accessor; describeTopic (which builds a record per
 * partition and asks storage for sizes) is only the fallback for registries without one.
 */
export function highWatermark(topics: TopicRegistry, topic: string, partition: number): number {
  try {
    if (hasEndOffset(topics)) return topics.endOffset(topic, partition);
    const p = topics.describeTopic(topic).partitions.find((x) => x.partition === partition);
    return p ? p.endOffset : -1;
  } catch {
    return -1;
  }
}
