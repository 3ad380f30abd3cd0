/**
 * An AMQP stream and a native topic are one log: amqplib publishes into an x-queue-type: stream queue and the
 * native SDK fetches the records; the SDK produces into it and an amqplib stream consumer receives the messages
 * with x-stream-offset headers. A real broker on ephemeral ports, real sockets.
 */
import amqp from 'amqplib';
import { Consumer, Producer, type ConsumedRecord } from '../../../src/sdk';
import { startBroker, type InProcessBroker } from '../../helpers/broker';

let b: InProcessBroker;

beforeAll(async () => {
  b = await startBroker();
});

afterAll(async () => {
  await b.stop();
});

test('AMQP stream messages are native records and native records reach AMQP stream consumers', async () => {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${b.ports.amqp}`);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('e2e-stream', { durable: true, arguments: { 'x-queue-type': 'stream', 'x-max-age': '1D' } });
    for (let i = 0; i < 3; i++) {
      ch.sendToQueue('e2e-stream', Buffer.from(`amqp-${i}`), { contentType: 'text/plain', headers: { seq: `s${i}` } });
    }
    await ch.waitForConfirms();

    const producer = new Producer({ broker: `127.0.0.1:${b.ports.native}` });
    await producer.sendBatch('e2e-stream', [
      { key: 'k', value: 'native-0', headers: { origin: 'sdk' } },
      { key: 'k', value: 'native-1', headers: { origin: 'sdk' } },
    ]);
    await producer.close();

    const consumer = new Consumer({ broker: `127.0.0.1:${b.ports.native}` });
    await consumer.assign([{ topic: 'e2e-stream', partition: 0, offset: 0 }]);
    const records: ConsumedRecord[] = [];
    while (records.length < 5) {
      const r = await consumer.nextRecord();
      if (r === null) break;
      records.push(r);
    }
    await consumer.close();
    expect(records.map((r) => [r.offset, r.value.toString()])).toEqual([
      [0, 'amqp-0'],
      [1, 'amqp-1'],
      [2, 'amqp-2'],
      [3, 'native-0'],
      [4, 'native-1'],
    ]);
    expect(records[1].headers).toMatchObject({ seq: 's1', contentType: 'text/plain' });

    // An AMQP stream consumer from offset 2: prefetch is required, acks are manual.
    await ch.prefetch(10);
    const got: amqp.ConsumeMessage[] = [];
    const done = new Promise<void>((resolve) => {
      void ch.consume(
        'e2e-stream',
        (m) => {
          if (m === null) return;
          got.push(m);
          ch.ack(m);
          if (got.length === 3) resolve();
        },
        { noAck: false, arguments: { 'x-stream-offset': 2 } },
      );
    });
    await done;
    expect(got.map((m) => m.content.toString())).toEqual(['amqp-2', 'native-0', 'native-1']);
    expect(got.map((m) => Number(m.properties.headers?.['x-stream-offset']))).toEqual([2, 3, 4]);
    expect(got[1].properties.headers).toMatchObject({ origin: 'sdk' });
    expect(got[1].fields.routingKey).toBe('k');
    await ch.close();
  } finally {
    await conn.close();
  }
});
