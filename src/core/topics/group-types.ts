/** What the group coordinator needs from its surroundings: the topics it assigns and the clock. */
import type { MetaStore } from '../../../storage/types';
import type { Logger } from '../logger';
import type { TopicLimits } from './topic-limits';

/** The registry's read-only view of partitions, as the coordinator needs it for assignment, lag and resets. */
export interface TopicView {
  /** undefined when the topic does not exist. */
  partitionCount(topic: string): number | undefined;
  startOffset(topic: string, partition: number): number;
  /** One past the last committed record (what a consumer can read up to). */
  endOffset(topic: string, partition: number): number;
  offsetForTimestamp(topic: string, partition: number, timestampMs: number): number;
}

export interface GroupDeps {
  vhostName: string;
  meta: MetaStore;
  logger: Logger;
  limits: TopicLimits;
  topics: TopicView;
  now(): number;
  /** Calls fn once after ms; returns a canceller. Tests pass a fake clock. */
  setTimer(ms: number, fn: () => void): () => void;
}
