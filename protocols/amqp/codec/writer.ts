/**
 * A growable byte writer for the variable-size parts of the codec (field tables, content headers). It writes
 * into one buffer and grows by doubling, so encoding a nested table never concatenates per field. One shared
 * scratch instance is reused by encoders that copy their result out (`take()`), which is safe because encoding
 * is synchronous and never re-enters across encoders.
 */
import { BrokerError } from '../../../src/core/errors';
import { copyInto, utf8Length, writeUtf8 } from './primitives';

/** Initial scratch size; grows on demand. */
const WRITER_INITIAL_BYTES = 4096;
/** A scratch writer grown past this is replaced after use, so one huge table does not pin memory forever. */
const WRITER_RETAIN_MAX_BYTES = 1024 * 1024;
/** Upper bound for anything the codec encodes into one buffer (a frame never exceeds 2^32 - 1 bytes). */
export const WRITER_MAX_BYTES = 0xffff_ffff;

export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = WRITER_INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  reset(): void {
    this.pos = 0;
    if (this.buf.length > WRITER_RETAIN_MAX_BYTES) this.buf = Buffer.allocUnsafe(WRITER_INITIAL_BYTES);
  }

  ensure(count: number): void {
    const needed = this.pos + count;
    if (needed <= this.buf.length) return;
    if (needed > WRITER_MAX_BYTES) throw new BrokerError('INTERNAL_ERROR', `encoded value exceeds ${WRITER_MAX_BYTES} bytes`);
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(Math.min(size, WRITER_MAX_BYTES));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }

  /** Writes a UTF-8 string with an 8-bit length prefix; the caller has checked the length. */
  shortStr(s: string, byteLen: number): void {
    this.ensure(1 + byteLen);
    this.buf[this.pos] = byteLen;
    this.pos = writeUtf8(this.buf, s, this.pos + 1, byteLen);
  }

  /** Writes a UTF-8 string with a 32-bit length prefix. */
  longStr(s: string): void {
    const byteLen = utf8Length(s);
    this.ensure(4 + byteLen);
    this.buf.writeUInt32BE(byteLen, this.pos);
    this.pos = writeUtf8(this.buf, s, this.pos + 4, byteLen);
  }

  bytes(b: Buffer): void {
    this.ensure(b.length);
    copyInto(this.buf, this.pos, b);
    this.pos += b.length;
  }

  /** Copies the written bytes out into a buffer of their exact size. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    copyInto(out, 0, this.buf.subarray(0, this.pos));
    return out;
  }
}

/** The shared scratch writer (see the module comment for why sharing is safe). */
export const scratch = new Writer(64 * 1024);
