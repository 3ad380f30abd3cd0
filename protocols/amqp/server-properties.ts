/** What connection.start tells a client about us (RabbitMQ-shaped so client feature detection works). */
import type { HeaderTable } from '../../src/core/message';

export const SERVER_VERSION = '0.1.0';

/** rabbitmq.com/docs/connections#capabilities: clients look these up before using an extension. */
export const SERVER_CAPABILITIES: readonly string[] = [
  'publisher_confirms',
  'exchange_exchange_bindings',
  'basic.nack',
  'consumer_cancel_notify',
  'connection.blocked',
  'authentication_failure_close',
  'per_consumer_qos',
  'direct_reply_to',
];

export function serverProperties(nodeName: string): HeaderTable {
  const capabilities: HeaderTable = {};
  for (const c of SERVER_CAPABILITIES) capabilities[c] = true;
  return {
    product: 'polymq',
    version: SERVER_VERSION,
    platform: `Node.js ${process.version}`,
    copyright: 'polymq contributors',
    information: 'Licensed under the Apache License 2.0',
    cluster_name: nodeName,
    capabilities,
  };
}

/** Reads client-properties.capabilities (a nested table) into a set of names that are true. */
export function clientCapabilities(clientProperties: unknown): Set<string> {
  const out = new Set<string>();
  if (clientProperties === null || typeof clientProperties !== 'object') return out;
  const caps: unknown = (clientProperties as Record<string, unknown>).capabilities;
  if (caps === null || typeof caps !== 'object') return out;
  for (const [k, v] of Object.entries(caps as Record<string, unknown>)) {
    if (v === true || (v !== null && typeof v === 'object' && (v as { value?: unknown }).value === true)) out.add(k);
  }
  return out;
}
