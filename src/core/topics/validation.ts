/** Input checks for topic specs, shared by the registry and the stream queue. Errors are INVALID_ARGUMENT. */
import type { RetentionPolicy } from '../../../storage/types';
import { BrokerError } from '../errors';
import type { TopicLimits } from './topic-limits';

/** Kafka's legal topic characters. '/' in particular never appears, so log names stay unambiguous. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;

export function checkTopicName(name: string, limits: TopicLimits): void {
  if (name.length === 0 || name.length > limits.topicNameMaxChars) {
    throw new BrokerError('INVALID_ARGUMENT', `topic name must have 1..${limits.topicNameMaxChars} characters`);
  }
  if (name === '.' || name === '..') throw new BrokerError('INVALID_ARGUMENT', `topic name cannot be "${name}"`);
  if (!TOPIC_NAME.test(name)) {
    throw new BrokerError('INVALID_ARGUMENT', `topic name "${name}" may only contain [a-zA-Z0-9._-]`);
  }
}

export function checkPartitionCount(partitions: number, limits: TopicLimits): void {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > limits.partitionsMax) {
    throw new BrokerError('INVALID_ARGUMENT', `partitions must be an integer in 1..${limits.partitionsMax}`);
  }
}

/** Returns a copy holding only the known, valid fields (what is persisted and passed to storage). */
export function checkRetention(policy: RetentionPolicy): RetentionPolicy {
  const out: RetentionPolicy = {};
  for (const field of ['maxAgeMs', 'maxBytes', 'maxRecords'] as const) {
    const v = policy[field];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new BrokerError('INVALID_ARGUMENT', `retention.${field} must be a non-negative integer`);
    }
    out[field] = v;
  }
  return out;
}
