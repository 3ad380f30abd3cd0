/**
 * AMQP 0-9-1 framing (§2.3.5, §4.2.3): type(1) channel(2) size(4) payload(size) frame-end(0xCE).
 *
 * FrameParser is incremental: push() returns every complete frame and keeps partial bytes. It follows
 * rabbit_reader's order of checks: the declared size is checked against frame_max as soon as the 7-byte header
 * is in (before any payload is buffered), then the frame-end octet once the frame is complete. Payloads are
 * slices of the received bytes, never copies. Chunks are only concatenated when a frame spans them, and then
 * once per frame, not once per chunk.
 */
import { BrokerError } from '../../../src/core/errors';
import { copyInto } from './primitives';

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;

/** Frame header (type, channel, size) plus the frame-end octet. */
export const FRAME_OVERHEAD_BYTES = 8;
const FRAME_HEADER_BYTES = 7;
/** AMQP's frame-min-size: the frame_max in force until connection.tune-ok, and the smallest one may negotiate. */
export const FRAME_MIN_SIZE_BYTES = 4096;
/**
 * frame_max 0 means "no limit" in AMQP; we still bound a frame's payload so a peer cannot make us buffer
 * gigabytes (RabbitMQ refuses frame_max 0 in tune-ok whenever its own frame_max is set, which is the default).
 */
export const FRAME_PAYLOAD_CEILING_BYTES = 64 * 1024 * 1024;

export interface Frame {
  type: number;
  channel: number;
  /**
   * A slice of the received bytes (not a copy). Copy what must outlive the frame: a small slice kept in a queue
   * pins the whole socket chunk it came in.
   */
  payload: Buffer;
}

export class FrameParser {
  private payloadMaxBytes = 0;
  /** Received bytes not yet consumed, in arrival order. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes that must be pending before parsing can make progress. */
  private neededBytes = FRAME_HEADER_BYTES;

  constructor(frameMaxBytes: number) {
    this.setFrameMax(frameMaxBytes);
  }

  /**
   * Sets the negotiated frame_max (total frame size). Like RabbitMQ we tolerate a payload of up to frame_max
   * bytes (rabbit_reader's FRAME_SIZE_FUDGE: clients are often off by the 8 bytes of framing).
   */
  setFrameMax(bytes: number): void {
    if (!Number.isInteger(bytes) || bytes < 0) throw new BrokerError('INTERNAL_ERROR', `invalid frame_max ${bytes}`);
    this.payloadMaxBytes = bytes === 0 ? FRAME_PAYLOAD_CEILING_BYTES : Math.min(bytes, FRAME_PAYLOAD_CEILING_BYTES);
  }

  /** Bytes received but not yet returned as frames. */
  bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Incremental: returns complete frames; keeps partial bytes; throws BrokerError('FRAME_ERROR') when a
   * declared size exceeds frameMax (checked BEFORE buffering) or the frame-end octet is wrong, and for an
   * unknown frame type (RabbitMQ: frame_error unknown_frame) or a heartbeat with a payload.
   * After a throw the stream is out of sync: the connection must be closed.
   */
  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let o = 0;
    // First finish a frame left partial by earlier chunks, copying only that frame's bytes: the rest of this
    // chunk is then parsed in place.
    while (this.pendingBytes > 0) {
      const take = Math.min(this.neededBytes - this.pendingBytes, chunk.length - o);
      if (take > 0) {
        this.pending.push(chunk.subarray(o, o + take));
        this.pendingBytes += take;
        o += take;
      }
      if (this.pendingBytes < this.neededBytes) return frames;
      const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [buf];
      if (this.neededBytes === FRAME_HEADER_BYTES) {
        // neededBytes is 7 until a frame header is in (and checked), then the whole frame: so a frame's size is
        // validated as soon as its header arrives, before its payload is buffered.
        const size = buf.readUInt32BE(3);
        this.checkHeader(buf[0], size, buf[1], buf[2]);
        this.neededBytes = FRAME_HEADER_BYTES + size + 1;
        continue;
      }
      frames.push(this.completeFrame(buf, 0));
      this.pending = [];
      this.pendingBytes = 0;
      this.neededBytes = FRAME_HEADER_BYTES;
    }
    const len = chunk.length;
    while (len - o >= FRAME_HEADER_BYTES) {
      const size = chunk.readUInt32BE(o + 3);
      this.checkHeader(chunk[o], size, chunk[o + 1], chunk[o + 2]);
      const frameEnd = o + FRAME_HEADER_BYTES + size;
      if (frameEnd >= len) {
        this.neededBytes = FRAME_HEADER_BYTES + size + 1;
        break;
      }
      frames.push(this.completeFrame(chunk, o));
      o = frameEnd + 1;
    }
    if (o < len) {
      this.pending = [chunk.subarray(o)];
      this.pendingBytes = len - o;
      if (this.pendingBytes < FRAME_HEADER_BYTES) this.neededBytes = FRAME_HEADER_BYTES;
    }
    return frames;
  }

  /** The frame whose (checked) header starts at `o` and whose bytes are all in `buf`. */
  private completeFrame(buf: Buffer, o: number): Frame {
    const frameEnd = o + FRAME_HEADER_BYTES + buf.readUInt32BE(o + 3);
    if (buf[frameEnd] !== FRAME_END) {
      throw new BrokerError('FRAME_ERROR', `invalid frame end marker 0x${buf[frameEnd].toString(16)} (type ${buf[o]})`);
    }
    return { type: buf[o], channel: (buf[o + 1] << 8) | buf[o + 2], payload: buf.subarray(o + FRAME_HEADER_BYTES, frameEnd) };
  }

  private checkHeader(type: number, size: number, ch0: number, ch1: number): void {
    if (size > this.payloadMaxBytes) {
      throw new BrokerError('FRAME_ERROR', `frame too large: type ${type}, payload ${size} bytes, frame_max payload ${this.payloadMaxBytes}`);
    }
    switch (type) {
      case FRAME_METHOD:
      case FRAME_HEADER:
      case FRAME_BODY:
        return;
      case FRAME_HEARTBEAT:
        // rabbit_command_assembler:analyze_frame only accepts an empty heartbeat; one on a channel other than 0
        // is an unexpected frame (rabbit_reader:handle_frame/4).
        if (size !== 0) throw new BrokerError('FRAME_ERROR', `heartbeat frame with a ${size}-byte payload`);
        if (ch0 !== 0 || ch1 !== 0) throw new BrokerError('UNEXPECTED_FRAME', `heartbeat on channel ${(ch0 << 8) | ch1}`);
        return;
      default:
        throw new BrokerError('FRAME_ERROR', `unknown frame type ${type}`);
    }
  }
}

