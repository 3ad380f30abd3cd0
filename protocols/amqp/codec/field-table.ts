/**
 * AMQP field tables and arrays with RabbitMQ's type tags (AMQP 0-9-1 §4.2.5.5 as amended by RabbitMQ's errata,
 * "field types" in rabbitmq.com/docs/specification; parser: rabbit_binary_parser:parse_table/1):
 *
 *   t bool  b int8  B uint8  s int16  u uint16  I int32  i uint32  l int64  f float32  d float64
 *   D decimal(scale u8, value u32)  S longstr  x bytes  T timestamp(u64)  F table  A array  V void
 *   (RabbitMQ also parses 'L' as a signed 64-bit value; it never writes it, and it does not know 'U'.)
 *
 * Decoding is lossless: plain JS values where they re-encode to the same bytes (S→string, I→number, t→boolean,
 * l→bigint, d→number when not integral, x→Buffer, F→table, A→array, V→null), and TypedHeaderValue
 * {amqpType, value} for the rest (b B s u i f D T L, an integral 'd', an 'S' that is not valid UTF-8), so
 * encodeFieldTable(decodeFieldTable(bytes)) reproduces the bytes.
 *
 * Errors: a length that runs past its enclosing buffer is FRAME_ERROR (RabbitMQ's "cannot decode"); an unknown
 * type tag or nesting beyond FIELD_TABLE_DEPTH_MAX is SYNTAX_ERROR (illegal field values, AMQP §1.2 502).
 */
import { isUtf8 } from 'node:buffer';
import { BrokerError } from '../../../src/core/errors';
import type { HeaderTable, HeaderValue, TypedHeaderValue } from '../../../src/core/message';
import { readU64, readUtf8, truncated, utf8Length } from './primitives';
import { scratch, Writer } from './writer';

/**
 * Deepest nesting of tables/arrays we decode or encode. RabbitMQ has no such bound, but our decoder recurses
 * on the JS stack, and one frame can otherwise hold thousands of nested 5-byte tables.
 */
export const FIELD_TABLE_DEPTH_MAX = 64;

/** Type tags as char codes. */
const T_BOOL = 0x74; // t
const T_I8 = 0x62; // b
const T_U8 = 0x42; // B
const T_I16 = 0x73; // s
const T_U16 = 0x75; // u
const T_I32 = 0x49; // I
const T_U32 = 0x69; // i
const T_I64 = 0x6c; // l
const T_I64_L = 0x4c; // L
const T_F32 = 0x66; // f
const T_F64 = 0x64; // d
const T_DEC = 0x44; // D
const T_STR = 0x53; // S
const T_BYTES = 0x78; // x
const T_TS = 0x54; // T
const T_TABLE = 0x46; // F
const T_ARRAY = 0x41; // A
const T_VOID = 0x56; // V

/** Cursor shared by the recursive decoder: decoding is synchronous, so one module-level position suffices. */
let pos = 0;

export function decodeFieldTable(buf: Buffer, offset: number): { table: HeaderTable; next: number } {
  if (offset + 4 > buf.length) throw truncated('field table length');
  const len = buf.readUInt32BE(offset);
  const start = offset + 4;
  const end = start + len;
  if (end > buf.length) throw truncated('field table');
  const table = decodeTableBody(buf, start, end, 0);
  return { table, next: end };
}

/** Decodes a table's entries in [start, end). Exported for the generated method codec. */
export function decodeTableBody(buf: Buffer, start: number, end: number, depth: number): HeaderTable {
  if (depth > FIELD_TABLE_DEPTH_MAX) throw tooDeep();
  const table: HeaderTable = {};
  pos = start;
  while (pos < end) {
    const keyLen = buf[pos];
    const keyStart = pos + 1;
    if (keyStart + keyLen + 1 > end) throw truncated('field table key');
    const key = readUtf8(buf, keyStart, keyStart + keyLen);
    pos = keyStart + keyLen;
    const value = decodeValue(buf, end, depth);
    if (key === '__proto__') {
      // A peer-supplied key must never reach the object's prototype.
      Object.defineProperty(table, key, { value, enumerable: true, writable: true, configurable: true });
    } else {
      table[key] = value;
    }
  }
  return table;
}

function decodeArrayBody(buf: Buffer, start: number, end: number, depth: number): HeaderValue[] {
  if (depth > FIELD_TABLE_DEPTH_MAX) throw tooDeep();
  const arr: HeaderValue[] = [];
  pos = start;
  while (pos < end) arr.push(decodeValue(buf, end, depth));
  return arr;
}

function typed(amqpType: string, value: TypedHeaderValue['value']): TypedHeaderValue {
  return { amqpType, value };
}

