// The README's SDK quick start, compiled and run by test/docs/readme-examples.test.ts. The text between the
// readme markers appears verbatim in README.md.
import { Admin, Consumer, Producer } from '../../../src';

// readme:start sdk-quickstart
export async function quickstart(): Promise<string[]> {
  // Clients find the broker through POLYMQ_BROKER (default 127.0.0.1:5680), or pass { broker: 'host:port' }.
  const admin = new Admin();
  await admin.createTopic('orders', { partitions: 3 });
  await admin.close();

  const producer = new Producer({ acks: 'durable' }); // answered once the records are fsynced
  for (let i = 0; i < 10; i++) {
    const meta = await producer.send('orders', { key: `customer-${i % 3}`, value: `order ${i}` });
    if (meta.offset < 0) throw new Error('not acknowledged');
  }
  await producer.close();

  const consumer = new Consumer({ groupId: 'billing', autoOffsetReset: 'earliest' });
  await consumer.subscribe(['orders']);
  const seen: string[] = [];
  for await (const record of consumer) {
    seen.push(`${record.key} p${record.partition}@${record.offset}: ${record.value}`);
    if (seen.length === 10) break; // leaving the loop commits the offsets and leaves the group
  }
  return seen;
}
// readme:end
