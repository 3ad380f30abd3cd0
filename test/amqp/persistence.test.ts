/**
 * Durability through the broker as a child process: durable queues and persistent messages survive a clean
 * restart and a kill -9 (every confirmed message is there); amqp-connection-manager reconnects through a restart
 * and its confirm channel resends what was not confirmed.
 */
import amqp from 'amqplib';
import * as acm from 'amqp-connection-manager';
import type { ConfirmChannel } from 'amqplib';
import { startBrokerProcess, waitFor, type ChildBroker } from '../helpers/broker';
import { amqpUrl } from './amqp-helpers';

async function drain(port: number, queue: string): Promise<string[]> {
  const conn = await amqp.connect(amqpUrl(port));
  const ch = await conn.createChannel();
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (m === false) break;
    out.push(m.content.toString());
  }
  await conn.close();
  return out;
}

test('durable queue + persistent messages survive restart and kill -9; transient ones do not', async () => {
  let broker: ChildBroker = await startBrokerProcess();
  try {
    const port = broker.ports.amqp;
    const conn = await amqp.connect(amqpUrl(port));
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('durable-q', { durable: true });
    await ch.assertQueue('transient-q', { durable: false });
    for (let i = 0; i < 50; i++) ch.sendToQueue('durable-q', Buffer.from(`p${i}`), { persistent: true });
    ch.sendToQueue('durable-q', Buffer.from('not persistent'), { persistent: false });
    ch.sendToQueue('transient-q', Buffer.from('gone'), { persistent: true });
    await ch.waitForConfirms();
    await conn.close();

    await broker.stop();
    broker = await broker.restart();
    let got = await drain(broker.ports.amqp, 'durable-q');
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `p${i}`));
    const c2 = await amqp.connect(amqpUrl(broker.ports.amqp));
    c2.on('error', () => undefined);
    const ch2 = await c2.createChannel();
    ch2.on('error', () => undefined);
    await expect(ch2.checkQueue('transient-q')).rejects.toBeTruthy();
    await c2.close().catch(() => undefined);

    // kill -9 while confirmed publishes are flowing: every confirmed message must be there afterwards.
    const c3 = await amqp.connect(amqpUrl(broker.ports.amqp));
    c3.on('error', () => undefined);
    const ch3 = await c3.createConfirmChannel();
    ch3.on('error', () => undefined);
    const confirmed: string[] = [];
    let i = 0;
    let stop = false;
    const pump = (async () => {
      while (!stop) {
        const body = `k${i++}`;
        let p: Promise<void>;
        try {
          p = new Promise<void>((resolve, reject) => {
            try {
              ch3.sendToQueue('durable-q', Buffer.from(body), { persistent: true }, (err) => {
                if (!err) confirmed.push(body);
                resolve();
              });
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          });
        } catch {
          break;
        }
        if (i % 50 === 0) await p;
        else p.catch(() => undefined);
      }
    })().catch(() => undefined);
    await waitFor(() => confirmed.length >= 200, 20_000, '200 confirms');
    await broker.kill();
    stop = true;
    await pump;
    broker = await broker.restart();
    got = await drain(broker.ports.amqp, 'durable-q');
    const present = new Set(got);
    const missing = confirmed.filter((b) => !present.has(b));
    expect(missing).toEqual([]);
  } finally {
    await broker.kill().catch(() => undefined);
  }
});

test('amqp-connection-manager reconnects through a restart and resends unconfirmed publishes', async () => {
  let broker: ChildBroker = await startBrokerProcess();
  const manager = acm.connect([amqpUrl(broker.ports.amqp)], { reconnectTimeInSeconds: 0.2 });
  try {
    const wrapper = manager.createChannel({
      json: false,
      setup: async (ch: ConfirmChannel) => {
        await ch.assertQueue('acm-q', { durable: true });
      },
    });
    await wrapper.waitForConnect();
    for (let i = 0; i < 10; i++) await wrapper.sendToQueue('acm-q', Buffer.from(`before${i}`), { persistent: true });

    const disconnected = new Promise<void>((resolve) => manager.once('disconnect', () => resolve()));
    await broker.stop();
    await disconnected;
    // Published while the broker is down: the manager queues them and sends once reconnected.
    const pending = Array.from({ length: 10 }, (_, i) => wrapper.sendToQueue('acm-q', Buffer.from(`during${i}`), { persistent: true }));
    broker = await broker.restart();
    await Promise.all(pending);
    await wrapper.close();
    await manager.close();
    const got = await drain(broker.ports.amqp, 'acm-q');
    for (let i = 0; i < 10; i++) {
      expect(got).toContain(`before${i}`);
      expect(got).toContain(`during${i}`);
    }
  } finally {
    await manager.close().catch(() => undefined);
    await broker.kill().catch(() => undefined);
  }
});
