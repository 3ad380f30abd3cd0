/**
 * Lean MQTT 3.1.1 load generator: packets encoded once (mqtt-packet) and written raw, incoming bytes scanned
 * without full parsing, so the generator costs far less CPU than the broker under test.
 * Usage: node dist/bench/mqtt-load.js <port> <qos 0|1> <sizeBytes> <publishers> <subscribers> <pairs|fanout> <durationMs> [clean|persistent]
 * persistent: subscribers connect with clean session 0, so a broker keeps their queue as a persistent session
 * (polymq: a durable queue in SQLite, PUBACK once fsynced or acknowledged by the subscriber; Mosquitto: in memory, saved to its
 * persistence file periodically; Aedes: in-memory persistence).
 * pairs: publisher i → topic bench/i → subscriber i (publishers = subscribers). fanout: 1 publisher → N subscribers.
 * Prints one JSON line: { deliveredPerSec, publishedPerSec }.
 */
import net from 'node:net';
import mqttPacket from 'mqtt-packet';

/** Unacknowledged QoS 1 publishes per publisher. */
const QOS1_WINDOW = 100;
/** Publishes written per corked burst (one writev) before the publisher yields to the event loop. */
const PUBLISH_BATCH_MAX = 32;
/**
 * QoS 0 has no acknowledgement, so a publisher may run at most this many messages ahead of what its slowest
 * subscriber received (closed loop): the figure is the rate a broker sustains, not how much it buffers or drops
 * (an open-loop publisher made Aedes overflow its stack on the backlog and crash).
 */
const QOS0_AHEAD_MAX = 2000;
/** Longest the generator waits for a broker to end the persistent sessions after a scenario. */
const SESSION_CLEANUP_TIMEOUT_MS = 5000;
/** A publisher held back this long without any delivery progress assumes drops and resynchronises. */
const QOS0_STALL_MS = 200;

function gen(packet: mqttPacket.Packet): Buffer {
  return mqttPacket.generate(packet, { protocolVersion: 4 });
}

/**
 * Splits a byte stream into MQTT packets and calls onPacket(type, packetId) for each, then onChunkEnd once per
 * chunk (so replies can leave in one write per chunk instead of one syscall per packet).
 */
function scanner(onPacket: (type: number, packetId: number) => void, onChunkEnd?: () => void): (chunk: Buffer) => void {
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
    onChunkEnd?.();
  };
}

async function connect(
  port: number,
  clientId: string,
  onPacket: (type: number, id: number) => void,
  onChunkEnd?: () => void,
  clean = true,
): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    const scan = scanner((type, id) => {
      if (type === 2) resolve();
      else onPacket(type, id);
    }, onChunkEnd);
    sock.on('data', scan);
    sock.write(gen({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean, keepalive: 0 }));
  });
  return sock;
}

/** Discards a persistent session: connect with clean session 1 [MQTT-3.1.2-6], then DISCONNECT. */
async function endSession(port: number, clientId: string): Promise<void> {
  const sock = await connect(port, clientId, () => undefined, undefined, true);
  await new Promise<void>((resolve) => {
    sock.once('close', () => resolve());
    sock.end(gen({ cmd: 'disconnect' }));
  });
}

async function subscribe(sock: net.Socket, topic: string, qos: 0 | 1, subacks: { wait(): Promise<void> }): Promise<void> {
  sock.write(gen({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic, qos }] }));
  await subacks.wait();
}

