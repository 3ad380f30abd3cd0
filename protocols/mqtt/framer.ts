/**
 * Incremental MQTT framer: splits a byte stream into whole packets (fixed header + remaining length + body)
 * and checks the declared remaining length against the limit BEFORE buffering the body, so a peer cannot make
 * us hold more than `packetSizeMaxBytes` [MQTT-3.1.2-24]. Whole packets are then decoded by mqtt-packet.
 */

export type FrameResult =
  | { kind: 'frame'; frame: Buffer }
  | { kind: 'too-large'; declaredBytes: number }
  | { kind: 'malformed' };

export class MqttFramer {
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already taken: a frame is sliced off by moving this, not by re-slicing the chunk. */
  private headOffset = 0;
  private buffered = 0;

  constructor(private readonly packetSizeMaxBytes: number) {}

  /** Appends a chunk and returns every complete frame, stopping at the first error. */
  feed(chunk: Buffer): FrameResult[] {
    const out: FrameResult[] = [];
    this.feedEach(chunk, (r) => {
      out.push(r);
      return true;
    });
    return out;
  }

  /**
   * Appends a chunk and hands each complete frame to `onResult` as it is found (no result array on the
   * per-message path); stops at the first error or when `onResult` returns false.
   */
  feedEach(chunk: Buffer, onResult: (r: FrameResult) => boolean): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.buffered < 2) return;
      // Remaining length: variable byte integer of at most 4 bytes [MQTT-1.5.5-1].
      let multiplier = 1;
      let value = 0;
      let headerBytes = 0;
      for (let i = 1; i <= 4; i++) {
        if (i >= this.buffered) return;
        const byte = this.byteAt(i);
        value += (byte & 0x7f) * multiplier;
        if ((byte & 0x80) === 0) {
          headerBytes = i + 1;
          break;
        }
        multiplier *= 128;
      }
      if (headerBytes === 0) {
        onResult({ kind: 'malformed' });
        return;
      }
      const total = headerBytes + value;
      if (total > this.packetSizeMaxBytes) {
        onResult({ kind: 'too-large', declaredBytes: total });
        return;
      }
      if (this.buffered < total) return;
      if (!onResult({ kind: 'frame', frame: this.take(total) })) return;
    }
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  private byteAt(index: number): number {
    let i = index + this.headOffset;
    for (const c of this.chunks) {
      if (i < c.length) return c[i];
      i -= c.length;
    }
    return 0;
  }

  /** Removes `n` bytes from the front; slices when they lie in one chunk (the common case), copies otherwise. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let frame: Buffer;
    if (first.length - this.headOffset >= n) {
      frame = first.subarray(this.headOffset, this.headOffset + n);
      this.headOffset += n;
      if (this.headOffset === first.length) {
        this.chunks.shift();
        this.headOffset = 0;
      }
    } else {
      frame = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const c = this.chunks[0];
        const want = Math.min(c.length - this.headOffset, n - copied);
        c.copy(frame, copied, this.headOffset, this.headOffset + want);
        copied += want;
        if (this.headOffset + want === c.length) {
          this.chunks.shift();
          this.headOffset = 0;
        } else {
          this.headOffset += want;
        }
      }
    }
    this.buffered -= n;
    return frame;
  }
}
