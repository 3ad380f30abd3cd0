// A reference MQTT 3.1.1 broker for differential runs: aedes (a dev dependency) on an ephemeral loopback port.
// Prints {"port": N} on stdout once listening; exits when stdin closes (so it never outlives its parent).
import net from 'node:net';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker();
const server = net.createServer(broker.handle);
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.stdin.resume();
process.stdin.on('end', () => {
  server.close();
  broker.close(() => process.exit(0));
});
