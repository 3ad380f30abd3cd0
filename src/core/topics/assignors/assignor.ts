/**
 * Shared shape of the partition assignors. Assignors are pure functions: same input → same output, no clock, no
 * I/O, so the group coordinator stays a state machine and the assignors are unit-tested on their own.
 */
import type { TopicPartitions } from '../../types';

export interface AssignorMember {
  memberId: string;
  /** Topics the member subscribed to (those that exist; the coordinator drops unknown ones). */
  topics: readonly string[];
  /** Partitions the member owned in the previous generation (only the sticky assignor reads it). */
  owned: readonly TopicPartitions[];
}

export interface AssignorInput {
  members: readonly AssignorMember[];
  /** Partition count per existing topic. */
  partitionsPerTopic: ReadonlyMap<string, number>;
}

export interface AssignorOutput {
  /** memberId → partitions, every member present (possibly with none). */
  assignment: Map<string, TopicPartitions[]>;
  /**
   * True when partitions were withheld because they move between two members (cooperative protocol): the old
   * owner gives them up in this generation and the new owner receives them in the next one.
   */
  revocationsPending: boolean;
}

/** A partition as a compact key "topic\u0000partition" (topic names never contain NUL). */
export type PartitionKey = string;

export function partitionKey(topic: string, partition: number): PartitionKey {
  return `${topic}\u0000${partition}`;
}

export function splitKey(key: PartitionKey): [string, number] {
  const i = key.lastIndexOf('\u0000');
  return [key.slice(0, i), Number(key.slice(i + 1))];
}

export function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Orders partition keys by topic, then partition number (numerically). */
export function comparePartitionKeys(a: PartitionKey, b: PartitionKey): number {
  const [ta, pa] = splitKey(a);
  const [tb, pb] = splitKey(b);
  return byString(ta, tb) || pa - pb;
}

/** Members sorted by id, so every assignor is deterministic whatever order members joined in. */
export function sortedMembers(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort((a, b) => byString(a.memberId, b.memberId));
}

/** Groups partition keys into TopicPartitions sorted by topic, partitions ascending. */
export function toTopicPartitions(keys: Iterable<PartitionKey>): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const [topic, partition] = splitKey(key);
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  return [...byTopic.entries()]
    .sort((a, b) => byString(a[0], b[0]))
    .map(([topic, partitions]) => ({ topic, partitions: partitions.sort((x, y) => x - y) }));
}

export function emptyAssignment(members: readonly AssignorMember[]): Map<string, TopicPartitions[]> {
  return new Map(members.map((m) => [m.memberId, []]));
}
