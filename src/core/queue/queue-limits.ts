/** Named limits of the classic queue (units last). Tests may pass smaller ones through QueueDeps.queueLimits. */
export const QUEUE_LIMITS = {
  /** Ready messages whose bodies stay in memory per queue; the rest are read back from the log on demand. */
  readyCacheMessagesMax: 1024,
  /** Bytes of ready message bodies kept in memory per queue. */
  readyCacheBytesMax: 8 * 1024 * 1024,
  /** Records read from the log at once when bodies must be loaded. */
  logReadBatchRecordsMax: 256,
  /** Bytes read from the log at once when bodies must be loaded. */
  logReadBatchBytesMax: 4 * 1024 * 1024,
  /** Records per read while scanning the log at recovery. */
  recoveryReadBatchRecordsMax: 2048,
  /** Bytes per read while scanning the log at recovery. */
  recoveryReadBatchBytesMax: 16 * 1024 * 1024,
  /**
   * Least time between two writes of a queue's delivery state (acks, delivered mark) and log truncations. Each
   * write is a metadata commit + fsync; spacing them keeps that fsync from competing with the log's group commit
   * on every tick. A crash may redeliver acks of the last interval (at-least-once), never lose a message.
   */
  stateFlushIntervalMs: 25,
  /** Longest single timer delay Node.js honours (2^31-1 ms); longer TTLs and x-expires are chained. */
  timerDelayMaxMs: 2_147_483_647,
} as const;

export type QueueLimits = { -readonly [K in keyof typeof QUEUE_LIMITS]: number };
