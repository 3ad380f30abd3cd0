/**
 * Publishers repeat their exchange and routing key: when a name's bytes equal the previous one's, its string is
 * reused instead of decoded (and allocated) again for every message. The byte buffer is allocated by the first
 * read (most channels of a connection-heavy broker never publish).
 */
import { readUtf8 } from './codec/primitives';

/** Longest name compared with the previous one before decoding; longer names are decoded every time. */
export const REPEATED_NAME_MAX_BYTES = 64;

export class RepeatedName {
  private bytes: Buffer | null = null;
  private len = -1;
  private value = '';

  /** The UTF-8 string in p[at..at+len). */
  read(p: Buffer, at: number, len: number): string {
    const last = this.bytes;
    if (last !== null && len === this.len && sameBytes(p, at, last, len)) return this.value;
    const s = readUtf8(p, at, at + len);
    if (len <= REPEATED_NAME_MAX_BYTES) {
      const buf = last ?? (this.bytes = Buffer.alloc(REPEATED_NAME_MAX_BYTES));
      p.copy(buf, 0, at, at + len);
      this.len = len;
      this.value = s;
    }
    return s;
  }
}

/** Whether a[at..at+len) equals b[0..len) (short names: a loop beats a native call). */
function sameBytes(a: Buffer, at: number, b: Buffer, len: number): boolean {
  for (let i = 0; i < len; i++) if (a[at + i] !== b[i]) return false;
  return true;
}
