/**
 * Every limit of the broker, in one place, units last in names. Config options override the defaults
 * (see src/config.ts); tests may pass smaller values through BrokerOptions.
 */
export const LIMITS = {
  /** AMQP frame_max we offer in connection.tune (RabbitMQ's default is 131072). */
  amqpFrameMaxBytes: 131_072,
  /** AMQP channel_max we offer in connection.tune (RabbitMQ's default is 2047). */
  amqpChannelMax: 2047,
  /** AMQP heartbeat we offer in connection.tune. */
  amqpHeartbeatSeconds: 60,
  /** Largest message body accepted on any protocol (RabbitMQ's default max_message_size is 128 MiB; we are stricter). */
  messageSizeMaxBytes: 16 * 1024 * 1024,
  /** Largest MQTT packet accepted (MQTT 5 Maximum Packet Size we announce). */
  mqttPacketSizeMaxBytes: 16 * 1024 * 1024,
  /** Largest native protocol frame. */
  nativeFrameMaxBytes: 16 * 1024 * 1024,
  /** Connections accepted per listener before new ones are refused. */
  connectionsMax: 100_000,
  /** Messages kept in an MQTT offline session queue before the policy applies. */
  mqttOfflineQueueMax: 100_000,
  /** MQTT receive maximum we announce (in-flight QoS 1/2 per client). */
  mqttReceiveMax: 1024,
  /** Topic alias maximum we announce to MQTT 5 clients. */
  mqttTopicAliasMax: 64,
  /** Bytes of process memory (RSS) above which publishers are blocked. */
  memoryHighWatermarkBytes: 4 * 1024 * 1024 * 1024,
  /** Free bytes on the data volume below which publishers are blocked. */
  diskFreeLimitBytes: 256 * 1024 * 1024,
  /** Bytes queued on one socket before we stop delivering to it (backpressure). */
  socketWriteBufferMaxBytes: 4 * 1024 * 1024,
  /** A segment file is sealed when it reaches this size. */
  segmentSizeMaxBytes: 256 * 1024 * 1024,
  /** Longest time appends wait for the group commit. */
  groupCommitDelayMaxMs: 2,
  /** Bytes buffered for group commit before a commit is forced. */
  groupCommitBytesMax: 8 * 1024 * 1024,
} as const;

export type Limits = { -readonly [K in keyof typeof LIMITS]: number };

export function defaultLimits(): Limits {
  return { ...LIMITS };
}
