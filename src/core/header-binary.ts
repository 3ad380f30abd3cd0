/**
 * A compact, lossless binary form of a HeaderTable, used in message record metadata (record-codec.ts, record
 * kind 3). It replaced tagged JSON there: building the JSON tree, stringifying and UTF-8 encoding it was 12 % of
 * the broker's CPU per MQTT QoS 0 message (two small headers). Same values survive as with header-json.ts
 * (Buffers, bigints, typed AMQP values, decimals); in addition NaN, ±Infinity and -0 survive (JSON made them null
 * or 0), and plain tables whose keys look like JSON tags ("$b", "$n", "$t") are not mistaken for tagged values.
 *
 * Every value is one tag byte and its body; lengths and counts are unsigned LEB128 varints:
 *   0 null · 1 true · 2 false · 3 string (len, UTF-8) · 4 int32 (BE) · 5 float64 (BE) · 6 bigint (len, decimal
 *   ASCII) · 7 bytes (len, bytes) · 8 array (count, values) · 9 table (count, then key (len, UTF-8) + value) ·
 *   10 typed (u8 len + AMQP type tag, value) · 11 decimal (float64 scale, float64 value; only inside typed 'D').
 */
import { BrokerError } from './errors';
import type { HeaderTable, HeaderValue, TypedHeaderValue } from './message';

const T_NULL = 0;
const T_TRUE = 1;
const T_FALSE = 2;
const T_STRING = 3;
const T_INT32 = 4;
const T_FLOAT64 = 5;
const T_BIGINT = 6;
const T_BYTES = 7;
const T_ARRAY = 8;
const T_TABLE = 9;
const T_TYPED = 10;
const T_DECIMAL = 11;

/** Nesting deeper than this is refused on encode and treated as corruption on decode (no stack overflow). */
export const HEADER_NESTING_MAX = 64;
/** Initial size of the shared encode buffer; it doubles as needed. */
const SCRATCH_INITIAL_BYTES = 4096;
/** Strings up to this many characters are copied by a byte loop when ASCII (cheaper than the native UTF-8 call). */
const ASCII_LOOP_MAX_CHARS = 64;

/**
 * One encode buffer for the process (encoding is synchronous; the result is copied out by the caller before the
 * next encode), so a message's headers cost no allocation of their own.
 */
let scratch = Buffer.allocUnsafe(SCRATCH_INITIAL_BYTES);
let pos = 0;

function ensure(n: number): void {
  if (pos + n <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < pos + n) size *= 2;
  const grown = Buffer.allocUnsafe(size);
  scratch.copy(grown, 0, 0, pos);
  scratch = grown;
}

