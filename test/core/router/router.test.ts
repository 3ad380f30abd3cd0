import { BrokerError } from '../../../src/core/errors';
import type { HeaderTable } from '../../../src/core/message';
import { makeBinding } from '../../../src/core/router/binding';
import { Router } from '../../../src/core/router/router';
import type { ExchangeSpec } from '../../../src/core/types';

function spec(name: string, type: string, extra: Partial<ExchangeSpec> = {}): ExchangeSpec {
  return { name, type, durable: false, autoDelete: false, internal: false, arguments: {}, ...extra };
}

function route(r: Router, x: string, key: string, headers?: HeaderTable, fromPublisher = true): string[] {
  const out: string[] = [];
  r.route(x, key, headers, fromPublisher, out);
  return out.sort();
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof BrokerError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('router', () => {
  const queues = new Set(['q1', 'q2', 'q3']);
  const newRouter = (): Router => new Router('/', (n) => queues.has(n));

  test('default exchange routes by queue name; missing queue is unroutable', () => {
    const r = newRouter();
    expect(route(r, '', 'q1')).toEqual(['q1']);
    expect(route(r, '', 'nope')).toEqual([]);
  });

  test('pre-declared exchanges exist with their types', () => {
    const r = newRouter();
    for (const [n, t] of [['amq.direct', 'direct'], ['amq.fanout', 'fanout'], ['amq.topic', 'topic'], ['amq.headers', 'headers'], ['amq.match', 'headers']]) {
      expect(r.getExchange(n)?.spec.type).toBe(t);
    }
  });

  test('missing exchange is NOT_FOUND, internal exchange refused to publishers only', () => {
    const r = newRouter();
    expect(code(() => route(r, 'none', 'k'))).toBe('NOT_FOUND');
    r.addExchange(spec('int', 'fanout', { internal: true }));
    r.addBinding(makeBinding('int', 'q1', 'queue', '', {}));
    expect(code(() => route(r, 'int', 'k'))).toBe('ACCESS_REFUSED');
    expect(route(r, 'int', 'k', undefined, false)).toEqual(['q1']);
  });

  test('unknown exchange type is COMMAND_INVALID', () => {
    expect(code(() => newRouter().addExchange(spec('x', 'x-consistent-hash')))).toBe('COMMAND_INVALID');
  });

  test('direct: same queue bound twice is routed once; duplicate binding is a no-op', () => {
    const r = newRouter();
    r.addExchange(spec('d', 'direct'));
    expect(r.addBinding(makeBinding('d', 'q1', 'queue', 'k', {}))).toBe(true);
    expect(r.addBinding(makeBinding('d', 'q1', 'queue', 'k', {}))).toBe(false);
    expect(r.addBinding(makeBinding('d', 'q1', 'queue', 'k', { a: 1 }))).toBe(true);
    r.addBinding(makeBinding('d', 'q2', 'queue', 'k', {}));
    expect(route(r, 'd', 'k')).toEqual(['q1', 'q2']);
    expect(route(r, 'd', 'other')).toEqual([]);
    expect(r.removeBinding(makeBinding('d', 'q1', 'queue', 'k', {}))).toBeDefined();
    expect(route(r, 'd', 'k')).toEqual(['q1', 'q2']);
    r.removeBinding(makeBinding('d', 'q1', 'queue', 'k', { a: 1 }));
    expect(route(r, 'd', 'k')).toEqual(['q2']);
    expect(r.removeBinding(makeBinding('d', 'q1', 'queue', 'k', {}))).toBeUndefined();
  });

  test('fanout ignores the key; topic and headers route', () => {
    const r = newRouter();
    r.addExchange(spec('f', 'fanout'));
    r.addBinding(makeBinding('f', 'q1', 'queue', 'ignored', {}));
    r.addBinding(makeBinding('f', 'q2', 'queue', '', {}));
    expect(route(r, 'f', 'anything')).toEqual(['q1', 'q2']);
    r.addBinding(makeBinding('amq.topic', 'q3', 'queue', 'a.*', {}));
    r.addBinding(makeBinding('amq.topic', 'q3', 'queue', 'a.#', {}));
    expect(route(r, 'amq.topic', 'a.b')).toEqual(['q3']);
    r.addBinding(makeBinding('amq.match', 'q1', 'queue', '', { 'x-match': 'any', t: 'v' }));
    expect(route(r, 'amq.match', '', { t: 'v' })).toEqual(['q1']);
    expect(route(r, 'amq.match', '', { t: 'w' })).toEqual([]);
  });

  test('exchange-to-exchange bindings: recursive, each queue once, cycles terminate', () => {
    const r = newRouter();
    for (const n of ['a', 'b', 'c']) r.addExchange(spec(n, 'fanout'));
    // a → b → c → a (cycle), a → q1, b → q1, c → q2, c → b (second cycle)
    r.addBinding(makeBinding('a', 'b', 'exchange', '', {}));
    r.addBinding(makeBinding('b', 'c', 'exchange', '', {}));
    r.addBinding(makeBinding('c', 'a', 'exchange', '', {}));
    r.addBinding(makeBinding('c', 'b', 'exchange', '', {}));
    r.addBinding(makeBinding('a', 'q1', 'queue', '', {}));
    r.addBinding(makeBinding('b', 'q1', 'queue', '', {}));
    r.addBinding(makeBinding('c', 'q2', 'queue', '', {}));
    for (const start of ['a', 'b', 'c']) expect(route(r, start, 'k')).toEqual(['q1', 'q2']);
    // An exchange bound to itself.
    r.addExchange(spec('self', 'direct'));
    r.addBinding(makeBinding('self', 'self', 'exchange', 'k', {}));
    r.addBinding(makeBinding('self', 'q3', 'queue', 'k', {}));
    expect(route(r, 'self', 'k')).toEqual(['q3']);
    // Removing an exchange removes bindings to and from it.
    const removed = r.removeExchange('b');
    expect(removed.length).toBe(4);
    expect(route(r, 'a', 'k')).toEqual(['q1']);
    expect(route(r, 'c', 'k')).toEqual(['q1', 'q2']);
  });

  test('topic e2e keeps the routing key along the path', () => {
    const r = newRouter();
    r.addExchange(spec('t2', 'topic'));
    r.addBinding(makeBinding('amq.topic', 't2', 'exchange', 'sensors.#', {}));
    r.addBinding(makeBinding('t2', 'q1', 'queue', '*.kitchen', {}));
    r.addBinding(makeBinding('t2', 'q2', 'queue', '*.hall', {}));
    expect(route(r, 'amq.topic', 'sensors.kitchen')).toEqual(['q1']);
    expect(route(r, 'amq.topic', 'lights.kitchen')).toEqual([]);
  });

  test('alternate exchange receives what an exchange cannot route, chained and cycle-safe', () => {
    const r = newRouter();
    r.addExchange(spec('ae', 'fanout'));
    r.addExchange(spec('main', 'direct', { arguments: { 'alternate-exchange': 'ae' } }));
    r.addBinding(makeBinding('main', 'q1', 'queue', 'k', {}));
    r.addBinding(makeBinding('ae', 'q2', 'queue', '', {}));
    expect(route(r, 'main', 'k')).toEqual(['q1']);
    expect(route(r, 'main', 'other')).toEqual(['q2']);
    // AE chain: ae2 has no bindings and its own AE pointing back to main (cycle): nothing routes, no hang.
    r.addExchange(spec('m2', 'direct', { arguments: { 'alternate-exchange': 'ae2' } }));
    r.addExchange(spec('ae2', 'direct', { arguments: { 'alternate-exchange': 'm2' } }));
    expect(route(r, 'm2', 'x')).toEqual([]);
    // AE that does not exist: simply unroutable.
    r.addExchange(spec('m3', 'direct', { arguments: { 'alternate-exchange': 'missing' } }));
    expect(route(r, 'm3', 'x')).toEqual([]);
    // An exchange that routes only to another exchange (which routes nowhere) does not use its AE;
    // the inner exchange's AE applies instead (rabbit_exchange:route semantics).
    r.addExchange(spec('outer', 'fanout', { arguments: { 'alternate-exchange': 'ae' } }));
    r.addExchange(spec('inner', 'direct', { arguments: { 'alternate-exchange': 'amq.fanout' } }));
    r.addBinding(makeBinding('outer', 'inner', 'exchange', '', {}));
    r.addBinding(makeBinding('amq.fanout', 'q3', 'queue', '', {}));
    expect(route(r, 'outer', 'zzz')).toEqual(['q3']);
  });

  test('invalid alternate-exchange argument type is PRECONDITION_FAILED', () => {
    expect(code(() => newRouter().addExchange(spec('x', 'direct', { arguments: { 'alternate-exchange': 5 } })))).toBe(
      'PRECONDITION_FAILED',
    );
  });
});
