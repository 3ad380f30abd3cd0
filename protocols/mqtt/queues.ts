/**
 * Declaring the queues MQTT sessions live in. Every MQTT queue carries the offline limit as x-max-length with
 * x-overflow drop-head (Mosquitto's max_queued_messages drops the newest; we follow RabbitMQ's queue policy and
 * drop the oldest, documented).
 */
import { isBrokerError } from '../../src/core/errors';
import type { QueueHandle } from '../../src/core/types';
import type { MqttHub } from './hub';

export async function declareMqttQueue(hub: MqttHub, name: string, durable: boolean, exclusive: boolean, owner: string): Promise<QueueHandle> {
  const spec = {
    name,
    durable,
    exclusive,
    autoDelete: false,
    arguments: { 'x-max-length': hub.ctx.limits.mqttOfflineQueueMax, 'x-overflow': 'drop-head' },
  };
  try {
    await hub.vhost.declareQueue(spec, false, owner);
  } catch (err) {
    // Declared earlier with other arguments (e.g. the limit changed in the config): keep using it.
    if (!isBrokerError(err) || err.code !== 'PRECONDITION_FAILED') throw err;
    await hub.vhost.declareQueue(spec, true, owner);
  }
  return hub.vhost.queue(name, owner);
}
