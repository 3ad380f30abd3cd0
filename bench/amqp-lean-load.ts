/**
 * Lean AMQP load generator: raw sockets + polymq's own codec, so the generator is not the bottleneck (amqplib's
 * encoder tops out near 0.26M frames/s and its per-message promises/objects cost more than the brokers' work).
 * Same load shape as bench/amqp-load.ts: one publisher connection, one consumer connection (prefetch 1000,
 * manual acks, one basic.ack per message), persistent+confirmed (window 1000 unconfirmed) or transient.
 *
 * What keeps it cheap: the publish frames (method + header + body) are encoded ONCE into a template and copied
 * into one batch buffer per write; only the 8-byte send timestamp in the body is patched. Confirms and
 * deliveries are parsed minimally (class/method ids, delivery tag, the body's first 8 bytes); acks are written as
 * one buffer per received chunk (still one ack frame per message, as amqplib and PerfTest's default do).
 *
 * Usage: node dist/bench/amqp-lean-load.js <url> <persistent-confirm|transient> <count> <sizeBytes>
 * Prints one JSON line: { msgPerSec, p50Ms, p99Ms, count }.
 */
import net from 'node:net';
import { FrameParser, PROTOCOL_HEADER, type Frame } from '../protocols/amqp/codec/frames';
import { decodeMethod, encodeMethod, makeMethod, type AmqpMethod, type AmqpMethodName, type MethodArgs } from '../protocols/amqp/codec/methods.generated';
import { encodeContentHeaderFrame } from '../protocols/amqp/codec/properties';

/** Unconfirmed publishes allowed in flight (like PerfTest's --confirm window and bench/amqp-load.ts). */
const CONFIRM_WINDOW = 1000;
const PREFETCH = 1000;
/** Messages encoded into one socket write by the publisher. */
const PUBLISH_BATCH_MAX = 100;
/** Transient publisher: stop writing while this many bytes sit in our socket buffer. */
const TRANSIENT_WRITE_BUFFER_MAX_BYTES = 1024 * 1024;
const FRAME_MAX_BYTES = 131072;
const CH = 1;

const CLASS_BASIC = 60;
const M_DELIVER = 60;
const M_ACK = 80;
const M_NACK = 120;
const FRAME_METHOD = 1;
const FRAME_BODY = 3;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** A raw connection: handshake and request/response methods through the codec, then a hook for hot frames. */
class LeanConnection {
  private readonly parser = new FrameParser(0);
  private waiters: Array<{ name: AmqpMethodName; resolve: (m: AmqpMethod) => void }> = [];
  /** Frames that are not replies we wait for (deliveries, confirms) go here once set. */
  onFrames: ((frames: Frame[]) => void) | null = null;
  private closing = false;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (err) => {
      // RabbitMQ may reset the socket right after close-ok: only errors before that are failures.
      if (this.closing) return;
      process.stderr.write(`amqp-lean-load: socket error ${err.message}\n`);
      process.exit(1);
    });
  }

  static async open(host: string, port: number, user: string, pass: string, vhost: string): Promise<LeanConnection> {
    const socket = net.connect(port, host);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new LeanConnection(socket);
    const start = c.expect('connection.start');
    socket.write(PROTOCOL_HEADER);
    await start;
    const tune = c.expect('connection.tune');
    c.send(0, 'connection.start-ok', {
      clientProperties: { product: 'polymq-lean-load' },
      mechanism: 'PLAIN',
      response: Buffer.from(`\0${user}\0${pass}`),
      locale: 'en_US',
    });
    const t = await tune;
    if (t.name !== 'connection.tune') throw new Error('expected tune');
    const frameMax = t.args.frameMax === 0 ? FRAME_MAX_BYTES : Math.min(t.args.frameMax, FRAME_MAX_BYTES);
    c.send(0, 'connection.tune-ok', { channelMax: t.args.channelMax, frameMax, heartbeat: 0 });
    await c.call(0, 'connection.open', { virtualHost: vhost, capabilities: '', insist: false }, 'connection.open-ok');
    await c.call(CH, 'channel.open', { outOfBand: '' }, 'channel.open-ok');
    return c;
  }

  send<N extends AmqpMethodName>(channel: number, name: N, args: MethodArgs<N>): void {
    this.socket.write(encodeMethod(channel, makeMethod(name, args)));
  }

  expect(name: AmqpMethodName): Promise<AmqpMethod> {
    return new Promise((resolve) => this.waiters.push({ name, resolve }));
  }

  call<N extends AmqpMethodName>(channel: number, name: N, args: MethodArgs<N>, reply: AmqpMethodName): Promise<AmqpMethod> {
    const p = this.expect(reply);
    this.send(channel, name, args);
    return p;
  }

  private onData(d: Buffer): void {
    const frames = this.parser.push(d);
    if (this.waiters.length > 0) {
      for (const f of frames) {
        if (f.type !== FRAME_METHOD) continue;
        const p = f.payload;
        const classMethod = p.readUInt32BE(0);
        // Hot frames (deliver, ack) are never replies we wait for: leave them to onFrames undecoded.
        if (classMethod === 0x003c003c || classMethod === 0x003c0050) continue;
        const m = decodeMethod(p);
        if (m.name === 'connection.close' || m.name === 'channel.close') {
          process.stderr.write(`amqp-lean-load: ${m.name} ${JSON.stringify(m.args)}\n`);
          process.exit(1);
        }
        const w = this.waiters[0];
        if (w !== undefined && w.name === m.name) {
          this.waiters.shift();
          w.resolve(m);
        }
      }
    }
    if (this.onFrames !== null) this.onFrames(frames);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.call(0, 'connection.close', { replyCode: 200, replyText: 'bye', classId: 0, methodId: 0 }, 'connection.close-ok');
    this.socket.end();
  }
}

