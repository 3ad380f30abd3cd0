/**
 * Seeded fuzzing of the frame parser and the decoders with random and mutated frame streams: every outcome is
 * frames or a BrokerError, never another exception, never unbounded buffering, never a hang (the parser must
 * consume every chunk it is given).
 */
import { BrokerError } from '../../../src/core/errors';
import {
  decodeContentHeader,
  decodeMethod,
  encodeBodyFrames,
  encodeContentHeaderFrame,
  encodeMethod,
  FRAME_HEADER,
  FRAME_METHOD,
  FrameParser,
  HEARTBEAT_FRAME,
} from '../../../protocols/amqp/codec';
import { ALL_METHOD_NAMES, portableTable, randInt, rng, sampleMethod } from './helpers';

const FRAME_MAX = 4096;

function validStream(r: () => number): Buffer {
  const parts: Buffer[] = [];
  const n = 1 + randInt(r, 6);
  for (let i = 0; i < n; i++) {
    const kind = randInt(r, 3);
    const ch = randInt(r, 3);
    if (kind === 0) parts.push(encodeMethod(ch, sampleMethod(ALL_METHOD_NAMES[randInt(r, ALL_METHOD_NAMES.length - 1)], 2, r, true)));
    else if (kind === 1) parts.push(encodeContentHeaderFrame(ch, 60, randInt(r, 100), { headers: portableTable(r), messageId: 'm' + i }));
    else if (kind === 2) parts.push(...encodeBodyFrames(ch, Buffer.alloc(randInt(r, 300), i), FRAME_MAX));
    else parts.push(HEARTBEAT_FRAME);
  }
  return Buffer.concat(parts);
}

function mutate(r: () => number, b: Buffer): Buffer {
  const out = Buffer.from(b);
  const ops = 1 + randInt(r, 4);
  for (let i = 0; i < ops && out.length > 0; i++) {
    const at = randInt(r, out.length - 1);
    switch (randInt(r, 3)) {
      case 0:
        out[at] = randInt(r, 255);
        break;
      case 1:
        out[at] ^= 1 << randInt(r, 7);
        break;
      case 2:
        out[at] = [0, 0xff, 0x7f, 0x80, 0xce, 1, 2, 3, 8][randInt(r, 8)];
        break;
      default:
        return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + randInt(r, 8))]);
    }
  }
  return out;
}

type Outcome = 'frames' | 'broker-error';

/** Feeds `stream` in random chunks and decodes every frame; returns how it ended. */
function run(r: () => number, stream: Buffer, seen: string[] = []): Outcome {
  const parser = new FrameParser(FRAME_MAX);
  let o = 0;
  try {
    while (o < stream.length) {
      const len = 1 + randInt(r, 200);
      const chunk = stream.subarray(o, o + len);
      o += chunk.length;
      for (const f of parser.push(chunk)) {
        seen.push(`${f.type}/${f.channel}/${f.payload.toString('hex')}`);
        if (f.type === FRAME_METHOD) decodeMethod(f.payload);
        else if (f.type === FRAME_HEADER) decodeContentHeader(f.payload);
      }
      // Bounded: never more than one frame (plus the chunk that completes it) held.
      expect(parser.bufferedBytes()).toBeLessThanOrEqual(FRAME_MAX + 8 + chunk.length);
    }
    return 'frames';
  } catch (e) {
    if (e instanceof BrokerError) return 'broker-error';
    throw e;
  }
}

describe('fuzz', () => {
  test('valid streams cut at random points parse to the same frames as in one piece', () => {
    const r = rng(1);
    for (let i = 0; i < 300; i++) {
      const stream = validStream(r);
      const whole = new FrameParser(FRAME_MAX).push(stream).map((f) => `${f.type}/${f.channel}/${f.payload.toString('hex')}`);
      const cut: string[] = [];
      expect(run(r, stream, cut)).toBe('frames');
      expect(cut).toEqual(whole);
    }
  });

  test('mutated streams yield frames or a BrokerError, nothing else', () => {
    const r = rng(2);
    const seen = new Set<Outcome>();
    for (let i = 0; i < 1500; i++) seen.add(run(r, mutate(r, validStream(r))));
    expect(seen).toEqual(new Set(['frames', 'broker-error']));
  });

  test('random bytes yield frames or a BrokerError, nothing else', () => {
    const r = rng(3);
    for (let i = 0; i < 1500; i++) {
      const len = randInt(r, 400);
      const b = Buffer.alloc(len);
      for (let j = 0; j < len; j++) b[j] = randInt(r, 255);
      // Bias towards plausible headers so the decoders get exercised, not just the type check.
      if (len > 7 && r() < 0.7) {
        b[0] = [1, 2, 3, 8][randInt(r, 3)];
        b.writeUInt32BE(Math.min(len - 8, randInt(r, len)), 3);
        if (r() < 0.8) b[7 + b.readUInt32BE(3)] = 0xce;
        if (b[0] === 1 && len > 9 && r() < 0.8) b.writeUInt16BE(60, 7);
      }
      run(r, b);
    }
  });

  test('decoders alone on random payloads: result or BrokerError', () => {
    const r = rng(4);
    for (let i = 0; i < 2500; i++) {
      const m = encodeMethod(0, sampleMethod(ALL_METHOD_NAMES[randInt(r, ALL_METHOD_NAMES.length - 1)], 2, r, true));
      const payload = mutate(r, m.subarray(7, m.length - 1));
      try {
        decodeMethod(payload);
        decodeContentHeader(payload);
      } catch (e) {
        expect(e).toBeInstanceOf(BrokerError);
      }
    }
  });
});
