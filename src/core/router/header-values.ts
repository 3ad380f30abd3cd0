/**
 * Equality of AMQP header values as RabbitMQ compares them: by value, not by wire type (Erlang `==`), so a
 * binding argument `1` (signed 8-bit) matches a header `1` (long), and a longstr matches the same bytes whether
 * the adapter decoded it as a string or a Buffer. Used by the headers exchange and by argument equivalence checks.
 */
import type { HeaderTable, HeaderValue, TypedHeaderValue } from '../message';

type Decimal = { scale: number; value: number };

function isTyped(v: object): v is TypedHeaderValue {
  return 'amqpType' in v && 'value' in v && typeof (v as { amqpType: unknown }).amqpType === 'string';
}

function isDecimal(v: unknown): v is Decimal {
  return typeof v === 'object' && v !== null && 'scale' in v && 'value' in v && !('amqpType' in v);
}

/** Strips the typed wrapper: the wire type does not take part in comparisons. */
export function unwrapHeaderValue(v: HeaderValue | Decimal): HeaderValue | Decimal {
  let x = v;
  while (typeof x === 'object' && x !== null && !Buffer.isBuffer(x) && !Array.isArray(x) && isTyped(x)) x = x.value;
  return x;
}

/** A header value that means "absent" in RabbitMQ terms: void ('V'). */
export function isVoidHeaderValue(v: HeaderValue): boolean {
  return unwrapHeaderValue(v) === null;
}

function numericEqual(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === typeof b) return a === b;
  const n = typeof a === 'number' ? a : (b as number);
  const big = typeof a === 'bigint' ? a : (b as bigint);
  return Number.isInteger(n) && BigInt(n) === big;
}

function bytesOf(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

export function headerValuesEqual(a0: HeaderValue | Decimal, b0: HeaderValue | Decimal): boolean {
  const a = unwrapHeaderValue(a0);
  const b = unwrapHeaderValue(b0);
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'bigint') && (tb === 'number' || tb === 'bigint')) {
    return numericEqual(a as number | bigint, b as number | bigint);
  }
  if ((ta === 'string' || Buffer.isBuffer(a)) && (tb === 'string' || Buffer.isBuffer(b))) {
    if (ta === 'string' && tb === 'string') return false; // distinct strings (=== failed above)
    return bytesOf(a as string | Buffer).equals(bytesOf(b as string | Buffer));
  }
  if (ta !== 'object' || tb !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!headerValuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return false;
  if (isDecimal(a) || isDecimal(b)) {
    return isDecimal(a) && isDecimal(b) && a.scale === b.scale && a.value === b.value;
  }
  return headerTablesEqual(a as HeaderTable, b as HeaderTable);
}

export function headerTablesEqual(a: HeaderTable, b: HeaderTable): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!headerValuesEqual(a[k], b[k])) return false;
  }
  return true;
}

/** Short human rendering for error texts ("the value '1000' of type 'long'" style, without the type). */
export function describeHeaderValue(v: HeaderValue | undefined): string {
  if (v === undefined) return 'none';
  const x = unwrapHeaderValue(v);
  if (x === null) return "the value 'void'";
  if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' || typeof x === 'bigint') {
    return `the value '${String(x)}'`;
  }
  if (Buffer.isBuffer(x)) return `the value '${x.toString('utf8')}'`;
  return 'a table or array value';
}
