/** Shared helpers for the AMQP codec tests: hex fixtures, a seeded PRNG, sample arguments, the oracles. */
import * as path from 'node:path';
import type { HeaderTable, HeaderValue } from '../../../src/core/message';
import { METHOD_INFO, type AmqpMethod, type AmqpMethodName, type MethodFieldType } from '../../../protocols/amqp/codec';
import { repoRoot } from '../../../protocols/amqp/codec/generate';
export { mulberry32 as rng } from '../../helpers/prng';

/** "01 00 0a" → bytes; whitespace and `|` separators are ignored. */
export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
}

export function ascii(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

export function randInt(r: () => number, maxInclusive: number): number {
  return Math.floor(r() * (maxInclusive + 1));
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:/ é✓';

export function randString(r: () => number, maxChars: number, asciiOnly = false): string {
  const n = randInt(r, maxChars);
  const chars = asciiOnly ? ALPHABET.slice(0, ALPHABET.length - 3) : ALPHABET;
  let s = '';
  for (let i = 0; i < n; i++) s += chars[randInt(r, chars.length - 1)];
  return s;
}

/** A table of value types amqplib encodes with the same tags we do (so byte comparisons are meaningful). */
export function portableTable(r: () => number, depth = 0): HeaderTable {
  const t: HeaderTable = {};
  const n = randInt(r, 5);
  for (let i = 0; i < n; i++) {
    const key = randString(r, 10, true) + i;
    const kind = randInt(r, depth < 2 ? 9 : 6);
    const v: HeaderValue = [
      () => randString(r, 20),
      () => r() < 0.5,
      () => 0x8000 + randInt(r, 0x7fff0000),
      () => -(0x8001 + randInt(r, 0x7fff0000)),
      () => BigInt(2 ** 33 + randInt(r, 2 ** 40)),
      () => randInt(r, 1000) + 0.5,
      () => null,
      () => Buffer.from([randInt(r, 255), randInt(r, 255)]),
      () => [randString(r, 5, true), true, null, 0x10000],
      () => portableTable(r, depth + 1),
    ][kind]();
    t[key] = v;
  }
  return t;
}

/** Sample argument values per wire type; variant 0 = minimal, 1 = maximal, ≥2 = seeded random. */
export function sampleValue(type: MethodFieldType, variant: number, r: () => number, portable = false): unknown {
  switch (type) {
    case 'bit':
      return variant === 0 ? false : variant === 1 ? true : r() < 0.5;
    case 'octet':
      return variant === 0 ? 0 : variant === 1 ? 255 : randInt(r, 255);
    case 'short':
      return variant === 0 ? 0 : variant === 1 ? 0xffff : randInt(r, 0xffff);
    case 'long':
      return variant === 0 ? 0 : variant === 1 ? 0xffffffff : randInt(r, 0xffffffff);
    case 'longlong':
    case 'timestamp':
      return variant === 0 ? 0 : variant === 1 ? Number.MAX_SAFE_INTEGER : randInt(r, 2 ** 52);
    case 'shortstr':
      // 127 two-byte chars + 1 = exactly 255 bytes.
      return variant === 0 ? '' : variant === 1 ? 'é'.repeat(127) + 'x' : randString(r, 40);
    case 'longstr':
      return variant === 0 ? '' : variant === 1 ? 'long ✓ '.repeat(100) : randString(r, 300);
    case 'longstr-bytes':
      return variant === 0
        ? Buffer.alloc(0)
        : variant === 1
          ? Buffer.from(Array.from({ length: 256 }, (_, i) => i))
          : Buffer.from(Array.from({ length: randInt(r, 64) }, () => randInt(r, 255)));
    case 'table':
      return variant === 0 ? {} : portable || variant >= 2 ? portableTable(r) : richTable();
  }
}

/** Every field-table type we support, nested. */
export function richTable(): HeaderTable {
  return {
    str: 'text ✓',
    int: -123456,
    bool: true,
    no: false,
    big: -(2n ** 62n),
    dbl: 3.25,
    void: null,
    bytes: Buffer.from([0, 1, 2, 255]),
    i8: { amqpType: 'b', value: -128 },
    u8: { amqpType: 'B', value: 255 },
    i16: { amqpType: 's', value: -32768 },
    u16: { amqpType: 'u', value: 65535 },
    u32: { amqpType: 'i', value: 0xffffffff },
    f32: { amqpType: 'f', value: 1.5 },
    d64int: { amqpType: 'd', value: 2 },
    dec: { amqpType: 'D', value: { scale: 2, value: 12345 } },
    ts: { amqpType: 'T', value: 1_700_000_000 },
    bigL: { amqpType: 'L', value: 5n },
    rawS: { amqpType: 'S', value: Buffer.from([0xff, 0xfe]) },
    arr: [1, 'two', [true, null], { nested: { deeper: 'yes' } }, { amqpType: 'b', value: 7 }],
    table: { a: { b: { c: 1 } }, empty: {}, emptyArr: [] },
  };
}

export function sampleMethod(name: AmqpMethodName, variant: number, r: () => number, portable = false): AmqpMethod {
  const info = METHOD_INFO[name];
  const args: Record<string, unknown> = {};
  for (const f of info.fields) args[f.name] = sampleValue(f.type, variant, r, portable);
  return { name, classId: info.classId, methodId: info.methodId, args } as AmqpMethod;
}

export const ALL_METHOD_NAMES = Object.keys(METHOD_INFO) as AmqpMethodName[];

// ---------------------------------------------------------------------------------------------------------
// Oracles: amqplib's generated defs.js and bramqp's parser, loaded by path (their package exports hide them).

export interface AmqplibDefs {
  encodeMethod(id: number, channel: number, fields: Record<string, unknown>): Buffer;
  decode(id: number, buf: Buffer): Record<string, unknown>;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  info(id: number): { name: string; classId?: number; methodId?: number; args: Array<{ name: string; type: string }> };
}

export function loadAmqplibDefs(): AmqplibDefs {
  const mod: unknown = require(path.join(repoRoot(), 'node_modules/amqplib/lib/defs.js'));
  return mod as AmqplibDefs;
}

export function amqplibId(classId: number, methodId: number): number {
  return classId * 65536 + methodId;
}