function writeVarint(n: number): void {
  ensure(5);
  while (n >= 0x80) {
    scratch[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  scratch[pos++] = n;
}

function writeString(s: string): void {
  const len = s.length;
  if (len <= ASCII_LOOP_MAX_CHARS) {
    ensure(1 + len);
    // Optimistic ASCII copy after a one-byte length (len ≤ 64 < 128); undone if a non-ASCII character shows up.
    const start = pos;
    scratch[pos++] = len;
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[pos++] = c;
    }
    if (i === len) return;
    pos = start;
  }
  const n = Buffer.byteLength(s, 'utf8');
  writeVarint(n);
  ensure(n);
  pos += scratch.write(s, pos, n, 'utf8');
}

function isTyped(v: object): v is TypedHeaderValue {
  return 'amqpType' in v && typeof (v as { amqpType: unknown }).amqpType === 'string' && 'value' in v;
}

function isDecimal(v: unknown): v is { scale: number; value: number } {
  return v !== null && typeof v === 'object' && 'scale' in v && typeof (v as { scale: unknown }).scale === 'number';
}

function writeFloat64(n: number): void {
  ensure(9);
  scratch[pos++] = T_FLOAT64;
  scratch.writeDoubleBE(n, pos);
  pos += 8;
}

function writeValue(v: HeaderValue | undefined, depth: number): void {
  if (depth > HEADER_NESTING_MAX) throw new BrokerError('SYNTAX_ERROR', `header values nested deeper than ${HEADER_NESTING_MAX}`);
  if (v === null || v === undefined) {
    ensure(1);
    scratch[pos++] = T_NULL;
    return;
  }
  switch (typeof v) {
    case 'string':
      ensure(1);
      scratch[pos++] = T_STRING;
      writeString(v);
      return;
    case 'number':
      if ((v | 0) === v && !Object.is(v, -0)) {
        ensure(5);
        scratch[pos++] = T_INT32;
        scratch.writeInt32BE(v, pos);
        pos += 4;
      } else writeFloat64(v);
      return;
    case 'boolean':
      ensure(1);
      scratch[pos++] = v ? T_TRUE : T_FALSE;
      return;
    case 'bigint':
      ensure(1);
      scratch[pos++] = T_BIGINT;
      writeString(v.toString());
      return;
    default:
      break;
  }
  if (Buffer.isBuffer(v)) {
    ensure(1);
    scratch[pos++] = T_BYTES;
    writeVarint(v.length);
    ensure(v.length);
    pos += v.copy(scratch, pos);
    return;
  }
  if (Array.isArray(v)) {
    ensure(1);
    scratch[pos++] = T_ARRAY;
    writeVarint(v.length);
    for (let i = 0; i < v.length; i++) writeValue(v[i], depth + 1);
    return;
  }
  if (typeof v !== 'object') {
    // Not a HeaderValue (a function, a symbol): stored as null, as JSON would drop or null it.
    ensure(1);
    scratch[pos++] = T_NULL;
    return;
  }
  if (isTyped(v)) {
    const tag = v.amqpType;
    const tagBytes = Buffer.byteLength(tag, 'utf8');
    if (tagBytes > 255) throw new BrokerError('SYNTAX_ERROR', 'AMQP type tag longer than 255 bytes');
    ensure(2 + tagBytes);
    scratch[pos++] = T_TYPED;
    scratch[pos++] = tagBytes;
    pos += scratch.write(tag, pos, tagBytes, 'utf8');
    const inner = v.value;
    if (tag === 'D' && isDecimal(inner)) {
      ensure(17);
      scratch[pos++] = T_DECIMAL;
      scratch.writeDoubleBE(inner.scale, pos);
      scratch.writeDoubleBE(inner.value, pos + 8);
      pos += 16;
    } else writeValue(inner as HeaderValue, depth + 1);
    return;
  }
  writeTable(v as HeaderTable, depth);
}

function writeTable(t: HeaderTable, depth: number): void {
  ensure(2);
  scratch[pos++] = T_TABLE;
  // One pass: a one-byte count is reserved and patched; 128 entries or more need a longer varint, so the
  // entries are moved up to make room (rare).
  const countAt = pos++;
  let count = 0;
  for (const k in t) {
    if (!Object.prototype.hasOwnProperty.call(t, k)) continue;
    count++;
    writeString(k);
    writeValue(t[k], depth + 1);
  }
  if (count < 0x80) {
    scratch[countAt] = count;
    return;
  }
  const entriesEnd = pos;
  const extra = varintBytes(count) - 1;
  ensure(extra);
  scratch.copyWithin(countAt + 1 + extra, countAt + 1, entriesEnd);
  pos = countAt;
  writeVarint(count);
  pos = entriesEnd + extra;
}

function varintBytes(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n >>>= 7;
    bytes++;
  }
  return bytes;
}

/**
 * The last table encoded whose values are all primitives (strings, numbers, booleans, null, bigints): its names
 * and values in order and its bytes. Publishers send runs of messages with the same headers (MQTT: publish QoS
 * and client id), and comparing a few values costs a tenth of encoding them again.
 */
let lastNames: string[] = [];
let lastValues: HeaderValue[] = [];
let lastBytes: Buffer | null = null;
/** Tables with more entries than this are not remembered (comparing them would cost about what encoding does). */
const REMEMBERED_TABLE_ENTRIES_MAX = 16;
/**
 * After this many misses in a row the headers evidently change per message (a sequence number, a message id):
 * from then on only every REMEMBER_EVERY_AFTER_MISSES-th table is remembered, so such traffic does not pay for
 * copies it never reuses.
 */
const MISSES_BEFORE_BACKOFF = 8;
const REMEMBER_EVERY_AFTER_MISSES = 16;
let missRun = 0;

function sameAsLast(t: HeaderTable): boolean {
  if (lastBytes === null) return false;
  let i = 0;
  for (const k in t) {
    if (!Object.prototype.hasOwnProperty.call(t, k)) continue;
    if (i >= lastNames.length || k !== lastNames[i]) return false;
    const v = t[k];
    const w = lastValues[i];
    // -0 and 0 are === but encode differently; NaN never matches (encoded again, which is fine).
    if (v !== w || (v === 0 && 1 / (v as number) !== 1 / (w as number))) return false;
    i++;
  }
  return i === lastNames.length;
}

function remember(t: HeaderTable, bytes: Buffer): void {
  const names: string[] = [];
  const values: HeaderValue[] = [];
  for (const k in t) {
    if (!Object.prototype.hasOwnProperty.call(t, k)) continue;
    const v = t[k];
    if (names.length === REMEMBERED_TABLE_ENTRIES_MAX || (v !== null && typeof v === 'object')) {
      lastBytes = null;
      return;
    }
    names.push(k);
    values.push(v);
  }
  lastNames = names;
  lastValues = values;
  lastBytes = Buffer.from(bytes);
}

