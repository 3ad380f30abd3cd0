/**
 * `$SYS` topics like Mosquitto's, published as retained messages (memory only) every `sysIntervalMs` and once
 * at start, so a subscriber gets current values at once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttHub } from './hub';
import { publishFromBroker } from './handlers/publish';

function brokerVersion(): string {
  try {
    const pkg: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    if (typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // running from an unusual layout: fall through
  }
  return 'unknown';
}

const VERSION = `polymq version ${brokerVersion()}`;

/**
 * `connected`: open connections; `connectedTransient`: those holding a clean session (durable sessions, connected
 * or not, are counted from the session records, like Mosquitto's clients/total).
 */
export function sysValues(hub: MqttHub, connected: number, connectedTransient: number): Record<string, string> {
  const uptimeSec = Math.floor((Date.now() - hub.startedAtMs) / 1000);
  return {
    '$SYS/broker/version': VERSION,
    '$SYS/broker/uptime': `${uptimeSec} seconds`,
    '$SYS/broker/clients/connected': String(connected),
    '$SYS/broker/clients/total': String(hub.sessions.count() + connectedTransient),
    '$SYS/broker/messages/received': String(hub.stats.messagesReceived),
    '$SYS/broker/messages/sent': String(hub.stats.messagesSent),
    '$SYS/broker/bytes/received': String(hub.stats.bytesReceived),
    '$SYS/broker/bytes/sent': String(hub.stats.bytesSent),
    '$SYS/broker/subscriptions/count': String(hub.subscriptionCount()),
    '$SYS/broker/retained messages/count': String(hub.retained.size()),
  };
}

/** Publishes every `$SYS` value once. */
export async function publishSys(hub: MqttHub, connected: number, connectedTransient: number): Promise<void> {
  for (const [topic, value] of Object.entries(sysValues(hub, connected, connectedTransient))) {
    await publishFromBroker(hub, '', { topic, payload: Buffer.from(value), qos: 0, retain: true });
  }
}
