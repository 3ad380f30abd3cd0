/**
 * Lean MQTT 3.1.1 load generator: packets encoded once (mqtt-packet) and written raw, incoming bytes scanned
 * without full parsing, so the generator costs far less CPU than the broker under test.
 * Usage: node dist/bench/mqtt-load.js <port> <qos 0|1> <sizeBytes> <publishers> <subscribers> <pairs|fanout> <durationMs>
 * pairs: publisher i → topic bench/i → subscriber i (publishers = subscribers). fanout: 1 publisher → N subscribers.
 * Prints one JSON line: { deliveredPerSec, publishedPerSec }.
 */
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

/** Unacknowledged QoS 1 publishes per publisher. */
const QOS1_WINDOW = 100;

function gen(packet: mqttPacket.Packet): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: 4 });
}

/** Splits a byte stream into MQTT packets and calls onPacket(type, packetId) for each. */
function scanner(onPacket: (type: number, packetId: number) => void): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let o = 0;
    for (;;) {
      if (buf.length - o < 2) break;
      let len = 0;
      let mul = 1;
      let i = o + 1;
      let complete = false;
      for (; i < buf.length && i < o + 5; i++) {
        len += (buf[i] & 0x7f) * mul;
        mul *= 128;
        if ((buf[i] & 0x80) === 0) {
          complete = true;
          i++;
          break;
        }
      }
      if (!complete || i + len > buf.length) break;
      const type = buf[o] >> 4;
      let packetId = 0;
      if (type === 3 && ((buf[o] >> 1) & 3) > 0) {
        const topicLen = buf.readUInt16BE(i);
        packetId = buf.readUInt16BE(i + 2 + topicLen);
      } else if (type === 4) packetId = buf.readUInt16BE(i);
      onPacket(type, packetId);
      o = i + len;
    }
    pending = o < buf.length ? Buffer.from(buf.subarray(o)) : Buffer.alloc(0);
    buf = pending;
  };
}

async function connect(port: number, clientId: string, onPacket: (type: number, id: number) => void): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    const scan = scanner((type, id) => {
      if (type === 2) resolve();
      else onPacket(type, id);
    });
    sock.on('data', scan);
    sock.write(gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 0 }));
  });
  return sock;
}

async function subscribe(sock: net.Socket, topic: string, qos: 0 | 1, subacks: { wait(): Promise<void> }): Promise<void> {
  sock.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] }));
  await subacks.wait();
}

async function main(): Promise<void> {
  const [portArg, qosArg, sizeArg, pubArg, subArg, topology, durArg] = process.argv.slice(2);
  const port = Number(portArg);
  const qos = Number(qosArg) as 0 | 1;
  const size = Number(sizeArg);
  const pubs = Number(pubArg);
  const subs = Number(subArg);
  const durationMs = Number(durArg);
  let delivered = 0;
  let published = 0;
  let measuring = false;

  const subSockets: net.Socket[] = [];
  for (let s = 0; s < subs; s++) {
    let subackWaiter: (() => void) | null = null;
    const sock = await connect(port, `bench-sub-${process.pid}-${s}`, (type, id) => {
      if (type === 9 && subackWaiter) subackWaiter();
      if (type === 3) {
        if (measuring) delivered++;
        if (qos === 1) sockRef.write(Buffer.from([0x40, 2, id >> 8, id & 0xff]));
      }
    });
    const sockRef = sock;
    const topic = topology === 'fanout' ? 'bench/fan' : `bench/${s}`;
    await subscribe(sock, topic, qos, { wait: () => new Promise<void>((r) => (subackWaiter = r)) });
    subSockets.push(sock);
  }

  const stops: Array<() => void> = [];
  const pubSockets: net.Socket[] = [];
  for (let p = 0; p < pubs; p++) {
    const topic = topology === 'fanout' ? 'bench/fan' : `bench/${p}`;
    const template = gen({ cmd: 'publish', topic, payload: Buffer.alloc(size, 97), qos, retain: false, dup: false, messageId: qos ? 1 : undefined });
    // Offset of the packet id inside the template, to stamp ids without re-encoding.
    const idOffset = template.length - size - 2;
    let inflight = 0;
    let nextId = 1;
    let running = true;
    let sock: net.Socket;
    const pump = (): void => {
      while (running) {
        if (qos === 1 && inflight >= QOS1_WINDOW) return;
        let pkt = template;
        if (qos === 1) {
          pkt = Buffer.from(template);
          pkt.writeUInt16BE(nextId, idOffset);
          nextId = nextId === 65535 ? 1 : nextId + 1;
          inflight++;
        }
        if (measuring) published++;
        if (!sock.write(pkt)) {
          sock.once('drain', pump);
          return;
        }
      }
    };
    sock = await connect(port, `bench-pub-${process.pid}-${p}`, (type) => {
      if (type === 4) {
        inflight--;
        if (inflight === QOS1_WINDOW - 1) pump();
      }
    });
    pubSockets.push(sock);
    stops.push(() => (running = false));
    setImmediate(pump);
  }
  // Warm up briefly, then count for durationMs.
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const elapsedS = (performance.now() - t0) / 1000;
  for (const stop of stops) stop();
  for (const s of [...pubSockets, ...subSockets]) s.destroy();
  process.stdout.write(JSON.stringify({ deliveredPerSec: Math.round(delivered / elapsedS), publishedPerSec: Math.round(published / elapsedS) }) + '\n');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`mqtt-load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