/** Decodes one tagged value at `pos` (bounded by `end`) and advances `pos`. */
function decodeValue(buf: Buffer, end: number, depth: number): HeaderValue {
  const tag = buf[pos];
  const o = pos + 1;
  switch (tag) {
    case T_STR: {
      if (o + 4 > end) throw truncated('longstr length');
      const len = buf.readUInt32BE(o);
      const s = o + 4;
      if (s + len > end) throw truncated('longstr');
      pos = s + len;
      if (isAscii(buf, s, pos) || isUtf8(buf.subarray(s, pos))) return readUtf8(buf, s, pos);
      return typed('S', Buffer.from(buf.subarray(s, pos)));
    }
    case T_I32:
      fixed(o, 4, end);
      return buf.readInt32BE(o);
    case T_BOOL:
      fixed(o, 1, end);
      return buf[o] !== 0;
    case T_TABLE:
    case T_ARRAY: {
      if (o + 4 > end) throw truncated('nested length');
      const len = buf.readUInt32BE(o);
      const s = o + 4;
      if (s + len > end) throw truncated('nested table');
      const v = tag === T_TABLE ? decodeTableBody(buf, s, s + len, depth + 1) : decodeArrayBody(buf, s, s + len, depth + 1);
      pos = s + len;
      return v;
    }
    case T_I64:
      fixed(o, 8, end);
      return buf.readBigInt64BE(o);
    case T_I64_L:
      fixed(o, 8, end);
      return typed('L', buf.readBigInt64BE(o));
    case T_VOID:
      pos = o;
      if (o > end) throw truncated('void');
      return null;
    case T_BYTES: {
      if (o + 4 > end) throw truncated('bytes length');
      const len = buf.readUInt32BE(o);
      const s = o + 4;
      if (s + len > end) throw truncated('bytes');
      pos = s + len;
      // Copied, so a small header value never pins the whole socket chunk it arrived in.
      return Buffer.from(buf.subarray(s, pos));
    }
    case T_F64: {
      fixed(o, 8, end);
      const v = buf.readDoubleBE(o);
      // An integral double would re-encode as an integer type; keep its tag.
      return Number.isInteger(v) || Object.is(v, -0) ? typed('d', v) : v;
    }
    case T_I8:
      fixed(o, 1, end);
      return typed('b', buf.readInt8(o));
    case T_U8:
      fixed(o, 1, end);
      return typed('B', buf[o]);
    case T_I16:
      fixed(o, 2, end);
      return typed('s', buf.readInt16BE(o));
    case T_U16:
      fixed(o, 2, end);
      return typed('u', buf.readUInt16BE(o));
    case T_U32:
      fixed(o, 4, end);
      return typed('i', buf.readUInt32BE(o));
    case T_F32:
      fixed(o, 4, end);
      return typed('f', buf.readFloatBE(o));
    case T_DEC:
      fixed(o, 5, end);
      return typed('D', { scale: buf[o], value: buf.readUInt32BE(o + 1) });
    case T_TS: {
      fixed(o, 8, end);
      const v = readU64(buf, o);
      return typed('T', Number.isSafeInteger(v) ? v : buf.readBigUInt64BE(o));
    }
    default:
      if (o > end) throw truncated('field value');
      throw new BrokerError('SYNTAX_ERROR', `unknown field table value type '${String.fromCharCode(tag)}' (0x${tag.toString(16)})`);
  }
}

function fixed(o: number, size: number, end: number): void {
  if (o + size > end) throw truncated('field value');
  pos = o + size;
}

function isAscii(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] > 0x7f) return false;
  return true;
}

function tooDeep(): BrokerError {
  return new BrokerError('SYNTAX_ERROR', `field table nesting exceeds ${FIELD_TABLE_DEPTH_MAX} levels`);
}

// ---------------------------------------------------------------------------------------------------------
// Encoding

/** Encodes a table with its 4-byte length prefix, as it appears in a method or a content header. */
export function encodeFieldTable(table: HeaderTable): Buffer {
  scratch.reset();
  writeFieldTable(scratch, table, 0);
  return scratch.take();
}

/** The internal writer: appends a length-prefixed table to `w` without intermediate buffers. */
export function writeFieldTable(w: Writer, table: HeaderTable, depth: number): void {
  if (depth > FIELD_TABLE_DEPTH_MAX) throw tooDeepEncode();
  w.ensure(4);
  const lenAt = w.pos;
  w.pos += 4;
  for (const key in table) {
    if (!Object.prototype.hasOwnProperty.call(table, key)) continue;
    const value = table[key];
    if (value === undefined) continue;
    const keyLen = utf8Length(key);
    if (keyLen > 255) throw new BrokerError('INVALID_ARGUMENT', `field table key of ${keyLen} bytes exceeds 255`);
    w.shortStr(key, keyLen);
    writeValue(w, value, depth);
  }
  w.buf.writeUInt32BE(w.pos - lenAt - 4, lenAt);
}

