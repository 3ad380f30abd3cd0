/**
 * Holds many idle MQTT 3.1.1 clients, spread over several 127.0.0.x source addresses (one address has only
 * ~28k ephemeral ports). Usage: node dist/bench/mqtt-idle.js <port> <count> <firstIndex>
 * Prints "ready" once every CONNACK arrived; closes all when stdin ends.
 */
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

/** Source addresses used round-robin: 127.0.0.2 … 127.0.0.(1+SOURCE_ADDRESSES). */
const SOURCE_ADDRESSES = 8;
/** Connections opened concurrently. */
const CONNECT_BATCH = 200;

async function one(port: number, i: number): Promise<net.Socket> {
  const sock = net.connect({ port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % SOURCE_ADDRESSES)}` });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.once('data', () => resolve());
    sock.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: `idle-${i}`, clean: true, keepalive: 0 }));
  });
  return sock;
}

async function main(): Promise<void> {
  const [portArg, countArg, firstArg] = process.argv.slice(2);
  const port = Number(portArg);
  const count = Number(countArg);
  const first = Number(firstArg ?? 0);
  const socks: net.Socket[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const n = Math.min(CONNECT_BATCH, count - i);
    socks.push(...(await Promise.all(Array.from({ length: n }, (_x, k) => one(port, first + i + k)))));
  }
  process.stdout.write('ready\n');
  process.stdin.resume();
  process.stdin.on('end', () => {
    for (const s of socks) s.destroy();
    process.exit(0);
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`mqtt-idle: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
