/**
 * A binding: messages matching (routingKey, args) at `source` go to `destination`, a queue or an exchange.
 * Its identity is the whole tuple (RabbitMQ's #binding{}), so binding twice with the same tuple is a no-op and
 * two bindings that differ only in their arguments coexist.
 */
import { headerToJson } from '../header-json';
import type { HeaderTable, HeaderValue } from '../message';

export type DestinationKind = 'queue' | 'exchange';

export interface Binding {
  readonly source: string;
  readonly destination: string;
  readonly destinationKind: DestinationKind;
  readonly routingKey: string;
  readonly args: HeaderTable;
  /** Canonical identity of the tuple, computed once at bind time (never on the publish path). */
  readonly id: string;
}

/** Canonical JSON with sorted keys, so two equal argument tables give the same id whatever their key order. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(canonical).join(',') + ']';
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonical(o[k])).join(',') + '}';
}

export function canonicalArgs(args: HeaderTable): string {
  return canonical(headerToJson(args as HeaderValue));
}

/** Key of a destination in indexes: kind and name cannot collide because the kind comes first. */
export function destinationKey(kind: DestinationKind, name: string): string {
  return (kind === 'queue' ? 'q:' : 'e:') + name;
}

export function makeBinding(
  source: string,
  destination: string,
  destinationKind: DestinationKind,
  routingKey: string,
  args: HeaderTable,
): Binding {
  const id = JSON.stringify([source, destinationKind, destination, routingKey]) + canonicalArgs(args);
  return { source, destination, destinationKind, routingKey, args, id };
}
