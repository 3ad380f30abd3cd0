/**
 * What RabbitMQ observes for each conformance scenario (from its documentation and rabbit_channel.erl). The tests
 * hold polymq to these values, and, where RabbitMQ is installed, check them against a live RabbitMQ too.
 */
export const RABBITMQ_EXPECTED: Record<string, Record<string, unknown>> = {
  'spec-1.4.2-handshake-server-properties': {
    capabilities: ['publisher_confirms', 'exchange_exchange_bindings', 'basic.nack', 'consumer_cancel_notify',
      'connection.blocked', 'authentication_failure_close', 'per_consumer_qos', 'direct_reply_to'],
  },
  'spec-1.7.2.1-queue-declare-passive-missing': { code: 404 },
  'rabbit-reserved-amq-prefix': { queue: 403, exchange: 403 },
  'spec-1.8.3.9-publish-mandatory-no-route': { replyCode: 312, body: 'returned' },
  'spec-1.8.3.13-ack-unknown-delivery-tag': { code: 406 },
  'rabbit-publish-missing-exchange': { code: 404 },
  'spec-1.8.3.3-consume-deliver-order-and-redelivery': { order: ['m0', 'm1', 'm2'], tags: [1, 2, 3], queued: 0 },
  'rabbit-qos-prefetch-per-consumer': { ready: 3 },
  'rabbit-confirms-ack-all': { acked: 20, queued: 20 },
  'rabbit-direct-reply-to': { reply: 're:ping' },
  'rabbit-dead-letter-on-reject': { body: 'dl', reason: 'rejected', count: 1 },
  'rabbit-exclusive-queue-other-connection': { code: 405 },
  'spec-1.8.3.10-get-ok-message-count': { body: 'g0', remaining: 2, empty: false },
  'rabbit-requeue-on-channel-close': { first: false, again: true, body: 'r', left: 0 },
  'spec-1.7.2.9-queue-delete-message-count': { ifEmpty: 406, count: 4 },
};
