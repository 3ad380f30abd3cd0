/**
 * What each exchange type implements: an index of its bindings that answers "which bindings match this
 * message". One file per type (direct, fanout, topic, headers). `match` appends to `out` so the router can reuse
 * one array across a publish instead of allocating per exchange.
 */
import type { HeaderTable } from '../message';
import type { Binding } from './binding';

export interface BindingMatcher {
  add(binding: Binding): void;
  remove(binding: Binding): void;
  match(routingKey: string, headers: HeaderTable | undefined, out: Binding[]): void;
}
