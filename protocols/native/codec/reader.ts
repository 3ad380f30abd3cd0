/**
 * Reads a frame body. Every read is bounds-checked: a body that ends early or carries an impossible length is a
 * FRAME_ERROR (the peer sent garbage), never a RangeError.
 */
import { BrokerError } from '../../../src/core/errors';

export class BodyReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new BrokerError('FRAME_ERROR', `frame body truncated at byte ${this.pos} (needs ${n} more)`);
    }
  }

  u8(): number {
    this.need(1);
    const v = this.buf.readUInt8(this.pos);
    this.pos += 1;
    return v;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  // u32 / i32 / i64 assemble the bytes themselves: they run several times per record (PRODUCE on the broker,
  // FETCH answers in the SDK), and need() has already checked the bounds that readInt32BE & co. would check again.
  u32(): number {
    this.need(4);
    const v = i32At(this.buf, this.pos) >>> 0;
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = i32At(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  i64(): number {
    this.need(8);
    const hi = i32At(this.buf, this.pos);
    const lo = i32At(this.buf, this.pos + 4) >>> 0;
    this.pos += 8;
    const v = hi * 0x1_0000_0000 + lo;
    if (!Number.isSafeInteger(v)) throw new BrokerError('FRAME_ERROR', 'i64 value outside the safe integer range');
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  str(): string {
    const n = this.u16();
    this.need(n);
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  longStr(): string {
    const b = this.bytes();
    return b === null ? '' : b.toString('utf8');
  }

  /** i32 length (-1 = null); the result is a slice of the frame, not a copy. */
  bytes(): Buffer | null {
    const n = this.i32();
    if (n === -1) return null;
    if (n < 0) throw new BrokerError('FRAME_ERROR', `negative byte length ${n}`);
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Everything not read yet, as a slice of the body (not a copy); the reader is at the end afterwards. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }

  /** An array count, checked against a limit and against the bytes left (each element takes >= minBytes). */
  count(max: number, minElementBytes = 1): number {
    const n = this.u32();
    if (n > max) throw new BrokerError('LIMIT_EXCEEDED', `array of ${n} elements exceeds ${max}`);
    if (n * minElementBytes > this.remaining) throw new BrokerError('FRAME_ERROR', `array of ${n} elements cannot fit`);
    return n;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Trailing bytes mean the peer and we disagree about the layout. */
  end(): void {
    if (this.pos !== this.buf.length) {
      throw new BrokerError('FRAME_ERROR', `${this.buf.length - this.pos} unexpected trailing bytes in frame body`);
    }
  }
}

/** Big-endian i32 at `p` (the caller checked the bounds). */
function i32At(b: Buffer, p: number): number {
  return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
}
