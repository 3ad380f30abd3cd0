// The README's replay example, compiled and run by test/docs/readme-examples.test.ts.
import { Consumer } from '../../../src';

// readme:start sdk-replay
export async function replayPartition(topic: string, partition: number, fromMs: number): Promise<string[]> {
  const consumer = new Consumer(); // no group: we choose partitions and positions ourselves
  await consumer.assign([{ topic, partition }]);
  await consumer.seekToTimestamp(topic, fromMs, partition); // first record at or after fromMs
  const firstPass = await consumer.poll(1000);
  consumer.seek(topic, partition, firstPass[0].offset); // and once more from the same offset
  const secondPass = await consumer.poll(1000);
  await consumer.close();
  return secondPass.map((r) => `${r.offset}: ${r.value}`);
}
// readme:end
