/**
 * Thin helpers over amqplib for the AMQP differential scenarios: every channel and connection has error
 * listeners (a server close is an observation, not a crash), every wait has a deadline, and every name a
 * scenario creates is registered for cleanup.
 */
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type GetMessage, type Message } from 'amqplib';
import { withDeadline } from './deadline';
import { normalise, uniquePrefix } from './names';
import type { Observation, Scenario, Target } from './types';

export type Code = number | string;

/**
 * The AMQP reply code carried by an amqplib error. A connection-level close (which amqplib reports only in the
 * message text) is prefixed 'connection:' so it is never confused with a channel close.
 */
export function replyCode(err: unknown): Code {
  if (err !== null && typeof err === 'object' && 'code' in err) {
    const c = (err as { code: unknown }).code;
    if (typeof c === 'number' || typeof c === 'string') return c;
  }
  const text = err instanceof Error ? err.message : String(err);
  const connection = /Connection closed: (\d{3})/.exec(text);
  if (connection !== null) return `connection:${connection[1]}`;
  return 'no-code';
}

/** 'ok' if the operation succeeded, else the reply code of the channel/connection close it caused. */
export async function outcome(p: Promise<unknown>): Promise<Code> {
  try {
    await withDeadline(p, 'an AMQP reply');
    return 'ok';
  } catch (err) {
    return replyCode(err);
  }
}

/** Resolves with the reply code when the server closes this channel. */
export function channelClosed(ch: Channel): Promise<Code> {
  return withDeadline(new Promise<Code>((resolve) => ch.once('error', (e: unknown) => resolve(replyCode(e)))), 'channel close');
}

/** A type alias (not an interface) so it is assignable to Json. */
export type Delivery = { body: string; redelivered: boolean };

export function delivery(m: Message): Delivery {
  return { body: m.content.toString(), redelivered: m.fields.redelivered };
}

export class AmqpCtx {
  private readonly conns: ChannelModel[] = [];
  private readonly queues = new Set<string>();
  private readonly exchanges = new Set<string>();

  constructor(
    readonly url: string,
    /** Unique per run; every created name starts with it. */
    readonly p: string,
  ) {}

  /** A queue name owned by this run (deleted at the end). */
  q(suffix: string): string {
    const name = `${this.p}.q.${suffix}`;
    this.queues.add(name);
    return name;
  }

  /** An exchange name owned by this run (deleted at the end). */
  x(suffix: string): string {
    const name = `${this.p}.x.${suffix}`;
    this.exchanges.add(name);
    return name;
  }

  async connect(): Promise<ChannelModel> {
    const conn = await withDeadline(amqp.connect(this.url), 'connection');
    conn.on('error', () => undefined);
    this.conns.push(conn);
    return conn;
  }

  async channel(conn?: ChannelModel): Promise<Channel> {
    const c = conn ?? (await this.connect());
    const ch = await c.createChannel();
    ch.on('error', () => undefined);
    return ch;
  }

  async confirmChannel(conn?: ChannelModel): Promise<ConfirmChannel> {
    const c = conn ?? (await this.connect());
    const ch = await c.createConfirmChannel();
    ch.on('error', () => undefined);
    return ch;
  }

  /**
   * Runs one operation on a fresh connection, for operations a broker may answer with a CONNECTION close: then
   * amqplib rejects the pending call without a code, and the code arrives on the connection's error event.
   */
  async alone(op: (ch: Channel) => Promise<unknown>): Promise<Code> {
    const conn = await this.connect();
    const connClosed = new Promise<Code>((resolve) => conn.once('error', (e: unknown) => resolve(replyCode(e))));
    let code = await outcome(op(await this.channel(conn)));
    if (code === 'no-code') code = await withDeadline(connClosed, 'connection close');
    if (code === 'ok') return code;
    const stillOpen = (await outcome(conn.createChannel())) === 'ok';
    return stillOpen ? code : `connection:${String(code).replace('connection:', '')}`;
  }

  async close(): Promise<void> {
    try {
      const ch = await this.channel();
      for (const q of this.queues) await ch.deleteQueue(q).catch(() => undefined);
      for (const x of this.exchanges) await ch.deleteExchange(x).catch(() => undefined);
    } catch {
      // cleanup is best effort: the channel may be closed by a failed delete
    }
    for (const c of this.conns) await c.close().catch(() => undefined);
  }
}

/** Publishes on a confirm channel and waits for the broker's ack ('ack') or nack ('nack'). */
export function publishConfirmed(ch: ConfirmChannel, exchange: string, key: string, body: string, opts: amqp.Options.Publish = {}): Promise<'ack' | 'nack'> {
  return withDeadline(
    new Promise<'ack' | 'nack'>((resolve) => {
      ch.publish(exchange, key, Buffer.from(body), opts, (err) => resolve(err === null || err === undefined ? 'ack' : 'nack'));
    }),
    'publisher confirm',
  );
}

/** basic.get until get-empty: the body, redelivered flag and message-count of every get-ok. */
export async function drainGet(ch: Channel, queue: string, ack = true): Promise<Array<Delivery & { messageCount: number }>> {
  const out: Array<Delivery & { messageCount: number }> = [];
  for (;;) {
    const m: GetMessage | false = await withDeadline(ch.get(queue, { noAck: !ack }), 'basic.get');
    if (m === false) return out;
    out.push({ ...delivery(m), messageCount: m.fields.messageCount });
    if (ack) ch.ack(m);
  }
}

/** Consumes until `n` deliveries arrived; resolves with them (the consumer stays). */
export function collect(ch: Channel, queue: string, n: number, opts: amqp.Options.Consume = {}): Promise<Message[]> {
  const got: Message[] = [];
  return withDeadline(
    new Promise<Message[]>((resolve, reject) => {
      ch.consume(queue, (m) => {
        if (m === null) return;
        got.push(m);
        if (got.length === n) resolve(got.slice());
      }, opts).catch(reject);
    }),
    `${n} deliveries from a queue`,
  );
}

/** Defines an AMQP scenario: a fresh context (prefix, cleanup) and a normalised observation. */
export function amqpScenario(name: string, ref: string, body: (ctx: AmqpCtx) => Promise<Observation>): Scenario {
  return {
    name,
    ref,
    async run(target: Target): Promise<Observation> {
      const ctx = new AmqpCtx(target.url, uniquePrefix());
      try {
        return normalise(await body(ctx), ctx.p) as Observation;
      } finally {
        await ctx.close();
      }
    },
  };
}
