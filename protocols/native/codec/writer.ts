/**
 * Builds one frame in one buffer: the header is reserved up front and the length patched in at the end, so a
 * frame is written with a single socket write and no concatenation. Big-endian throughout.
 */
import { FRAME_HEADER_BYTES, LENGTH_PREFIX_BYTES, PROTOCOL_VERSION } from '../constants';

const INITIAL_BYTES = 256;

/*
 * The put* helpers store bytes by index instead of calling writeInt32BE & co. and copy with TypedArray `set`
 * instead of Buffer#copy: they run per field of every record (FETCH answers, PRODUCE batches), and the Buffer
 * methods' argument checks and wrappers cost more than the store itself at 100 B records. Callers reserve the
 * room first (FrameWriter.reserve), so the positions are always inside the buffer.
 */

/** Writes a big-endian i32 (an unsigned value up to 2^32 - 1 gives the same bytes) at `at`. */
export function putI32(buf: Buffer, v: number, at: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

/** Writes a JS safe integer as a big-endian i64; the hi/lo split avoids a BigInt allocation per field. */
export function putI64(buf: Buffer, v: number, at: number): void {
  const hi = Math.floor(v / 0x1_0000_0000);
  putI32(buf, hi, at);
  putI32(buf, v - hi * 0x1_0000_0000, at + 4);
}

/** Writes i32 length (-1 = null) + bytes at `at`; returns the position after them. */
export function putBytes(buf: Buffer, v: Buffer | null, at: number): number {
  if (v === null) {
    putI32(buf, -1, at);
    return at + 4;
  }
  putI32(buf, v.length, at);
  buf.set(v, at + 4);
  return at + 4 + v.length;
}

export class FrameWriter {
  private buf: Buffer;
  private pos: number;

  constructor(type: number, correlationId: number, sizeHintBytes = INITIAL_BYTES) {
    this.buf = Buffer.allocUnsafe(Math.max(sizeHintBytes, LENGTH_PREFIX_BYTES + FRAME_HEADER_BYTES + 16));
    this.buf.writeUInt8(PROTOCOL_VERSION, 4);
    this.buf.writeUInt8(type, 5);
    this.buf.writeUInt32BE(correlationId >>> 0, 6);
    this.pos = LENGTH_PREFIX_BYTES + FRAME_HEADER_BYTES;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** Offsets and timestamps: a signed 64-bit integer carrying a JS safe integer. */
  i64(v: number): this {
    this.ensure(8);
    putI64(this.buf, v, this.pos);
    this.pos += 8;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** u16 byte length + UTF-8. */
  str(v: string): this {
    const n = Buffer.byteLength(v, 'utf8');
    if (n > 0xffff) throw new RangeError(`string of ${n} bytes exceeds 65535`);
    this.ensure(2 + n);
    this.buf.writeUInt16BE(n, this.pos);
    this.buf.write(v, this.pos + 2, n, 'utf8');
    this.pos += 2 + n;
    return this;
  }

  /** u32 byte length + UTF-8 (JSON documents). */
  longStr(v: string): this {
    return this.bytes(Buffer.from(v, 'utf8'));
  }

  /** i32 length (-1 = null) + bytes. */
  bytes(v: Buffer | null): this {
    if (v === null) return this.i32(-1);
    this.ensure(4 + v.length);
    this.buf.writeInt32BE(v.length, this.pos);
    v.copy(this.buf, this.pos + 4);
    this.pos += 4 + v.length;
    return this;
  }

  raw(v: Buffer): this {
    this.ensure(v.length);
    v.copy(this.buf, this.pos);
    this.pos += v.length;
    return this;
  }

  /**
   * Reserves n bytes for the caller to fill through `buffer` at the returned position (hot record paths: one
   * capacity check per record instead of one per field). `buffer` is only valid until the next write.
   */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  get buffer(): Buffer {
    return this.buf;
  }

  /** Bytes written so far, frame header included. */
  get sizeBytes(): number {
    return this.pos;
  }

  /** Patches the length prefix and returns the frame (a view, not a copy). */
  finish(): Buffer {
    this.buf.writeUInt32BE(this.pos - LENGTH_PREFIX_BYTES, 0);
    return this.buf.subarray(0, this.pos);
  }
}
