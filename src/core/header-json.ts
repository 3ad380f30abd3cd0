/**
 * A lossless JSON form of HeaderValue (Buffers, bigints and typed AMQP values survive), used where header tables
 * are stored: record metadata and the metadata store. Tags are "$b" (bytes, base64), "$n" (bigint), "$t" (typed).
 */
import type { HeaderTable, HeaderValue, TypedHeaderValue } from './message';

type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

function isTyped(v: object): v is TypedHeaderValue {
  return 'amqpType' in v && typeof (v as { amqpType: unknown }).amqpType === 'string' && 'value' in v;
}

export function headerToJson(v: HeaderValue | { scale: number; value: number }): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return { $n: v.toString() };
  if (Buffer.isBuffer(v)) return { $b: v.toString('base64') };
  if (Array.isArray(v)) return v.map(headerToJson);
  if (isTyped(v)) return { $t: v.amqpType, v: headerToJson(v.value) };
  const out: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) out[k] = headerToJson(x as HeaderValue);
  return out;
}

export function headerFromJson(v: unknown): HeaderValue {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(headerFromJson);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$b === 'string') return Buffer.from(o.$b, 'base64');
    if (typeof o.$n === 'string') return BigInt(o.$n);
    if (typeof o.$t === 'string') {
      const inner = o.v;
      if (o.$t === 'D' && inner !== null && typeof inner === 'object' && 'scale' in inner) {
        const d = inner as { scale: number; value: number };
        return { amqpType: 'D', value: { scale: d.scale, value: d.value } };
      }
      return { amqpType: o.$t, value: headerFromJson(inner) };
    }
    const out: HeaderTable = {};
    for (const [k, x] of Object.entries(o)) out[k] = headerFromJson(x);
    return out;
  }
  return null;
}

export function tableToJsonString(t: HeaderTable): string {
  return JSON.stringify(headerToJson(t));
}

export function tableFromJsonString(s: string): HeaderTable {
  const v = headerFromJson(JSON.parse(s));
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v) ? (v as HeaderTable) : {};
}
