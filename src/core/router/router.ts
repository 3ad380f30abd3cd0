/**
 * The router of one vhost: exchanges, their bindings, and routing a message to the set of queues it reaches.
 * Pure and synchronous (no storage, no timers): the vhost persists and validates, the router only indexes.
 *
 * Routing follows rabbit_exchange:route/2: a worklist of exchanges starting at the published-to exchange; each
 * exchange's matching bindings add queues, or exchanges not yet seen (so cycles end); an exchange whose own
 * bindings matched nothing hands the message to its alternate exchange, if that exists and was not seen.
 * Every queue is reported once however many paths reach it.
 */
import { BrokerError } from '../errors';
import type { HeaderTable } from '../message';
import type { ExchangeSpec } from '../types';
import { type Binding, type DestinationKind, destinationKey } from './binding';
import { DirectMatcher } from './direct';
import { FanoutMatcher } from './fanout';
import { HeadersMatcher } from './headers';
import type { BindingMatcher } from './matcher';
import { TopicMatcher } from './topic';
import { unwrapHeaderValue } from './header-values';

export const EXCHANGE_TYPES: readonly string[] = ['direct', 'fanout', 'topic', 'headers'];

/** The default exchange ('') and the exchanges every vhost has, as RabbitMQ pre-declares them. */
export const DEFAULT_EXCHANGE = '';
export const PREDECLARED_EXCHANGES: ReadonlyArray<{ name: string; type: string }> = [
  { name: 'amq.direct', type: 'direct' },
  { name: 'amq.fanout', type: 'fanout' },
  { name: 'amq.topic', type: 'topic' },
  { name: 'amq.headers', type: 'headers' },
  { name: 'amq.match', type: 'headers' },
];

/** Queues in one fast-path result deduplicated by a linear scan instead of a Set. */
const LINEAR_DEDUPE_MAX = 8;

export interface ExchangeEntry {
  readonly spec: ExchangeSpec;
  /** null for the default exchange, which routes by queue name and has no bindings. */
  readonly matcher: BindingMatcher | null;
  /** Bindings with this exchange as source, by binding id. */
  readonly bindings: Map<string, Binding>;
  /** Name from the `alternate-exchange` argument. */
  readonly alternate: string | null;
  /** Bindings per destination key; lets the fast path skip deduplication while no destination is bound twice. */
  readonly destinationRefs: Map<string, number>;
  /** Destinations with more than one binding from this exchange. */
  sharedDestinations: number;
}

export function createMatcher(type: string): BindingMatcher {
  switch (type) {
    case 'direct':
      return new DirectMatcher();
    case 'fanout':
      return new FanoutMatcher();
    case 'topic':
      return new TopicMatcher();
    case 'headers':
      return new HeadersMatcher();
    default:
      throw new BrokerError('COMMAND_INVALID', `unknown exchange type '${type}'`);
  }
}

/** The `alternate-exchange` argument: a string, or absent. */
export function alternateExchangeOf(args: HeaderTable): string | null {
  const raw = args['alternate-exchange'];
  if (raw === undefined) return null;
  const v = unwrapHeaderValue(raw);
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  throw new BrokerError('PRECONDITION_FAILED', "invalid arg 'alternate-exchange': expected a string");
}

export class Router {
  private readonly exchanges = new Map<string, ExchangeEntry>();
  private readonly byDestination = new Map<string, Set<Binding>>();
  /** Exchange-to-exchange bindings in the vhost; while 0, publishes take the single-exchange fast path. */
  private exchangeBindingCount = 0;
  private bindingCount = 0;
  private readonly scratch: Binding[] = [];

  constructor(
    private readonly vhostName: string,
    /** The default exchange routes to a queue of the routing key's name when it exists. */
    private readonly queueExists: (name: string) => boolean,
  ) {
    this.addExchange({ name: DEFAULT_EXCHANGE, type: 'direct', durable: true, autoDelete: false, internal: false, arguments: {} });
    for (const x of PREDECLARED_EXCHANGES) {
      this.addExchange({ name: x.name, type: x.type, durable: true, autoDelete: false, internal: false, arguments: {} });
    }
  }

