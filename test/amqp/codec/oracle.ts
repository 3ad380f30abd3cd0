/** Converting between our values and amqplib's conventions, for the oracle cross-checks. */
import type { HeaderTable, HeaderValue, TypedHeaderValue } from '../../../src/core/message';
import type { MethodFieldType } from '../../../protocols/amqp/codec';

function isTypedValue(v: object): v is TypedHeaderValue {
  return !Array.isArray(v) && !Buffer.isBuffer(v) && 'amqpType' in v && 'value' in v && Object.keys(v).length === 2;
}

const AMQPLIB_TYPE: Record<string, string> = {
  b: 'int8',
  B: 'uint8',
  s: 'int16',
  u: 'uint16',
  I: 'int32',
  i: 'uint32',
  l: 'int64',
  f: 'float',
  d: 'double',
  T: 'timestamp',
};

/** Our value → amqplib's input form, forcing the tag we would choose (amqplib picks b/s/I/l by magnitude). */
export function toAmqplibValue(v: HeaderValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || Buffer.isBuffer(v)) return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return { '!': 'int32', value: v };
    if (Number.isInteger(v)) return { '!': 'int64', value: v };
    return { '!': 'double', value: v };
  }
  if (typeof v === 'bigint') return { '!': 'int64', value: v };
  if (Array.isArray(v)) return v.map(toAmqplibValue);
  if (isTypedValue(v)) {
    if (v.amqpType === 'D') {
      const d = v.value as { scale: number; value: number };
      return { '!': 'decimal', value: { places: d.scale, digits: d.value } };
    }
    if (v.amqpType === 't') return v.value;
    const t = AMQPLIB_TYPE[v.amqpType];
    if (t === undefined) throw new Error(`amqplib cannot encode '${v.amqpType}'`);
    return { '!': t, value: v.value };
  }
  return toAmqplibTable(v);
}

export function toAmqplibTable(t: HeaderTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(t)) out[k] = toAmqplibValue(t[k]);
  return out;
}

/** Our value → what amqplib's decoder produces for the same bytes. */
export function asAmqplibDecodes(v: HeaderValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number' || Buffer.isBuffer(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(asAmqplibDecodes);
  if (isTypedValue(v)) {
    if (v.amqpType === 'D') {
      const d = v.value as { scale: number; value: number };
      return { '!': 'decimal', value: { places: d.scale, digits: d.value } };
    }
    if (v.amqpType === 'T') return { '!': 'timestamp', value: Number(v.value) };
    if (typeof v.value === 'bigint') return Number(v.value);
    return v.value;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = asAmqplibDecodes(v[k]);
  return out;
}

/** Method argument value → amqplib's input form (longstr is always a Buffer there). */
export function argToAmqplib(type: MethodFieldType, v: unknown): unknown {
  if (type === 'longstr' && typeof v === 'string') return Buffer.from(v, 'utf8');
  if (type === 'table') return toAmqplibTable(v as HeaderTable);
  return v;
}

export function argAsAmqplibDecodes(type: MethodFieldType, v: unknown): unknown {
  if (type === 'longstr' && typeof v === 'string') return Buffer.from(v, 'utf8');
  if (type === 'table') return asAmqplibDecodes(v as HeaderTable);
  return v;
}

/** Table without the types amqplib has no encoding for ('L', 'S' carrying non-UTF-8 bytes). */
export function amqplibCompatible(t: HeaderTable): HeaderTable {
  const out: HeaderTable = {};
  for (const k of Object.keys(t)) {
    const v = t[k];
    if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && isTypedValue(v)) {
      if (v.amqpType === 'L' || v.amqpType === 'S') continue;
    }
    out[k] = v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !Array.isArray(v) && !isTypedValue(v) ? amqplibCompatible(v) : v;
  }
  return out;
}
