/**
 * Kafka's RoundRobinAssignor: all partitions of all subscribed topics, sorted by (topic, partition), are dealt
 * to the members (sorted by id) in turn, skipping a member that is not subscribed to the partition's topic.
 * With identical subscriptions every member ends up within one partition of every other.
 */
import type { AssignorInput, AssignorOutput, PartitionKey } from './assignor';
import { byString, partitionKey, sortedMembers, toTopicPartitions } from './assignor';

export function roundRobinAssign(input: AssignorInput): AssignorOutput {
  const members = sortedMembers(input.members);
  const owned = new Map<string, PartitionKey[]>(members.map((m) => [m.memberId, []]));
  const topics = [...input.partitionsPerTopic.keys()].sort(byString);
  let cursor = 0;
  for (const topic of topics) {
    const count = input.partitionsPerTopic.get(topic) ?? 0;
    if (!members.some((m) => m.topics.includes(topic))) continue;
    for (let p = 0; p < count; p++) {
      // Advance to the next member subscribed to this topic (one exists, checked above).
      while (!members[cursor % members.length].topics.includes(topic)) cursor++;
      (owned.get(members[cursor % members.length].memberId) as PartitionKey[]).push(partitionKey(topic, p));
      cursor++;
    }
  }
  const assignment = new Map([...owned.entries()].map(([id, keys]) => [id, toTopicPartitions(keys)]));
  return { assignment, revocationsPending: false };
}