  get size(): { exchanges: number; bindings: number } {
    return { exchanges: this.exchanges.size, bindings: this.bindingCount };
  }

  getExchange(name: string): ExchangeEntry | undefined {
    return this.exchanges.get(name);
  }

  exchangeList(): ExchangeEntry[] {
    return [...this.exchanges.values()];
  }

  /** Adds an exchange (the caller checked it is new and allowed). Throws COMMAND_INVALID for an unknown type. */
  addExchange(spec: ExchangeSpec): ExchangeEntry {
    const matcher = spec.name === DEFAULT_EXCHANGE ? null : createMatcher(spec.type);
    const entry: ExchangeEntry = {
      spec,
      matcher,
      bindings: new Map(),
      alternate: alternateExchangeOf(spec.arguments),
      destinationRefs: new Map(),
      sharedDestinations: 0,
    };
    this.exchanges.set(spec.name, entry);
    return entry;
  }

  /** Removes an exchange and every binding from or to it; returns those bindings. */
  removeExchange(name: string): Binding[] {
    const entry = this.exchanges.get(name);
    if (entry === undefined) return [];
    const removed = [...entry.bindings.values(), ...this.bindingsTo('exchange', name)];
    for (const b of removed) this.removeBinding(b);
    this.exchanges.delete(name);
    return removed;
  }

  hasBinding(b: Binding): boolean {
    return this.exchanges.get(b.source)?.bindings.has(b.id) ?? false;
  }

  /** Adds a binding; false when an identical one exists. Headers bindings validate x-match here. */
  addBinding(b: Binding): boolean {
    const source = this.exchanges.get(b.source);
    if (source === undefined || source.matcher === null) {
      throw new BrokerError('NOT_FOUND', `no exchange '${b.source}' in vhost '${this.vhostName}'`);
    }
    if (source.bindings.has(b.id)) return false;
    source.matcher.add(b);
    source.bindings.set(b.id, b);
    const key = destinationKey(b.destinationKind, b.destination);
    const refs = (source.destinationRefs.get(key) ?? 0) + 1;
    source.destinationRefs.set(key, refs);
    if (refs === 2) source.sharedDestinations++;
    let set = this.byDestination.get(key);
    if (set === undefined) {
      set = new Set();
      this.byDestination.set(key, set);
    }
    set.add(b);
    this.bindingCount++;
    if (b.destinationKind === 'exchange') this.exchangeBindingCount++;
    return true;
  }

  /** Removes the binding with b's identity; returns the removed one, or undefined when there was none. */
  removeBinding(b: Binding): Binding | undefined {
    const source = this.exchanges.get(b.source);
    const existing = source?.bindings.get(b.id);
    if (source === undefined || existing === undefined || source.matcher === null) return undefined;
    source.matcher.remove(existing);
    source.bindings.delete(b.id);
    const key = destinationKey(existing.destinationKind, existing.destination);
    const refs = (source.destinationRefs.get(key) ?? 1) - 1;
    if (refs === 0) source.destinationRefs.delete(key);
    else source.destinationRefs.set(key, refs);
    if (refs === 1) source.sharedDestinations--;
    const set = this.byDestination.get(key);
    if (set !== undefined) {
      set.delete(existing);
      if (set.size === 0) this.byDestination.delete(key);
    }
    this.bindingCount--;
    if (existing.destinationKind === 'exchange') this.exchangeBindingCount--;
    return existing;
  }

  bindingsTo(kind: DestinationKind, name: string): Binding[] {
    const set = this.byDestination.get(destinationKey(kind, name));
    return set === undefined ? [] : [...set];
  }

  bindingList(): Binding[] {
    const all: Binding[] = [];
    for (const x of this.exchanges.values()) for (const b of x.bindings.values()) all.push(b);
    return all;
  }

