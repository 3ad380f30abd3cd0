import type { AppendRecord, StoredRecord } from './types';

/** Bytes a record accounts for in maxBytes reads, retention by bytes and sizeBytes(): its payload fields. */
export function recordBytes(r: AppendRecord | StoredRecord): number {
  return r.value.length + (r.key === null ? 0 : r.key.length) + (r.headers === null ? 0 : r.headers.length);
}
