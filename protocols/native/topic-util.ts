import type { TopicRegistry } from '../../src/core/types';

/** The partition's end offset (next offset to be written), -1 when the topic cannot be described. */
export function highWatermark(topics: TopicRegistry, topic: string, partition: number): number {
  try {
    const p = topics.describeTopic(topic).partitions.find((x) => x.partition === partition);
    return p ? p.endOffset : -1;
  } catch {
    return -1;
  }
}