  /**
   * Appends to `out` the names of the queues the message reaches, each once. Throws NOT_FOUND for a missing
   * exchange and, when `fromPublisher`, ACCESS_REFUSED for an internal one (dead-lettering may target those).
   */
  route(exchange: string, routingKey: string, headers: HeaderTable | undefined, fromPublisher: boolean, out: string[]): void {
    const x = this.entryForPublish(exchange, fromPublisher);
    if (x.matcher === null) {
      if (this.queueExists(routingKey)) out.push(routingKey);
      return;
    }
    const matched = this.scratch;
    matched.length = 0;
    x.matcher.match(routingKey, headers, matched);
    if (this.exchangeBindingCount === 0 && (matched.length > 0 || x.alternate === null)) {
      if (x.sharedDestinations === 0) {
        for (let i = 0; i < matched.length; i++) out.push(matched[i].destination);
      } else {
        pushQueuesDeduped(matched, out);
      }
      matched.length = 0;
      return;
    }
    matched.length = 0;
    this.routeGraph(x, [routingKey], headers, out);
  }

  /**
   * Routing with several keys at once (sender-selected distribution: the routing key plus the CC and BCC
   * headers). As in RabbitMQ, an exchange uses its alternate exchange only when no key matched.
   */
  routeKeys(exchange: string, keys: readonly string[], headers: HeaderTable | undefined, fromPublisher: boolean, out: string[]): void {
    this.routeGraph(this.entryForPublish(exchange, fromPublisher), keys, headers, out);
  }

  private entryForPublish(exchange: string, fromPublisher: boolean): ExchangeEntry {
    const x = this.exchanges.get(exchange);
    if (x === undefined) throw new BrokerError('NOT_FOUND', `no exchange '${exchange}' in vhost '${this.vhostName}'`);
    if (fromPublisher && x.spec.internal) {
      throw new BrokerError(
        'ACCESS_REFUSED',
        `cannot publish to internal exchange '${exchange}' in vhost '${this.vhostName}'`,
      );
    }
    return x;
  }

  /** The general case: exchange-to-exchange bindings and alternate exchanges, as a worklist with a seen set. */
  private routeGraph(start: ExchangeEntry, keys: readonly string[], headers: HeaderTable | undefined, out: string[]): void {
    const seenExchanges = new Set<string>([start.spec.name]);
    const seenQueues = new Set<string>();
    const work: ExchangeEntry[] = [start];
    const matched = this.scratch;
    while (work.length > 0) {
      const x = work.pop() as ExchangeEntry;
      matched.length = 0;
      if (x.matcher === null) {
        // The default exchange: the start of a CC publish, or an alternate exchange named ''.
        for (const key of keys) {
          if (this.queueExists(key) && !seenQueues.has(key)) {
            seenQueues.add(key);
            out.push(key);
          }
        }
        continue;
      }
      for (let k = 0; k < keys.length; k++) x.matcher.match(keys[k], headers, matched);
      if (matched.length === 0 && x.alternate !== null) this.visitExchange(x.alternate, seenExchanges, work);
      for (let i = 0; i < matched.length; i++) {
        const b = matched[i];
        if (b.destinationKind === 'exchange') {
          this.visitExchange(b.destination, seenExchanges, work);
        } else if (!seenQueues.has(b.destination)) {
          seenQueues.add(b.destination);
          out.push(b.destination);
        }
      }
    }
    matched.length = 0;
  }

  private visitExchange(name: string, seen: Set<string>, work: ExchangeEntry[]): void {
    if (seen.has(name)) return;
    seen.add(name);
    const x = this.exchanges.get(name);
    if (x !== undefined) work.push(x);
  }
}

function pushQueuesDeduped(matched: Binding[], out: string[]): void {
  const n = matched.length;
  if (n === 1) {
    out.push(matched[0].destination);
    return;
  }
  if (n <= LINEAR_DEDUPE_MAX) {
    const start = out.length;
    for (let i = 0; i < n; i++) {
      const d = matched[i].destination;
      let dup = false;
      for (let j = start; j < out.length; j++) {
        if (out[j] === d) {
          dup = true;
          break;
        }
      }
      if (!dup) out.push(d);
    }
    return;
  }
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const d = matched[i].destination;
    if (!seen.has(d)) {
      seen.add(d);
      out.push(d);
    }
  }
}