/**
 * Encodes `t` and returns the bytes: a view of the shared scratch buffer (or of the remembered last encoding),
 * valid only until the next call, so the caller copies it (into the record metadata it is building).
 */
export function encodeHeaderTableScratch(t: HeaderTable): Buffer {
  if (sameAsLast(t)) {
    missRun = 0;
    return lastBytes as Buffer;
  }
  pos = 0;
  writeTable(t, 0);
  const bytes = scratch.subarray(0, pos);
  missRun++;
  if (missRun <= MISSES_BEFORE_BACKOFF || missRun % REMEMBER_EVERY_AFTER_MISSES === 0) remember(t, bytes);
  return bytes;
}

/** Encodes `t` into a buffer of its own. */
export function encodeHeaderTable(t: HeaderTable): Buffer {
  return Buffer.from(encodeHeaderTableScratch(t));
}

// ---------------------------------------------------------------------------------------------- decoding

function corrupt(what: string): BrokerError {
  return new BrokerError('STORAGE_CORRUPT', `binary headers: ${what}`);
}

class Reader {
  constructor(
    readonly b: Buffer,
    public o: number,
    readonly end: number,
  ) {}

  need(n: number): void {
    if (this.o + n > this.end) throw corrupt('truncated');
  }

  u8(): number {
    this.need(1);
    return this.b[this.o++];
  }

  varint(): number {
    let n = 0;
    let shift = 0;
    for (;;) {
      const byte = this.u8();
      n += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return n;
      shift += 7;
      if (shift > 28) throw corrupt('varint too long');
    }
  }

  string(): string {
    const n = this.varint();
    this.need(n);
    const s = this.b.toString('utf8', this.o, this.o + n);
    this.o += n;
    return s;
  }

  f64(): number {
    this.need(8);
    const v = this.b.readDoubleBE(this.o);
    this.o += 8;
    return v;
  }
}

function readValue(r: Reader, depth: number): HeaderValue {
  if (depth > HEADER_NESTING_MAX) throw corrupt('nested too deep');
  const tag = r.u8();
  switch (tag) {
    case T_NULL:
      return null;
    case T_TRUE:
      return true;
    case T_FALSE:
      return false;
    case T_STRING:
      return r.string();
    case T_INT32: {
      r.need(4);
      const v = r.b.readInt32BE(r.o);
      r.o += 4;
      return v;
    }
    case T_FLOAT64:
      return r.f64();
    case T_BIGINT:
      return BigInt(r.string());
    case T_BYTES: {
      const n = r.varint();
      r.need(n);
      // A copy: the record's metadata buffer may be a view of a larger read buffer that must not stay pinned.
      const v = Buffer.from(r.b.subarray(r.o, r.o + n));
      r.o += n;
      return v;
    }
    case T_ARRAY: {
      const n = r.varint();
      if (n > r.end - r.o) throw corrupt('array longer than the data');
      const out: HeaderValue[] = new Array<HeaderValue>(n);
      for (let i = 0; i < n; i++) out[i] = readValue(r, depth + 1);
      return out;
    }
    case T_TABLE:
      return readTableBody(r, depth);
    case T_TYPED: {
      const n = r.u8();
      r.need(n);
      const amqpType = r.b.toString('utf8', r.o, r.o + n);
      r.o += n;
      r.need(1);
      if (r.b[r.o] === T_DECIMAL) {
        r.o += 1;
        const scale = r.f64();
        return { amqpType, value: { scale, value: r.f64() } };
      }
      return { amqpType, value: readValue(r, depth + 1) };
    }
    default:
      throw corrupt(`unknown tag ${tag}`);
  }
}

function readTableBody(r: Reader, depth: number): HeaderTable {
  const n = r.varint();
  if (n > r.end - r.o) throw corrupt('table longer than the data');
  const out: HeaderTable = {};
  for (let i = 0; i < n; i++) {
    const k = r.string();
    const v = readValue(r, depth + 1);
    // A key named __proto__ is data, not the object's prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    else out[k] = v;
  }
  return out;
}

/** Decodes a table written by encodeHeaderTable from `b[start, end)`. */
export function decodeHeaderTable(b: Buffer, start = 0, end = b.length): HeaderTable {
  const r = new Reader(b, start, end);
  if (r.u8() !== T_TABLE) throw corrupt('not a table');
  const t = readTableBody(r, 0);
  if (r.o !== end) throw corrupt('trailing bytes');
  return t;
}
