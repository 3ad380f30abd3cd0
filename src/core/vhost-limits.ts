/**
 * Limits of one virtual host (RabbitMQ has max-queues / max-connections per vhost; we bound every table).
 * Exceeding one is LIMIT_EXCEEDED. Tests shrink them through VhostDeps.vhostLimits.
 */
export const VHOST_LIMITS = {
  /** Queues (classic, quorum and streams) in one vhost. */
  queuesMax: 100_000,
  /** Exchanges in one vhost, the pre-declared ones included. */
  exchangesMax: 10_000,
  /** Bindings in one vhost (exchange-to-queue and exchange-to-exchange). */
  bindingsMax: 1_000_000,
  /** Exchange and queue names, in UTF-8 bytes (AMQP shortstr). */
  nameLengthMaxBytes: 255,
  /** Routing keys of bindings, in UTF-8 bytes (AMQP shortstr; MQTT filters are converted to keys). */
  bindingKeyLengthMaxBytes: 65_535,
} as const;

export type VhostLimits = { -readonly [K in keyof typeof VHOST_LIMITS]: number };

export function vhostLimits(overrides?: Partial<VhostLimits>): VhostLimits {
  return { ...VHOST_LIMITS, ...overrides };
}
