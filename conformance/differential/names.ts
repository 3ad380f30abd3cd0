/**
 * Names for broker objects that are unique per scenario run (so runs never collide on a shared broker) and the
 * normalisation that removes them, and every server-generated name, from observations.
 */
import { randomBytes } from 'node:crypto';
import type { Json } from './types';

/** Prefix of every name a scenario creates; replaced by `<p>` when observed. */
const NAME_PREFIX = 'dcf';

export function uniquePrefix(): string {
  return `${NAME_PREFIX}${randomBytes(5).toString('hex')}`;
}

const SERVER_NAME_PATTERNS: Array<[RegExp, string]> = [
  [/amq\.gen-[A-Za-z0-9_-]+/g, 'amq.gen-*'],
  [/amq\.ctag-[A-Za-z0-9_.-]+/g, 'amq.ctag-*'],
];

/** Replaces the run prefix and server-generated names inside every string of a JSON value. */
export function normalise(value: Json, prefix: string): Json {
  if (typeof value === 'string') {
    let s = value.split(prefix).join('<p>');
    for (const [re, to] of SERVER_NAME_PATTERNS) s = s.replace(re, to);
    return s;
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, prefix));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) out[normalise(k, prefix) as string] = normalise(v, prefix);
    return out;
  }
  return value;
}

/** Converts whatever a client library handed us (Buffers, bigints, Dates, undefined) into plain JSON. */
export function toJson(value: unknown): Json {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return String(value);
}

/** A copy of a JSON object without the given keys (timestamps and other non-deterministic fields). */
export function omit(value: Json, keys: string[]): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value)) if (!keys.includes(k)) out[k] = v;
  return out;
}
