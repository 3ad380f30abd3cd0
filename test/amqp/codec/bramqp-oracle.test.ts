/**
 * bramqp's parser (driven by the same RabbitMQ XML, via xml2js) as a second, independent oracle for the
 * methods the XML defines and for content headers. Only where it is lossless: it turns longstr into text,
 * longlong into a double, D into a plain number, T into a Date and V into undefined, and it checks the spec's
 * assertions (notnull, exchange-name regexp), so samples stay inside what it can represent.
 */
import * as path from 'node:path';
import type { HeaderTable, HeaderValue } from '../../../src/core/message';
import {
  encodeContentHeaderFrame,
  encodeMethod,
  METHOD_INFO,
  type AmqpMethod,
  type AmqpMethodName,
  type MethodFieldType,
} from '../../../protocols/amqp/codec';
import { parseSpec, readSpec, repoRoot } from '../../../protocols/amqp/codec/generate';
import { randInt, rng } from './helpers';

interface BramqpSpec {
  amqp: unknown;
}
interface BramqpParser {
  on(event: 'method', cb: (channel: number, className: string, method: { name: string }, fields: Record<string, unknown>) => void): void;
  on(event: 'header', cb: (channel: number, className: string, size: number, props: Record<string, unknown>) => void): void;
  on(event: 'error', cb: (e: unknown) => void): void;
  parse(b: Buffer): void;
}
type ParserCtor = new (spec: BramqpSpec) => BramqpParser;

function loadBramqp(): Promise<{ spec: BramqpSpec; Parser: ParserCtor }> {
  const root = repoRoot();
  const specMod = require(path.join(root, 'node_modules/bramqp/lib/specification.js')) as {
    fetchSpecification(p: string, cb: (err: unknown, spec: BramqpSpec) => void): void;
  };
  const Parser = require(path.join(root, 'node_modules/bramqp/lib/frameParser.js')) as ParserCtor;
  return new Promise((resolve, reject) => {
    specMod.fetchSpecification('rabbitmq/full/amqp0-9-1.stripped.extended', (err, spec) => (err ? reject(err) : resolve({ spec, Parser })));
  });
}

const SAFE = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:';

function safeString(r: () => number): string {
  let s = '';
  const n = 1 + randInt(r, 60);
  for (let i = 0; i < n; i++) s += SAFE[randInt(r, SAFE.length - 1)];
  return s;
}

function safeTable(r: () => number, depth = 0): HeaderTable {
  const t: HeaderTable = {};
  const n = randInt(r, 4);
  for (let i = 0; i < n; i++) {
    const k = safeString(r) + i;
    const kind = randInt(r, depth < 2 ? 11 : 10);
    t[k] = [
      () => safeString(r),
      () => r() < 0.5,
      () => randInt(r, 0x7fffffff),
      () => 0.25 + randInt(r, 100),
      () => BigInt(randInt(r, 2 ** 50)),
      () => ({ amqpType: 'b', value: randInt(r, 255) - 128 }),
      () => ({ amqpType: 's', value: randInt(r, 65535) - 32768 }),
      () => ({ amqpType: 'f', value: randInt(r, 1000) + 0.5 }),
      () => ({ amqpType: 'D', value: { scale: randInt(r, 4), value: randInt(r, 0x7fffffff) } }),
      () => ({ amqpType: 'T', value: randInt(r, 2e9) }),
      () => Buffer.from(safeString(r)),
      () => safeTable(r, depth + 1),
    ][kind]();
  }
  return t;
}

/** What bramqp's parser makes of our value: bigint → number, D → number, T → Date, b/s/f → number. */
function asBramqpDecodes(v: HeaderValue): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(asBramqpDecodes);
  if ('amqpType' in v && 'value' in v && Object.keys(v).length === 2) {
    const tv = v as { amqpType: string; value: unknown };
    if (tv.amqpType === 'D') {
      const d = tv.value as { scale: number; value: number };
      return d.value / 10 ** d.scale;
    }
    if (tv.amqpType === 'T') return new Date((tv.value as number) * 1000);
    return tv.value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as HeaderTable)) out[k] = asBramqpDecodes(x);
  return out;
}