/** Splits a body into body frames of at most frame_max - 8 payload bytes. An empty body has no body frames. */
export function encodeBodyFrames(channel: number, body: Buffer, frameMaxBytes: number): Buffer[] {
  const frames: Buffer[] = [];
  const chunkMax = frameMaxBytes === 0 ? FRAME_PAYLOAD_CEILING_BYTES : frameMaxBytes - FRAME_OVERHEAD_BYTES;
  if (chunkMax <= 0) throw new BrokerError('INTERNAL_ERROR', `frame_max ${frameMaxBytes} leaves no room for a body`);
  for (let start = 0; start < body.length; start += chunkMax) {
    const end = Math.min(body.length, start + chunkMax);
    const size = end - start;
    const f = Buffer.allocUnsafe(size + FRAME_OVERHEAD_BYTES);
    f[0] = FRAME_BODY;
    f[1] = channel >>> 8;
    f[2] = channel & 0xff;
    f.writeUInt32BE(size, 3);
    copyInto(f, FRAME_HEADER_BYTES, start === 0 && end === body.length ? body : body.subarray(start, end));
    f[FRAME_HEADER_BYTES + size] = FRAME_END;
    frames.push(f);
  }
  return frames;
}

/** A heartbeat frame: type 8, channel 0, empty payload. */
export const HEARTBEAT_FRAME: Buffer = Buffer.from([FRAME_HEARTBEAT, 0, 0, 0, 0, 0, 0, FRAME_END]);

/** The AMQP 0-9-1 protocol header (§4.2.2). */
export const PROTOCOL_HEADER: Buffer = Buffer.from('AMQP\x00\x00\x09\x01', 'latin1');
/** The AMQP 0-9 header, which RabbitMQ treats as 0-9-1 (rabbit_reader:version_negotiation/2). */
const PROTOCOL_HEADER_0_9: Buffer = Buffer.from('AMQP\x01\x01\x00\x09', 'latin1');

/**
 * Checks the 8 bytes a client sends first. 'need-more' while fewer than 8 bytes have arrived and they match so
 * far; 'bad' as soon as they cannot (the server then answers PROTOCOL_HEADER and closes, §4.2.2).
 */
export function checkProtocolHeader(buf: Buffer): 'ok' | 'need-more' | 'bad' {
  const n = Math.min(buf.length, 8);
  let ok091 = true;
  let ok09 = true;
  for (let i = 0; i < n; i++) {
    if (buf[i] !== PROTOCOL_HEADER[i]) ok091 = false;
    if (buf[i] !== PROTOCOL_HEADER_0_9[i]) ok09 = false;
  }
  if (!ok091 && !ok09) return 'bad';
  return n < 8 ? 'need-more' : 'ok';
}
