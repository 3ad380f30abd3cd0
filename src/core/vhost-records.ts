/**
 * What a vhost keeps in the MetaStore: one record per durable exchange, durable queue and durable binding, in
 * namespaces of their own per vhost ("exchange:<vhost>", "queue:<vhost>", "binding:<vhost>"). Argument tables
 * go through header-json so AMQP types, Buffers and bigints survive the JSON round trip.
 */
import { headerFromJson, headerToJson } from './header-json';
import type { HeaderTable, HeaderValue } from './message';
import type { Binding, DestinationKind } from './router/binding';
import { makeBinding } from './router/binding';
import type { ExchangeSpec, QueueSpec } from './types';

export interface VhostNamespaces {
  exchange: string;
  queue: string;
  binding: string;
}

export function vhostNamespaces(vhost: string): VhostNamespaces {
  return { exchange: `exchange:${vhost}`, queue: `queue:${vhost}`, binding: `binding:${vhost}` };
}

/** Log names of queues: "q/<encoded vhost>/<queue>" (the queue name is the rest, slashes included). */
export function queueLogPrefix(vhost: string): string {
  return `q/${encodeURIComponent(vhost)}/`;
}

export interface ExchangeRecord {
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: unknown;
}

export interface QueueRecord {
  name: string;
  durable: boolean;
  autoDelete: boolean;
  arguments: unknown;
}

export interface BindingRecord {
  source: string;
  destination: string;
  destinationKind: DestinationKind;
  routingKey: string;
  arguments: unknown;
}

function table(v: unknown): HeaderTable {
  const t = headerFromJson(v);
  return t !== null && typeof t === 'object' && !Array.isArray(t) && !Buffer.isBuffer(t) && !('amqpType' in t)
    ? (t as HeaderTable)
    : {};
}

export function exchangeToRecord(s: ExchangeSpec): ExchangeRecord {
  return {
    name: s.name,
    type: s.type,
    durable: s.durable,
    autoDelete: s.autoDelete,
    internal: s.internal,
    arguments: headerToJson(s.arguments as HeaderValue),
  };
}

export function exchangeFromRecord(r: ExchangeRecord): ExchangeSpec {
  return {
    name: r.name,
    type: r.type,
    durable: r.durable,
    autoDelete: r.autoDelete,
    internal: r.internal,
    arguments: table(r.arguments),
  };
}

export function queueToRecord(s: QueueSpec): QueueRecord {
  return { name: s.name, durable: s.durable, autoDelete: s.autoDelete, arguments: headerToJson(s.arguments as HeaderValue) };
}

/** Only non-exclusive queues are ever stored: an exclusive queue dies with its connection. */
export function queueFromRecord(r: QueueRecord): QueueSpec {
  return { name: r.name, durable: r.durable, exclusive: false, autoDelete: r.autoDelete, arguments: table(r.arguments) };
}

export function bindingToRecord(b: Binding): BindingRecord {
  return {
    source: b.source,
    destination: b.destination,
    destinationKind: b.destinationKind,
    routingKey: b.routingKey,
    arguments: headerToJson(b.args as HeaderValue),
  };
}

export function bindingFromRecord(r: BindingRecord): Binding {
  return makeBinding(r.source, r.destination, r.destinationKind, r.routingKey, table(r.arguments));
}
