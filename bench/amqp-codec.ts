/**
 * Micro-benchmark of the AMQP codec's hot paths:
 *   - inbound: frame-parse + decode basic.publish + content header + body, from 64 KiB socket-sized chunks;
 *   - outbound: encode basic.deliver + content header (raw, byte-exact re-emit) + body frame;
 *   - the single operations, and amqplib's generated codec doing the same encode, for scale.
 *
 *   npx tsc -p . && node dist/bench/amqp-codec.js
 */
import * as path from 'node:path';
// Imported from the modules, not the index: the index's re-exports are getters, which show up in profiles.
import { encodeBodyFrames, FRAME_BODY, FRAME_HEADER, FRAME_METHOD, FrameParser } from '../protocols/amqp/codec/frames';
import { decodeMethod, encodeBasicDeliver, encodeMethod, makeMethod } from '../protocols/amqp/codec/methods.generated';
import { decodeContentHeader, encodeContentHeaderFrame, encodeContentHeaderFrameRaw } from '../protocols/amqp/codec/properties';
import { encodeMethodWithContent } from '../protocols/amqp/codec/content';
import type { MessageProperties } from '../src/core/message';

export interface BenchResult {
  name: string;
  opsPerSec: number;
  /** What one op is. */
  unit: string;
}

const FRAME_MAX = 131_072;
const BODY = Buffer.alloc(100, 0x61);
const PROPS: MessageProperties = { contentType: 'application/json', deliveryMode: 2, headers: { 'x-trace': 'abc123' } };

/** Best of a few timed passes after a warm-up (JIT): the machine is shared, so the minimum is the signal. */
const TIMED_PASSES = 3;

function timeIt(name: string, unit: string, ops: number, fn: () => void): BenchResult {
  fn();
  let bestNs = Infinity;
  for (let i = 0; i < TIMED_PASSES; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    bestNs = Math.min(bestNs, Number(process.hrtime.bigint() - t0));
  }
  return { name, unit, opsPerSec: Math.round((ops / bestNs) * 1e9) };
}

function publishStream(count: number): Buffer[] {
  const one = Buffer.concat([
    encodeMethod(1, makeMethod('basic.publish', { ticket: 0, exchange: 'amq.topic', routingKey: 'sensors.kitchen.temp', mandatory: false, immediate: false })),
    encodeContentHeaderFrame(1, 60, BODY.length, PROPS),
    ...encodeBodyFrames(1, BODY, FRAME_MAX),
  ]);
  const all = Buffer.alloc(one.length * count);
  for (let i = 0; i < count; i++) one.copy(all, i * one.length);
  const chunks: Buffer[] = [];
  for (let o = 0; o < all.length; o += 65536) chunks.push(all.subarray(o, o + 65536));
  return chunks;
}

export function runAmqpCodecBench(messages = 200_000, only?: RegExp): BenchResult[] {
  const all: BenchResult[] = [];
  const results = {
    push(r: BenchResult | undefined): void {
      if (r) all.push(r);
    },
  };
  const time = (name: string, unit: string, ops: number, fn: () => void): BenchResult | undefined =>
    only && !only.test(name) ? undefined : timeIt(name, unit, ops, fn);

  const chunks = publishStream(messages);
  results.push(
    time('inbound publish: parse frames + decode method, header, body', 'message', messages, () => {
      const parser = new FrameParser(FRAME_MAX);
      let bodies = 0;
      for (const c of chunks) {
        for (const f of parser.push(c)) {
          if (f.type === FRAME_METHOD) decodeMethod(f.payload);
          else if (f.type === FRAME_HEADER) decodeContentHeader(f.payload);
          else if (f.type === FRAME_BODY) bodies += f.payload.length;
        }
      }
      if (bodies !== messages * BODY.length) throw new Error('lost bodies');
    }),
  );

  const raw = decodeContentHeader(encodeContentHeaderFrame(1, 60, BODY.length, PROPS).subarray(7, -1)).rawProperties;
  const deliver = { consumerTag: 'amq.ctag-Xf3kq9', deliveryTag: 1, redelivered: false, exchange: 'amq.topic', routingKey: 'sensors.kitchen.temp' };
  results.push(
    time('outbound deliver: encode method + raw header + body frame', 'message', messages, () => {
      for (let i = 1; i <= messages; i++) {
        deliver.deliveryTag = i;
        encodeBasicDeliver(1, deliver);
        encodeContentHeaderFrameRaw(1, 60, BODY.length, raw);
        encodeBodyFrames(1, BODY, FRAME_MAX);
      }
    }),
  );
  const deliverMsg = makeMethod('basic.deliver', deliver);
  results.push(
    time('outbound deliver as one buffer (encodeMethodWithContent, raw)', 'message', messages, () => {
      for (let i = 1; i <= messages; i++) {
        deliverMsg.args.deliveryTag = i;
        encodeMethodWithContent(1, deliverMsg, PROPS, raw, BODY, FRAME_MAX);
      }
    }),
  );
  results.push(
    time('outbound deliver with properties re-encoded (non-AMQP source)', 'message', messages, () => {
      for (let i = 1; i <= messages; i++) {
        deliver.deliveryTag = i;
        encodeBasicDeliver(1, deliver);
        encodeContentHeaderFrame(1, 60, BODY.length, PROPS);
        encodeBodyFrames(1, BODY, FRAME_MAX);
      }
    }),
  );

  const publishPayload = encodeMethod(1, makeMethod('basic.publish', { ticket: 0, exchange: 'amq.topic', routingKey: 'sensors.kitchen.temp', mandatory: false, immediate: false })).subarray(7, -1);
  results.push(time('decodeMethod(basic.publish)', 'method', messages, () => {
    for (let i = 0; i < messages; i++) decodeMethod(publishPayload);
  }));
  const deliverMethod = makeMethod('basic.deliver', deliver);
  results.push(time('encodeMethod(basic.deliver)', 'method', messages, () => {
    for (let i = 0; i < messages; i++) encodeMethod(1, deliverMethod);
  }));

  // amqplib's generated codec, same work, for scale (it is a dev dependency; skipped if absent).
  try {
    const defs = require(path.join(__dirname, '..', '..', 'node_modules/amqplib/lib/defs.js')) as {
      encodeMethod(id: number, ch: number, f: Record<string, unknown>): Buffer;
      encodeProperties(id: number, ch: number, size: number, f: Record<string, unknown>): Buffer;
      decode(id: number, b: Buffer): Record<string, unknown>;
    };
    results.push(time('amqplib: encode deliver method + properties', 'message', messages, () => {
      for (let i = 1; i <= messages; i++) {
        defs.encodeMethod(3932220, 1, { ...deliver, deliveryTag: i });
        defs.encodeProperties(60, 1, BODY.length, PROPS as Record<string, unknown>);
      }
    }));
    const args = publishPayload.subarray(4);
    results.push(time('amqplib: decode basic.publish', 'method', messages, () => {
      for (let i = 0; i < messages; i++) defs.decode(3932200, args);
    }));
  } catch {
    // amqplib not installed: our figures stand alone.
  }
  return all;
}

if (require.main === module) {
  const only = process.argv[2] ? new RegExp(process.argv[2]) : undefined;
  for (const r of runAmqpCodecBench(200_000, only)) {
    process.stdout.write(`${r.name.padEnd(66)} ${r.opsPerSec.toLocaleString('en-US').padStart(12)} ${r.unit}s/s\n`);
  }
}
