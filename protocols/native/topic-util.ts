import type { TopicRegistry } from '../../src/core/types';
import type { StoredRecord } from '../../storage/types';

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

/** TopicRegistryImpl's read of records as stored (not part of the TopicRegistry contract). */
interface StoredFetchAccessor {
  fetchStored(topic: string, partition: number, offset: number, maxRecords: number, maxBytes: number): StoredRecord[];
}

/**
 * The registry's stored-record read when it has one: the FETCH answer is then encoded straight from the stored
 * records (see encodeStoredFetchResponse), without a FetchedRecord object per record in between; null otherwise.
 */
export function storedFetcher(topics: TopicRegistry): StoredFetchAccessor | null {
  const f = (topics as Partial<StoredFetchAccessor>).fetchStored;
  return typeof f === 'function' ? (topics as TopicRegistry & StoredFetchAccessor) : null;
}
