/**
 * Incremental frame parser: feed(chunk) returns every complete frame and keeps the rest. The declared length is
 * checked against the limit as soon as the 4 length bytes are in, BEFORE any body is buffered, so a peer cannot
 * make us hold more than one frame's worth of bytes. Bodies are slices of the received chunk whenever a frame lies
 * inside one chunk (the common case); only frames split across chunks are copied once.
 */
import { BrokerError } from '../../../src/core/errors';
import { FRAME_HEADER_BYTES, LENGTH_PREFIX_BYTES, PROTOCOL_VERSION } from '../constants';

export interface Frame {
  version: number;
  type: number;
  correlationId: number;
  body: Buffer;
}

export class FrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Length of the frame being assembled, once its prefix has been read and checked; -1 before. */
  private pending = -1;

  constructor(private readonly frameMaxBytes: number) {}

  /** Throws BrokerError (FRAME_ERROR, MESSAGE_TOO_LARGE) on a frame that cannot be accepted; the caller closes. */
  feed(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.pending < 0) {
        if (this.buffered < LENGTH_PREFIX_BYTES) break;
        const length = this.peekLength();
        if (length < FRAME_HEADER_BYTES) throw new BrokerError('FRAME_ERROR', `frame length ${length} is below the header size`);
        if (length > this.frameMaxBytes) {
          throw new BrokerError('MESSAGE_TOO_LARGE', `frame of ${length} bytes exceeds the limit of ${this.frameMaxBytes}`);
        }
        this.pending = length;
      }
      if (this.buffered < LENGTH_PREFIX_BYTES + this.pending) break;
      const raw = this.take(LENGTH_PREFIX_BYTES + this.pending);
      this.pending = -1;
      const version = raw.readUInt8(4);
      if (version !== PROTOCOL_VERSION) throw new BrokerError('FRAME_ERROR', `unsupported protocol version ${version}`);
      frames.push({
        version,
        type: raw.readUInt8(5),
        correlationId: raw.readUInt32BE(6),
        body: raw.subarray(LENGTH_PREFIX_BYTES + FRAME_HEADER_BYTES),
      });
    }
    return frames;
  }

  /** Bytes held for an incomplete frame (bounded by the frame limit + one chunk). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first.length >= LENGTH_PREFIX_BYTES) return first.readUInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 16)).subarray(0, LENGTH_PREFIX_BYTES);
    return head.readUInt32BE(0);
  }

  /** Removes n bytes from the front; a slice when they lie in the first chunk, one copy otherwise. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, k);
        filled += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }
}
