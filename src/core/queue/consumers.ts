/**
 * The consumers of one queue and the choice of who gets the next message (RabbitMQ /consumers and
 * /consumer-prefetch): consumers with credit at the highest priority take turns (least recently served first);
 * a lower priority consumer gets messages only while every higher one is blocked. With single active consumer
 * only one consumer receives: the highest priority one (earliest registered among equals). When a consumer of
 * higher priority than the active one arrives, the queue stops delivering, waits for the active consumer's
 * outstanding deliveries to be settled, then switches (as RabbitMQ 3.12+ does), so order is never broken.
 */
import { BrokerError } from '../errors';
import type { ConsumerSpec, OwnerId } from '../types';

export interface ConsumerState {
  readonly spec: ConsumerSpec;
  /** Deliveries to this consumer not yet settled (what prefetch limits). */
  unacked: number;
  /** Sequence number of its latest delivery (0 = none): round-robin serves the smallest first. */
  lastServed: number;
}

export class ConsumerSet {
  /** In registration order (single active consumer activates them in this order). */
  private list: ConsumerState[] = [];
  /** Single active consumer: the one currently active. */
  private current: ConsumerState | undefined = undefined;

  constructor(
    private readonly queueName: string,
    private readonly vhost: string,
    private readonly singleActive: boolean,
  ) {}

  get size(): number {
    return this.list.length;
  }

  all(): readonly ConsumerState[] {
    return this.list;
  }

  /** Throws ACCESS_REFUSED for exclusive conflicts, NOT_ALLOWED for a tag already consuming this queue. */
  add(spec: ConsumerSpec): ConsumerState {
    if (this.list.length > 0 && (spec.exclusive || this.list.some((c) => c.spec.exclusive))) {
      throw new BrokerError(
        'ACCESS_REFUSED',
        `queue '${this.queueName}' in vhost '${this.vhost}' in exclusive use`,
      );
    }
    if (this.list.some((c) => c.spec.tag === spec.tag)) {
      throw new BrokerError('NOT_ALLOWED', `attempt to reuse consumer tag '${spec.tag}'`);
    }
    // A newcomer starts as "just served" relative to nobody: 0 puts it first in line, like RabbitMQ's append.
    const state: ConsumerState = { spec, unacked: 0, lastServed: 0 };
    this.list.push(state);
    return state;
  }

  remove(tag: string): ConsumerState | undefined {
    const i = this.list.findIndex((c) => c.spec.tag === tag);
    if (i < 0) return undefined;
    const gone = this.list.splice(i, 1)[0];
    if (gone === this.current) this.current = undefined;
    return gone;
  }

  removeOwner(owner: OwnerId): ConsumerState[] {
    const gone = this.list.filter((c) => c.spec.owner === owner);
    if (gone.length > 0) this.list = this.list.filter((c) => c.spec.owner !== owner);
    if (this.current !== undefined && this.current.spec.owner === owner) this.current = undefined;
    return gone;
  }

  clear(): ConsumerState[] {
    const out = this.list;
    this.list = [];
    this.current = undefined;
    return out;
  }

  /**
   * Under single active consumer: the consumer that may receive now, or undefined (none, or a switch to a higher
   * priority consumer is waiting for the current one's deliveries to be settled).
   */
  active(): ConsumerState | undefined {
    if (!this.singleActive) return undefined;
    let best: ConsumerState | undefined;
    for (const c of this.list) if (best === undefined || c.spec.priority > best.spec.priority) best = c;
    const cur = this.current;
    if (cur === undefined || best === undefined) {
      this.current = best;
      return best;
    }
    if (best !== cur && best.spec.priority > cur.spec.priority) {
      if (cur.unacked > 0) return undefined;
      this.current = best;
    }
    return this.current;
  }

  /** The consumer the next message goes to, or null when none has credit. */
  pick(): ConsumerState | null {
    if (this.singleActive) {
      const c = this.active();
      return c !== undefined && hasCredit(c) ? c : null;
    }
    let best: ConsumerState | null = null;
    for (const c of this.list) {
      if (best !== null) {
        const p = c.spec.priority - best.spec.priority;
        if (p < 0 || (p === 0 && c.lastServed >= best.lastServed)) continue;
      }
      if (hasCredit(c)) best = c;
    }
    return best;
  }
}

function hasCredit(c: ConsumerState): boolean {
  const s = c.spec;
  // RabbitMQ applies prefetch to acknowledging consumers only.
  if (!s.noAck && s.prefetch > 0 && c.unacked >= s.prefetch) return false;
  return s.canDeliver();
}