/** Non-zero numbers and non-empty strings, so bramqp's notnull assertions pass. */
function sample(type: MethodFieldType, r: () => number): unknown {
  switch (type) {
    case 'bit':
      return r() < 0.5;
    case 'octet':
      return 1 + randInt(r, 254);
    case 'short':
      return 1 + randInt(r, 0xfffe);
    case 'long':
      return 1 + randInt(r, 0xfffffffe);
    case 'longlong':
    case 'timestamp':
      return 1 + randInt(r, 2 ** 40);
    case 'shortstr':
      return safeString(r);
    case 'longstr':
      return safeString(r) + ' ✓';
    case 'longstr-bytes':
      return Buffer.from(safeString(r));
    case 'table':
      return safeTable(r);
  }
}

describe('bramqp as an oracle', () => {
  test('every method of the XML decodes in bramqp to our values', async () => {
    const { spec, Parser } = await loadBramqp();
    const classes = parseSpec(readSpec());
    const r = rng(77);
    let checked = 0;
    for (const name of Object.keys(METHOD_INFO) as AmqpMethodName[]) {
      const [cls, meth] = name.split('.');
      // update-secret and access come from our supplement, not from the XML bramqp reads.
      if (name.startsWith('connection.update-secret') || cls === 'access') continue;
      const specMethod = classes.find((c) => c.name === cls)?.methods.find((m) => m.name === meth);
      if (!specMethod) throw new Error('missing ' + name);
      const info = METHOD_INFO[name];
      for (let round = 0; round < 5; round++) {
        const args: Record<string, unknown> = {};
        for (const f of info.fields) args[f.name] = sample(f.type, r);
        const m = { name, classId: info.classId, methodId: info.methodId, args } as AmqpMethod;
        const seen: Array<Record<string, unknown>> = [];
        const parser = new Parser(spec);
        parser.on('method', (_ch, className, method, fields) => {
          expect(`${className}.${method.name}`).toBe(name);
          seen.push(fields);
        });
        parser.on('error', (e) => {
          throw e;
        });
        parser.parse(encodeMethod(1, m));
        expect(seen).toHaveLength(1);
        // bramqp keys by XML name and drops reserved fields; map ours onto that.
        const expected: Record<string, unknown> = {};
        info.fields.forEach((f, i) => {
          const xmlName = specXmlName(specMethod.fields[i].name);
          if (xmlName === undefined) return;
          const v = args[f.name];
          expected[xmlName] = Buffer.isBuffer(v) ? v.toString('utf8') : f.type === 'table' ? asBramqpDecodes(v as HeaderTable) : v;
        });
        expect(seen[0]).toEqual(expected);
        checked++;
      }
    }
    expect(checked).toBe(5 * (66 - 4));
  });

  test('content headers with every property decode in bramqp to our values', async () => {
    const { spec, Parser } = await loadBramqp();
    const r = rng(78);
    for (let i = 0; i < 50; i++) {
      const props = {
        contentType: safeString(r),
        contentEncoding: safeString(r),
        headers: safeTable(r),
        deliveryMode: 1 + randInt(r, 1),
        priority: 1 + randInt(r, 9),
        correlationId: safeString(r),
        replyTo: safeString(r),
        expiration: String(1 + randInt(r, 99999)),
        messageId: safeString(r),
        timestamp: 1 + randInt(r, 2e9),
        type: safeString(r),
        userId: safeString(r),
        appId: safeString(r),
        clusterId: safeString(r),
      };
      const seen: Array<Record<string, unknown>> = [];
      const parser = new Parser(spec);
      parser.on('header', (_ch, _cls, size, p) => {
        expect(size).toBe(1234);
        seen.push(p);
      });
      parser.on('error', (e) => {
        throw e;
      });
      parser.parse(encodeContentHeaderFrame(1, 60, 1234, props));
      expect(seen).toHaveLength(1);
      const { timestamp, clusterId, ...rest } = props;
      const got = seen[0];
      expect((got.timestamp as Date).getTime()).toBe(timestamp * 1000);
      expect(got.reserved).toBe(clusterId);
      const dashed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rest)) dashed[k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())] = k === 'headers' ? asBramqpDecodes(v as HeaderTable) : v;
      expect({ ...got, timestamp: undefined, reserved: undefined }).toEqual({ ...dashed, timestamp: undefined, reserved: undefined });
    }
  });
});

/** RabbitMQ's names for the spec's reserved fields, which bramqp omits from what it emits. */
const RESERVED = new Set(['ticket', 'capabilities', 'insist', 'known-hosts', 'out-of-band', 'channel-id', 'cluster-id']);

/** The XML name bramqp uses for a field, or undefined for a reserved field. */
function specXmlName(ourSpecName: string): string | undefined {
  return RESERVED.has(ourSpecName) ? undefined : ourSpecName;
}
