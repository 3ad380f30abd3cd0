/**
 * Unit tests of the adapter's pure pieces: publisher-confirm ordering and coalescing (Confirms), SASL parsing,
 * error classification (soft → channel, hard → connection).
 */
import { Confirms } from '../../protocols/amqp/confirms';
import { parseSaslResponse } from '../../protocols/amqp/sasl';
import { AmqpError, classify, isHardError, replyText } from '../../protocols/amqp/errors';
import { encodeFieldTable } from '../../protocols/amqp/codec/field-table';
import { BrokerError } from '../../src/core/errors';

interface Sent {
  name: string;
  deliveryTag: number;
  multiple: boolean;
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function sink(out: Sent[], backlog: { n: number }) {
  return {
    send: (name: string, args: unknown) => {
      const a = args as { deliveryTag: number; multiple: boolean };
      out.push({ name, deliveryTag: a.deliveryTag, multiple: a.multiple });
    },
    live: true,
    backlog: (d: number) => {
      backlog.n += d;
    },
  };
}

/** Confirms flush on setImmediate (to coalesce a group commit); wait for that. */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('Confirms', () => {
  test('out-of-order settlement is confirmed in publish order, acks coalesced, nacks single', async () => {
    const out: Sent[] = [];
    const backlog = { n: 0 };
    const c = new Confirms(sink(out, backlog) as never);
    const d = [deferred(), deferred(), deferred(), deferred(), deferred()];
    for (const x of d) c.track(x.promise);
    expect(backlog.n).toBe(5);
    d[2].resolve();
    d[1].resolve();
    await tick();
    expect(out).toEqual([]); // tag 1 still pending: nothing may be confirmed
    d[0].resolve();
    d[3].reject(new Error('refused'));
    d[4].resolve();
    await tick();
    await tick();
    expect(out).toEqual([
      { name: 'basic.ack', deliveryTag: 3, multiple: true },
      { name: 'basic.nack', deliveryTag: 4, multiple: false },
      { name: 'basic.ack', deliveryTag: 5, multiple: false },
    ]);
    expect(backlog.n).toBe(0);
  });

  test('sequence numbers survive compaction of the outcome list', async () => {
    const out: Sent[] = [];
    const backlog = { n: 0 };
    const c = new Confirms(sink(out, backlog) as never);
    for (let round = 0; round < 3; round++) {
      const ds = Array.from({ length: 1500 }, () => deferred());
      for (const x of ds) c.track(x.promise);
      for (const x of ds) x.resolve();
      await tick();
      await tick();
    }
    expect(out[out.length - 1]).toEqual({ name: 'basic.ack', deliveryTag: 4500, multiple: true });
    expect(backlog.n).toBe(0);
  });

  test('publishes sharing one settle promise (one group commit) are confirmed together, in order with others', async () => {
    const out: Sent[] = [];
    const backlog = { n: 0 };
    const c = new Confirms(sink(out, backlog) as never);
    const round1 = deferred();
    const refused = deferred();
    const round2 = deferred();
    for (let i = 0; i < 3; i++) c.track(round1.promise); // tags 1-3
    c.track(refused.promise); // tag 4
    for (let i = 0; i < 2; i++) c.track(round2.promise); // tags 5-6
    c.track(round1.promise); // tag 7: same promise as 1-3 but a new run (not consecutive)
    round2.resolve();
    round1.resolve();
    await tick();
    await tick();
    expect(out).toEqual([{ name: 'basic.ack', deliveryTag: 3, multiple: true }]); // 4 still pending
    refused.reject(new Error('refused'));
    await tick();
    await tick();
    // A publish tracked on a promise that has already settled is confirmed too.
    c.track(round1.promise); // tag 8
    await tick();
    await tick();
    expect(out).toEqual([
      { name: 'basic.ack', deliveryTag: 3, multiple: true },
      { name: 'basic.nack', deliveryTag: 4, multiple: false },
      { name: 'basic.ack', deliveryTag: 7, multiple: true },
      { name: 'basic.ack', deliveryTag: 8, multiple: false },
    ]);
    expect(backlog.n).toBe(0);
  });

  test('dispose releases the backlog and sends nothing more', async () => {
    const out: Sent[] = [];
    const backlog = { n: 0 };
    const c = new Confirms(sink(out, backlog) as never);
    const x = deferred();
    c.track(x.promise);
    c.dispose();
    x.resolve();
    await tick();
    expect(out).toEqual([]);
    expect(backlog.n).toBe(0);
  });
});

describe('SASL', () => {
  test('PLAIN with and without authzid', () => {
    expect(parseSaslResponse('PLAIN', Buffer.from('\0guest\0secret'))).toEqual({ username: 'guest', password: 'secret' });
    expect(parseSaslResponse('PLAIN', Buffer.from('admin\0guest\0p\0w'))).toEqual({ username: 'guest', password: 'p\0w' });
  });

  test('AMQPLAIN is a field table without its length prefix', () => {
    const table = encodeFieldTable({ LOGIN: 'u', PASSWORD: 'p' });
    expect(parseSaslResponse('AMQPLAIN', table.subarray(4))).toEqual({ username: 'u', password: 'p' });
  });

  test('malformed responses are ACCESS_REFUSED', () => {
    for (const [mech, resp] of [['PLAIN', 'no-nul'], ['AMQPLAIN', '\x05junk'], ['CRAM-MD5', 'x']] as const) {
      expect(() => parseSaslResponse(mech, Buffer.from(resp))).toThrow(BrokerError);
    }
  });
});

describe('error classification', () => {
  test('soft codes close the channel, hard codes the connection (AMQP 0-9-1 §1.2)', () => {
    for (const code of [311, 312, 313, 403, 404, 405, 406]) expect(isHardError(code)).toBe(false);
    for (const code of [320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541]) expect(isHardError(code)).toBe(true);
  });

  test('BrokerError codes map through AMQP_REPLY_CODE; unknown exceptions are 541', () => {
    expect(classify(new BrokerError('NOT_FOUND', 'x'))).toMatchObject({ replyCode: 404, hard: false });
    expect(classify(new BrokerError('NOT_ALLOWED', 'x'))).toMatchObject({ replyCode: 530, hard: true });
    expect(classify(new AmqpError(406, 'x', true))).toMatchObject({ replyCode: 406, hard: true });
    expect(classify(new TypeError('boom'))).toMatchObject({ replyCode: 541, hard: true, unexpected: true });
  });

  test('reply texts carry the symbolic name and fit a shortstr', () => {
    expect(replyText(404, "no queue 'q'")).toBe("NOT_FOUND - no queue 'q'");
    expect(Buffer.byteLength(replyText(406, 'é'.repeat(300)))).toBeLessThanOrEqual(255);
  });
});
