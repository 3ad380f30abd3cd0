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
  private buffered = 0;

  constructor(private readonly packetSizeMaxBytes: number) {}

  /** Appends a chunk and returns every complete frame, stopping at the first error. */
  feed(chunk: Buffer): FrameResult[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: FrameResult[] = [];
    for (;;) {
      const head = this.peekHeader();
      if (head === null) break;
      if (head === 'malformed') {
        out.push({ kind: 'malformed' });
        break;
      }
      const total = head.headerBytes + head.remainingLength;
      if (total > this.packetSizeMaxBytes) {
        out.push({ kind: 'too-large', declaredBytes: total });
        break;
      }
      if (this.buffered < total) break;
      out.push({ kind: 'frame', frame: this.take(total) });
    }
    return out;
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  /** Reads the fixed header without consuming; null = need more bytes. */
  private peekHeader(): { headerBytes: number; remainingLength: number } | null | 'malformed' {
    if (this.buffered < 2) return null;
    let multiplier = 1;
    let value = 0;
    // The variable byte integer has at most 4 bytes [MQTT-1.5.5-1].
    for (let i = 1; i <= 4; i++) {
      if (i >= this.buffered) return null;
      const byte = this.byteAt(i);
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return { headerBytes: i + 1, remainingLength: value };
      multiplier *= 128;
    }
    return 'malformed';
  }

  private byteAt(index: number): number {
    let i = index;
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
    if (first.length >= n) {
      frame = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      frame = Buffer.allocUnsafe(n);
      let copied = 0;
      while (copied < n) {
        const c = this.chunks[0];
        const want = Math.min(c.length, n - copied);
        c.copy(frame, copied, 0, want);
        copied += want;
        if (want === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(want);
      }
    }
    this.buffered -= n;
    return frame;
  }
}