function writeArray(w: Writer, arr: HeaderValue[], depth: number): void {
  if (depth > FIELD_TABLE_DEPTH_MAX) throw tooDeepEncode();
  w.ensure(4);
  const lenAt = w.pos;
  w.pos += 4;
  for (const v of arr) writeValue(w, v === undefined ? null : v, depth);
  w.buf.writeUInt32BE(w.pos - lenAt - 4, lenAt);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const TWO_POW_63 = 2 ** 63;

function writeValue(w: Writer, v: HeaderValue, depth: number): void {
  switch (typeof v) {
    case 'string':
      w.u8(T_STR);
      w.longStr(v);
      return;
    case 'boolean':
      w.ensure(2);
      w.buf[w.pos] = T_BOOL;
      w.buf[w.pos + 1] = v ? 1 : 0;
      w.pos += 2;
      return;
    case 'number':
      writeNumber(w, v);
      return;
    case 'bigint':
      writeI64(w, T_I64, v);
      return;
    case 'object':
      if (v === null) {
        w.u8(T_VOID);
      } else if (Buffer.isBuffer(v)) {
        w.u8(T_BYTES);
        w.u32(v.length);
        w.bytes(v);
      } else if (Array.isArray(v)) {
        w.u8(T_ARRAY);
        writeArray(w, v, depth + 1);
      } else if (isTyped(v)) {
        writeTyped(w, v, depth);
      } else {
        w.u8(T_TABLE);
        writeFieldTable(w, v as HeaderTable, depth + 1);
      }
      return;
    default:
      throw new BrokerError('INVALID_ARGUMENT', `cannot encode a ${typeof v} in a field table`);
  }
}

/** Plain numbers: an integer that fits 32 bits → I, a larger integer → l, anything else → d. */
function writeNumber(w: Writer, v: number): void {
  w.ensure(9);
  const b = w.buf;
  if (Number.isInteger(v) && !Object.is(v, -0)) {
    if (v >= -0x8000_0000 && v <= 0x7fff_ffff) {
      b[w.pos] = T_I32;
      b.writeInt32BE(v, w.pos + 1);
      w.pos += 5;
      return;
    }
    if (v >= -TWO_POW_63 && v < TWO_POW_63) {
      b[w.pos] = T_I64;
      b.writeBigInt64BE(BigInt(v), w.pos + 1);
      w.pos += 9;
      return;
    }
  }
  b[w.pos] = T_F64;
  b.writeDoubleBE(v, w.pos + 1);
  w.pos += 9;
}

function writeI64(w: Writer, tag: number, v: bigint): void {
  if (v < INT64_MIN || v > INT64_MAX) throw new BrokerError('INVALID_ARGUMENT', `${v} does not fit a signed 64-bit field`);
  w.ensure(9);
  w.buf[w.pos] = tag;
  w.buf.writeBigInt64BE(v, w.pos + 1);
  w.pos += 9;
}

export function isTyped(v: object): v is TypedHeaderValue {
  return (
    !Array.isArray(v) &&
    !Buffer.isBuffer(v) &&
    typeof (v as { amqpType?: unknown }).amqpType === 'string' &&
    'value' in v &&
    Object.keys(v).length === 2
  );
}

function badTyped(t: TypedHeaderValue, expected: string): BrokerError {
  return new BrokerError('INVALID_ARGUMENT', `field table value of type '${t.amqpType}' must be ${expected}`);
}

function intIn(t: TypedHeaderValue, min: number, max: number): number {
  const v = t.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badTyped(t, `an integer in ${min}..${max}`);
  return v;
}

function num(t: TypedHeaderValue): number {
  if (typeof t.value !== 'number') throw badTyped(t, 'a number');
  return t.value;
}

function writeTyped(w: Writer, t: TypedHeaderValue, depth: number): void {
  const v = t.value;
  w.ensure(9);
  const b = w.buf;
  const o = w.pos + 1;
  switch (t.amqpType) {
    case 't':
      if (typeof v !== 'boolean') throw badTyped(t, 'a boolean');
      b[o - 1] = T_BOOL;
      b[o] = v ? 1 : 0;
      w.pos = o + 1;
      return;
    case 'b':
      b[o - 1] = T_I8;
      b.writeInt8(intIn(t, -128, 127), o);
      w.pos = o + 1;
      return;
    case 'B':
      b[o - 1] = T_U8;
      b[o] = intIn(t, 0, 255);
      w.pos = o + 1;
      return;
    case 's':
      b[o - 1] = T_I16;
      b.writeInt16BE(intIn(t, -0x8000, 0x7fff), o);
      w.pos = o + 2;
      return;
    case 'u':
      b[o - 1] = T_U16;
      b.writeUInt16BE(intIn(t, 0, 0xffff), o);
      w.pos = o + 2;
      return;
    case 'I':
      b[o - 1] = T_I32;
      b.writeInt32BE(intIn(t, -0x8000_0000, 0x7fff_ffff), o);
      w.pos = o + 4;
      return;
    case 'i':
      b[o - 1] = T_U32;
      b.writeUInt32BE(intIn(t, 0, 0xffff_ffff), o);
      w.pos = o + 4;
      return;
    case 'l':
    case 'L': {
      const big = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
      if (big === undefined) throw badTyped(t, 'a bigint or a safe integer');
      writeI64(w, t.amqpType === 'l' ? T_I64 : T_I64_L, big);
      return;
    }
    case 'f':
      b[o - 1] = T_F32;
      b.writeFloatBE(num(t), o);
      w.pos = o + 4;
      return;
    case 'd':
      b[o - 1] = T_F64;
      b.writeDoubleBE(num(t), o);
      w.pos = o + 8;
      return;
    case 'D': {
      const d = v as { scale?: unknown; value?: unknown } | null;
      if (
        d === null ||
        typeof d !== 'object' ||
        typeof d.scale !== 'number' ||
        typeof d.value !== 'number' ||
        !Number.isInteger(d.scale) ||
        d.scale < 0 ||
        d.scale > 255 ||
        !Number.isInteger(d.value) ||
        d.value < 0 ||
        d.value > 0xffff_ffff
      ) {
        throw badTyped(t, '{scale: 0..255, value: 0..2^32-1}');
      }
      b[o - 1] = T_DEC;
      b[o] = d.scale;
      b.writeUInt32BE(d.value, o + 1);
      w.pos = o + 5;
      return;
    }
    case 'T': {
      let big: bigint;
      if (typeof v === 'bigint') big = v;
      else if (typeof v === 'number' && Number.isSafeInteger(v)) big = BigInt(v);
      else throw badTyped(t, 'a non-negative integer (seconds)');
      if (big < 0n || big > UINT64_MAX) throw badTyped(t, 'a non-negative integer (seconds)');
      b[o - 1] = T_TS;
      b.writeBigUInt64BE(big, o);
      w.pos = o + 8;
      return;
    }
    case 'S':
      if (typeof v === 'string') {
        w.u8(T_STR);
        w.longStr(v);
      } else if (Buffer.isBuffer(v)) {
        w.u8(T_STR);
        w.u32(v.length);
        w.bytes(v);
      } else throw badTyped(t, 'a string or a Buffer');
      return;
    case 'x':
      if (!Buffer.isBuffer(v)) throw badTyped(t, 'a Buffer');
      w.u8(T_BYTES);
      w.u32(v.length);
      w.bytes(v);
      return;
    case 'V':
      w.u8(T_VOID);
      return;
    case 'F':
      if (v === null || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v)) throw badTyped(t, 'a table');
      w.u8(T_TABLE);
      writeFieldTable(w, v as HeaderTable, depth + 1);
      return;
    case 'A':
      if (!Array.isArray(v)) throw badTyped(t, 'an array');
      w.u8(T_ARRAY);
      writeArray(w, v, depth + 1);
      return;
    default:
      throw new BrokerError('INVALID_ARGUMENT', `unknown field table type '${t.amqpType}'`);
  }
}

function tooDeepEncode(): BrokerError {
  return new BrokerError('INVALID_ARGUMENT', `field table nesting exceeds ${FIELD_TABLE_DEPTH_MAX} levels (or is cyclic)`);
}

/**
 * The numeric value of a header or argument whatever integer/float tag carried it (clients pick tags by
 * magnitude: amqplib sends x-max-priority 10 as 'b', 60000 as 'I'), or undefined when it is not numeric.
 * Lets the adapter read x-arguments without caring about the wire type.
 */
export function headerNumber(v: HeaderValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) && isTyped(v)) {
    const inner = v.value;
    if (typeof inner === 'number') return inner;
    if (typeof inner === 'bigint') return Number(inner);
    if (v.amqpType === 'D' && inner !== null && typeof inner === 'object' && !Array.isArray(inner) && !Buffer.isBuffer(inner)) {
      const d = inner as { scale?: unknown; value?: unknown };
      if (typeof d.scale === 'number' && typeof d.value === 'number') return d.value / 10 ** d.scale;
    }
  }
  return undefined;
}
