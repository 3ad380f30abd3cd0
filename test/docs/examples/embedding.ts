// The README's embedding example, compiled and run by test/docs/readme-examples.test.ts.
import { Broker } from '../../../src';

// readme:start embedding
export async function embedded(dataDir: string): Promise<number> {
  const broker = new Broker({ dataDir, host: '127.0.0.1', amqpPort: 0, mqttPort: 0, nativePort: 0, httpPort: 0 });
  await broker.start();
  const { amqp, mqtt, native, http } = broker.ports(); // port 0 above: any free port
  // … point your clients at 127.0.0.1:<port> …
  await broker.stop();
  return [amqp, mqtt, native, http].filter((p) => p > 0).length;
}
// readme:end