/** One message's frames (method + header + body), encoded once; `stampOffset` is where the body starts. */
function publishTemplate(queue: string, size: number, persistent: boolean): { bytes: Buffer; stampOffset: number } {
  const method = encodeMethod(CH, makeMethod('basic.publish', { ticket: 0, exchange: '', routingKey: queue, mandatory: false, immediate: false }));
  const header = encodeContentHeaderFrame(CH, CLASS_BASIC, size, { deliveryMode: persistent ? 2 : 1 });
  const body = Buffer.alloc(size + 8, 120);
  body[0] = FRAME_BODY;
  body.writeUInt16BE(CH, 1);
  body.writeUInt32BE(size, 3);
  body[size + 7] = 0xce;
  return { bytes: Buffer.concat([method, header, body]), stampOffset: method.length + header.length + 7 };
}

async function main(): Promise<void> {
  const [urlArg, mode, countArg, sizeArg] = process.argv.slice(2);
  const url = new URL(urlArg);
  const count = Number(countArg);
  const size = Number(sizeArg);
  if (size < 8) throw new Error('size must be at least 8 (the timestamp)');
  const persistent = mode === 'persistent-confirm';
  const user = decodeURIComponent(url.username || 'guest');
  const pass = decodeURIComponent(url.password || 'guest');
  const vhost = url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/';
  const host = url.hostname;
  const port = Number(url.port || 5672);

  const consumer = await LeanConnection.open(host, port, user, pass, vhost);
  const publisher = await LeanConnection.open(host, port, user, pass, vhost);
  const q = `lean-${process.pid}-${mode}`;
  await consumer.call(CH, 'queue.declare', { ticket: 0, queue: q, passive: false, durable: persistent, exclusive: false, autoDelete: false, noWait: false, arguments: {} }, 'queue.declare-ok');
  await consumer.call(CH, 'basic.qos', { prefetchSize: 0, prefetchCount: PREFETCH, global: false }, 'basic.qos-ok');
  if (persistent) await publisher.call(CH, 'confirm.select', { nowait: false }, 'confirm.select-ok');

  const latencies = new Float64Array(count);
  let received = 0;
  let endMs = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const ackTemplate = encodeMethod(CH, makeMethod('basic.ack', { deliveryTag: 0, multiple: false }));
  const ACK_BYTES = ackTemplate.length;
  // Tag of the delivery whose body frames are still to come (header frames are skipped: sizes are fixed).
  let expectBody = false;
  consumer.onFrames = (frames) => {
    let acks = 0;
    const ackBuf = Buffer.allocUnsafe(frames.length * ACK_BYTES);
    const now = performance.now();
    for (const f of frames) {
      if (f.type === FRAME_METHOD) {
        const p = f.payload;
        if (((p[0] << 8) | p[1]) === CLASS_BASIC && ((p[2] << 8) | p[3]) === M_DELIVER) {
          const tagAt = 5 + p[4];
          ackTemplate.copy(ackBuf, acks * ACK_BYTES);
          // The 8-byte delivery tag is copied as is into the ack frame (offset 11 of the frame).
          p.copy(ackBuf, acks * ACK_BYTES + 11, tagAt, tagAt + 8);
          acks++;
          expectBody = true;
        } else if (((p[0] << 8) | p[1]) === 20 && ((p[2] << 8) | p[3]) === 40) {
          process.stderr.write(`amqp-lean-load: consumer channel closed: ${JSON.stringify(decodeMethod(p).args)}\n`);
          process.exit(1);
        }
      } else if (f.type === FRAME_BODY && expectBody) {
        // 1 KiB bodies fit one frame; the stamp is in the first body frame.
        expectBody = false;
        if (received < count) latencies[received] = now - f.payload.readDoubleBE(0);
        received++;
      }
    }
    if (acks > 0) consumer.socket.write(acks === frames.length ? ackBuf : ackBuf.subarray(0, acks * ACK_BYTES));
    if (received >= count && endMs === 0) {
      endMs = performance.now();
      finish();
    }
  };
  await consumer.call(CH, 'basic.consume', { ticket: 0, queue: q, consumerTag: 'lean', noLocal: false, noAck: false, exclusive: false, noWait: false, arguments: {} }, 'basic.consume-ok');

  const tpl = publishTemplate(q, size, persistent);
  const batchBuf = (n: number): Buffer => {
    const out = Buffer.allocUnsafe(n * tpl.bytes.length);
    const stamp = performance.now();
    for (let i = 0; i < n; i++) {
      const o = i * tpl.bytes.length;
      tpl.bytes.copy(out, o);
      out.writeDoubleBE(stamp, o + tpl.stampOffset);
    }
    return out;
  };
  let sent = 0;
  let confirmed = 0;
  /** Send time of each publish batch, and the time until the batch's last message was confirmed. */
  const batchSentAt: number[] = [];
  const confirmLatencies: number[] = [];
  const startMs = performance.now();
  if (persistent) {
    let wake: (() => void) | null = null;
    publisher.onFrames = (frames) => {
      for (const f of frames) {
        if (f.type !== FRAME_METHOD) continue;
        const p = f.payload;
        if (((p[0] << 8) | p[1]) !== CLASS_BASIC) continue;
        const m = (p[2] << 8) | p[3];
        if (m === M_NACK) throw new Error('nacked');
        if (m !== M_ACK) continue;
        // Tags are sequential from 1: an ack (multiple or single, they arrive in order here) confirms up to tag.
        const tag = p.readUInt32BE(4) * 2 ** 32 + p.readUInt32BE(8);
        if (tag > confirmed) {
          const now = performance.now();
          for (let b = Math.floor(confirmed / PUBLISH_BATCH_MAX); b < Math.floor(tag / PUBLISH_BATCH_MAX); b++) confirmLatencies.push(now - batchSentAt[b]);
          confirmed = tag;
        }
      }
      if (wake !== null) {
        const w = wake;
        wake = null;
        w();
      }
    };
    while (sent < count) {
      // Whole batches only, so each batch's confirm time can be measured (the window is a multiple of it).
      const room = CONFIRM_WINDOW - (sent - confirmed) >= PUBLISH_BATCH_MAX ? Math.min(count - sent, PUBLISH_BATCH_MAX) : 0;
      if (room <= 0) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      batchSentAt.push(performance.now());
      publisher.socket.write(batchBuf(room));
      sent += room;
    }
  } else {
    while (sent < count) {
      const n = Math.min(count - sent, PUBLISH_BATCH_MAX);
      publisher.socket.write(batchBuf(n));
      sent += n;
      if (publisher.socket.writableLength >= TRANSIENT_WRITE_BUFFER_MAX_BYTES) {
        await new Promise((r) => publisher.socket.once('drain', r));
      } else if (sent % (PUBLISH_BATCH_MAX * 10) === 0) {
        // Let the consumer side run now and then (one process drives both ends).
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  await done;
  consumer.onFrames = null;
  publisher.onFrames = null;
  await consumer.call(CH, 'queue.delete', { ticket: 0, queue: q, ifUnused: false, ifEmpty: false, noWait: false }, 'queue.delete-ok');
  await Promise.all([consumer.close(), publisher.close()]);
  const sorted = latencies.sort();
  const confirms = Float64Array.from(confirmLatencies).sort();
  const result: Record<string, number> = { count, msgPerSec: Math.round(count / ((endMs - startMs) / 1000)), p50Ms: +percentile(sorted, 0.5).toFixed(2), p99Ms: +percentile(sorted, 0.99).toFixed(2) };
  if (confirms.length > 0) {
    result.confirmP50Ms = +percentile(confirms, 0.5).toFixed(2);
    result.confirmP99Ms = +percentile(confirms, 0.99).toFixed(2);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`amqp-lean-load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
