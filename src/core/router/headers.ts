/**
 * Headers exchange (rabbit_exchange_type_headers): a binding's arguments are matched against the message
 * headers. `x-match` is `all` (default), `any`, `all-with-x` or `any-with-x`; with `all`/`any` binding arguments
 * whose name starts with `x-` are ignored. A void (null) argument matches on the header's presence alone; other
 * values compare by value, not by wire type. `all` with no arguments left matches everything, `any` nothing.
 */
import { BrokerError } from '../errors';
import type { HeaderTable, HeaderValue } from '../message';
import type { Binding } from './binding';
import { headerValuesEqual, isVoidHeaderValue, unwrapHeaderValue } from './header-values';
import type { BindingMatcher } from './matcher';

export type XMatch = 'all' | 'any' | 'all-with-x' | 'any-with-x';

export interface Condition {
  key: string;
  value: HeaderValue;
  presenceOnly: boolean;
}

interface CompiledBinding {
  binding: Binding;
  any: boolean;
  conditions: Condition[];
}

/** Reads and validates x-match; throws PRECONDITION_FAILED like RabbitMQ's binding_invalid. */
export function parseXMatch(args: HeaderTable): XMatch {
  const raw = args['x-match'];
  if (raw === undefined) return 'all';
  let v = unwrapHeaderValue(raw);
  if (Buffer.isBuffer(v)) v = v.toString('utf8');
  if (typeof v !== 'string') {
    throw new BrokerError('PRECONDITION_FAILED', `Invalid x-match field type (value ${String(v)}); expected longstr`);
  }
  if (v === 'all' || v === 'any' || v === 'all-with-x' || v === 'any-with-x') return v;
  throw new BrokerError(
    'PRECONDITION_FAILED',
    `Invalid x-match field value "${v}"; expected all, any, all-with-x, or any-with-x`,
  );
}

export function compileHeadersBinding(args: HeaderTable): { any: boolean; conditions: Condition[] } {
  const mode = parseXMatch(args);
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const conditions: Condition[] = [];
  for (const key of Object.keys(args)) {
    if (key === 'x-match') continue;
    if (!withX && key.startsWith('x-')) continue;
    const value = args[key];
    conditions.push({ key, value, presenceOnly: isVoidHeaderValue(value) });
  }
  return { any: mode === 'any' || mode === 'any-with-x', conditions };
}

/** True when a message with `headers` matches a binding compiled from its arguments. */
export function headersMatch(compiled: { any: boolean; conditions: Condition[] }, headers: HeaderTable | undefined): boolean {
  const conds = compiled.conditions;
  if (compiled.any) {
    if (headers === undefined) return false;
    for (let i = 0; i < conds.length; i++) if (conditionHolds(conds[i], headers)) return true;
    return false;
  }
  for (let i = 0; i < conds.length; i++) {
    if (headers === undefined || !conditionHolds(conds[i], headers)) return false;
  }
  return true;
}

function conditionHolds(c: Condition, headers: HeaderTable): boolean {
  if (!Object.prototype.hasOwnProperty.call(headers, c.key)) return false;
  return c.presenceOnly || headerValuesEqual(c.value, headers[c.key]);
}

export class HeadersMatcher implements BindingMatcher {
  private readonly bindings: CompiledBinding[] = [];

  add(binding: Binding): void {
    const { any, conditions } = compileHeadersBinding(binding.args);
    this.bindings.push({ binding, any, conditions });
  }

  remove(binding: Binding): void {
    const i = this.bindings.findIndex((c) => c.binding === binding);
    if (i >= 0) this.bindings.splice(i, 1);
  }

  match(_routingKey: string, headers: HeaderTable | undefined, out: Binding[]): void {
    const list = this.bindings;
    for (let i = 0; i < list.length; i++) if (headersMatch(list[i], headers)) out.push(list[i].binding);
  }
}
