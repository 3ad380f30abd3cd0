/** Small helpers shared by the AMQP adapter tests: URLs, waiting for close codes, collecting deliveries. */
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';

export function amqpUrl(port: number): string {
  return `amqp://guest:guest@127.0.0.1:${port}`;
}

/** The reply code amqplib attaches to the error of a server-initiated channel or connection close. */
export function codeOf(err: unknown): number | undefined {
  if (err !== null && typeof err === 'object' && 'code' in err) {
    const c = (err as { code: unknown }).code;
    return typeof c === 'number' ? c : undefined;
  }
  return undefined;
}

/** Resolves with the reply code when the channel is closed by the server. */
export function channelErrorCode(ch: Channel): Promise<number | undefined> {
  return new Promise((resolve) => ch.once('error', (err: unknown) => resolve(codeOf(err))));
}

export function connectionErrorCode(conn: ChannelModel): Promise<number | undefined> {
  return new Promise((resolve) => conn.once('error', (err: unknown) => resolve(codeOf(err))));
}

/** Runs an RPC expected to fail; resolves with the reply code of the channel/connection close it caused. */
export async function expectCode(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
  } catch (err) {
    return codeOf(err);
  }
  throw new Error('expected the operation to fail');
}

/** Collects deliveries of a consumer until `n` arrived (or the deadline passes). */
export class Collector {
  readonly messages: ConsumeMessage[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  readonly onMessage = (msg: ConsumeMessage | null): void => {
    if (msg === null) return;
    this.messages.push(msg);
    this.waiters = this.waiters.filter((w) => {
      if (this.messages.length >= w.n) w.resolve();
      return this.messages.length < w.n;
    });
  };

  waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.messages.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${this.messages.length} of ${n} messages`)), timeoutMs);
      this.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  bodies(): string[] {
    return this.messages.map((m) => m.content.toString());
  }
}

export function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' event within ${timeoutMs} ms`)), timeoutMs);
    emitter.once(event, (v: T) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}
