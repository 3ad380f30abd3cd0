/**
 * Named limits of topics, partitions and consumer groups (units last). Defaults follow Kafka where Kafka has one;
 * TopicDeps.topicLimits overrides them (tests shrink them).
 */
export const TOPIC_LIMITS = {
  /** Partitions per topic (Kafka has no hard cap; one node serving 10,000 logs is our design point). */
  partitionsMax: 1024,
  /** Kafka's topic name limit (249, so that "<topic>-<partition>" directory names fit 255). */
  topicNameMaxChars: 249,
  /** Topics per vhost. */
  topicsMax: 10_000,
  /** Records one produce call may carry. */
  produceRecordsMax: 100_000,
  /** Records one fetch returns at most, whatever the caller asks. */
  fetchRecordsMax: 10_000,
  /** Pending waitForData listeners per partition (each is a parked consumer). */
  partitionWaitersMax: 10_000,
  /** Consumer group id length (Kafka accepts any string; we bound it). */
  groupIdMaxChars: 255,
  /** Groups per vhost (with members or with committed offsets). */
  groupsMax: 100_000,
  /** Members per group (Kafka's group.max.size defaults to unlimited; a bound keeps assignment cheap). */
  groupMembersMax: 1000,
  /** Kafka's group.min.session.timeout.ms is 6000; lower so that tests and LAN clients may use short timeouts. */
  groupSessionTimeoutMinMs: 100,
  /** Kafka's group.max.session.timeout.ms (30 minutes). */
  groupSessionTimeoutMaxMs: 1_800_000,
  /** Longest rebalance timeout a member may ask for. */
  groupRebalanceTimeoutMaxMs: 1_800_000,
  /** Kafka's offset.metadata.max.bytes (4096), counted in characters here. */
  offsetMetadataMaxChars: 4096,
  /** client id length kept for a member. */
  clientIdMaxChars: 255,
} as const;

export type TopicLimits = { -readonly [K in keyof typeof TOPIC_LIMITS]: number };

export function topicLimits(overrides?: Partial<TopicLimits>): TopicLimits {
  return { ...TOPIC_LIMITS, ...(overrides ?? {}) };
}