async function main(): Promise<void> {
  const [portArg, qosArg, sizeArg, pubArg, subArg, topology, durArg, sessionArg = 'clean'] = process.argv.slice(2);
  const cleanSubscribers = sessionArg !== 'persistent';
  const port = Number(portArg);
  const qos = Number(qosArg) as 0 | 1;
  const size = Number(sizeArg);
  const pubs = Number(pubArg);
  const subs = Number(subArg);
  const durationMs = Number(durArg);
  let delivered = 0;
  let published = 0;
  let measuring = false;

  // Closed loop for QoS 0: messages each subscriber received, messages each publisher sent, and the publishers'
  // pumps to wake when their subscribers catch up.
  const receivedBy = new Array<number>(subs).fill(0);
  const sentBy = new Array<number>(pubs).fill(0);
  const pumps: Array<() => void> = [];
  const heldBack = new Array<boolean>(pubs).fill(false);
  /** Received count of the subscriber(s) publisher p feeds (fan-out: the slowest). */
  const receivedFor = (p: number): number => (topology === 'fanout' ? Math.min(...receivedBy) : receivedBy[p]);
  const aheadOf = (p: number): number => sentBy[p] - receivedFor(p);
  const wake = (p: number): void => {
    if (heldBack[p] && aheadOf(p) < QOS0_AHEAD_MAX / 2) {
      heldBack[p] = false;
      pumps[p]();
    }
  };

  const subSockets: net.Socket[] = [];
  const subIds: string[] = [];
  for (let s = 0; s < subs; s++) {
    let subackWaiter: (() => void) | null = null;
    // PUBACKs for one incoming chunk leave in one write.
    const acks = Buffer.allocUnsafe(4 * 65_536);
    let ackBytes = 0;
    const subId = `bench-sub-${process.pid}-${s}`;
    subIds.push(subId);
    const sock = await connect(
      port,
      subId,
      (type, id) => {
        if (type === 9 && subackWaiter) subackWaiter();
        if (type === 3) {
          receivedBy[s]++;
          if (measuring) delivered++;
          if (qos === 1) {
            acks[ackBytes] = 0x40;
            acks[ackBytes + 1] = 2;
            acks[ackBytes + 2] = id >> 8;
            acks[ackBytes + 3] = id & 0xff;
            ackBytes += 4;
          }
        }
      },
      () => {
        if (qos === 0 && pumps.length > 0) wake(topology === 'fanout' ? 0 : s);
        if (ackBytes === 0) return;
        sockRef.write(Buffer.from(acks.subarray(0, ackBytes)));
        ackBytes = 0;
      },
      cleanSubscribers,
    );
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
    let started = false;
    let sock: net.Socket;
    // Packets written in one pump leave in one writev (corked), not one syscall each.
    const pump = (): void => {
      sock.cork();
      let batch = 0;
      try {
        while (running) {
          if (qos === 1 && inflight >= QOS1_WINDOW) return;
          if (qos === 0 && aheadOf(p) >= QOS0_AHEAD_MAX) {
            heldBack[p] = true;
            return;
          }
          if (batch++ === PUBLISH_BATCH_MAX) {
            // Yield between bursts (QoS 0 has no window): other sockets get read, and a broker is not handed
            // one enormous burst per read (Aedes overflows its stack on those).
            setImmediate(pump);
            return;
          }
          let pkt = template;
          if (qos === 1) {
            pkt = Buffer.from(template);
            pkt.writeUInt16BE(nextId, idOffset);
            nextId = nextId === 65535 ? 1 : nextId + 1;
            inflight++;
          }
          sentBy[p]++;
          if (measuring) published++;
          if (!sock.write(pkt)) {
            sock.once('drain', pump);
            return;
          }
        }
      } finally {
        sock.uncork();
      }
    };
    sock = await connect(
      port,
      `bench-pub-${process.pid}-${p}`,
      (type) => {
        if (type === 4) inflight--;
      },
      // Refill the window once per chunk of PUBACKs, so the publishes go out together.
      () => {
        // (The CONNACK's chunk arrives before `sock` is assigned: `started` is still false then.)
        if (qos === 1 && started && inflight < QOS1_WINDOW && !sock.writableNeedDrain) pump();
      },
    );
    started = true;
    pumps.push(pump);
    pubSockets.push(sock);
    stops.push(() => (running = false));
    setImmediate(pump);
  }
  // A broker that dropped QoS 0 messages would hold a publisher back for ever: after a stall, forgive the gap.
  const lastReceived = receivedBy.slice();
  const stallTimer = setInterval(() => {
    const progressed = receivedBy.some((n, i) => n !== lastReceived[i]);
    for (let i = 0; i < subs; i++) lastReceived[i] = receivedBy[i];
    if (progressed) return;
    for (let p = 0; p < pubs; p++) {
      if (!heldBack[p]) continue;
      sentBy[p] = receivedFor(p);
      wake(p);
    }
  }, QOS0_STALL_MS);
  // Warm up briefly, then count for durationMs.
  await new Promise((r) => setTimeout(r, 500));
  measuring = true;
  // For tools that sample the broker over the measured window (mqtt-cpu.ts); callers parse the last line only.
  process.stdout.write('measuring\n');
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  const elapsedS = (performance.now() - t0) / 1000;
  clearInterval(stallTimer);
  for (const stop of stops) stop();
  for (const s of [...pubSockets, ...subSockets]) s.destroy();
  // Persistent sessions outlive their connection: left alone, they would keep collecting the next scenarios'
  // messages on the same topics (bench/0… and bench/fan) as offline subscribers, so a later "1→1" scenario would
  // really be 1→3 (measured on polymq: three 1 KiB 1→1 persistent runs in a row on one broker gave 32k, 20k and
  // 12k msg/s). Every broker gets the same clean-up after the measured window: clean session, then DISCONNECT.
  // Best effort and bounded: the figure is already measured, a broker that fails here does not fail the scenario.
  if (!cleanSubscribers) {
    const ended = Promise.all(subIds.map((id) => endSession(port, id).catch(() => undefined)));
    await Promise.race([ended, new Promise((r) => setTimeout(r, SESSION_CLEANUP_TIMEOUT_MS))]);
  }
  process.stdout.write(JSON.stringify({ deliveredPerSec: Math.round(delivered / elapsedS), publishedPerSec: Math.round(published / elapsedS) }) + '\n');
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`mqtt-load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
