/** Direct exchange: a binding matches when its routing key equals the message's. A hash map lookup. */
import type { HeaderTable } from '../message';
import type { Binding } from './binding';
import type { BindingMatcher } from './matcher';

export class DirectMatcher implements BindingMatcher {
  private readonly byKey = new Map<string, Binding[]>();

  add(binding: Binding): void {
    const list = this.byKey.get(binding.routingKey);
    if (list === undefined) this.byKey.set(binding.routingKey, [binding]);
    else list.push(binding);
  }

  remove(binding: Binding): void {
    const list = this.byKey.get(binding.routingKey);
    if (list === undefined) return;
    const i = list.indexOf(binding);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byKey.delete(binding.routingKey);
  }

  match(routingKey: string, _headers: HeaderTable | undefined, out: Binding[]): void {
    const list = this.byKey.get(routingKey);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) out.push(list[i]);
  }
}
