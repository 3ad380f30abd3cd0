/** Fanout exchange: every binding matches, routing key and headers are ignored. */
import type { HeaderTable } from '../message';
import type { Binding } from './binding';
import type { BindingMatcher } from './matcher';

export class FanoutMatcher implements BindingMatcher {
  private readonly bindings: Binding[] = [];

  add(binding: Binding): void {
    this.bindings.push(binding);
  }

  remove(binding: Binding): void {
    const i = this.bindings.indexOf(binding);
    if (i >= 0) this.bindings.splice(i, 1);
  }

  match(_routingKey: string, _headers: HeaderTable | undefined, out: Binding[]): void {
    const list = this.bindings;
    for (let i = 0; i < list.length; i++) out.push(list[i]);
  }
}
