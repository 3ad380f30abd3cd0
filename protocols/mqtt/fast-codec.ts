/**
 * Hand-written codec for the packets on the per-message path: inbound PUBLISH and PUBACK, outbound PUBLISH and
 * PUBACK. mqtt-packet stays the codec for everything else and the fallback for any case this one declines
 * (v5 properties, odd flags, anything malformed: mqtt-packet then reports the error as before). Profiling
 * showed mqtt-packet's streaming parser (BufferList copies, `debug` calls, an EventEmitter per packet) and its
 * generator (several small writes per packet) among the top costs per message; our framer already hands over
 * whole frames, so a PUBLISH decodes with a few reads and one slice, and encodes into one buffer.
 *
 * Decoded packets have the same fields mqtt-packet produces, so handlers cannot tell the two apart.
 */
import type { IPubackPacket, IPublishPacket, QoS } from 'mqtt-packet';

const PUBLISH_TYPE = 3;
/** Stateless between calls (no streaming), so one instance serves every connection. */
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

/** The topic name as a string; null when it is not well-formed UTF-8 [MQTT-1.5.3-1]. */
function topicString(frame: Buffer, start: number, end: number): string | null {
  // Topics are almost always ASCII: a byte loop is cheaper than the strict decoder's native call.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (frame[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return frame.toString('latin1', start, end);
  try {
    return UTF8_STRICT.decode(frame.subarray(start, end));
  } catch {
    return null;
  }
}
const PUBACK_FIRST_BYTE = 0x40;

/** Offset just past the fixed header (type byte + 1..4 byte remaining length); frames are whole and checked. */
function bodyStart(frame: Buffer): number {
  let i = 1;
  while (i < 5 && i < frame.length && (frame[i] & 0x80) !== 0) i++;
  return i + 1;
}

/**
 * A PUBLISH frame → packet, or null when this codec declines (not a PUBLISH, QoS 3, truncated, v5 with
 * properties): the caller then hands the frame to mqtt-packet. 'bad-utf8': the topic is not UTF-8.
 */
export function decodePublish(frame: Buffer, protocolVersion: number): IPublishPacket | null | 'bad-utf8' {
  const b0 = frame[0];
  if (b0 >> 4 !== PUBLISH_TYPE) return null;
  const qos = (b0 >> 1) & 3;
  if (qos === 3) return null;
  let pos = bodyStart(frame);
  if (pos + 2 > frame.length) return null;
  const topicLen = (frame[pos] << 8) | frame[pos + 1];
  pos += 2;
  const topicEnd = pos + topicLen;
  if (topicEnd > frame.length) return null;
  const topic = topicString(frame, pos, topicEnd);
  if (topic === null) return 'bad-utf8';
  pos = topicEnd;
  let messageId: number | undefined;
  if (qos > 0) {
    if (pos + 2 > frame.length) return null;
    messageId = (frame[pos] << 8) | frame[pos + 1];
    pos += 2;
  }
  if (protocolVersion === 5) {
    // Only an empty property list takes the fast path; properties need mqtt-packet's full decoder.
    if (pos >= frame.length || frame[pos] !== 0) return null;
    pos += 1;
  }
  const packet: IPublishPacket = {
    cmd: 'publish',
    retain: (b0 & 1) !== 0,
    qos: qos as QoS,
    dup: (b0 & 8) !== 0,
    length: frame.length - bodyStart(frame),
    topic,
    payload: frame.subarray(pos),
  };
  if (messageId !== undefined) packet.messageId = messageId;
  return packet;
}

/** A 4-byte PUBACK (no reason code: success) → packet; null otherwise (mqtt-packet decodes the rest). */
export function decodePuback(frame: Buffer, protocolVersion: number): IPubackPacket | null {
  if (frame.length !== 4 || frame[0] !== PUBACK_FIRST_BYTE || frame[1] !== 2) return null;
  const packet: IPubackPacket = { cmd: 'puback', messageId: (frame[2] << 8) | frame[3] };
  if (protocolVersion === 5) packet.reasonCode = 0;
  return packet;
}

function varIntBytes(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

/**
 * One PUBLISH without v5 properties (v5 gets an empty property list) in one buffer. `topic` is the encoded
 * topic name; messageId is ignored for QoS 0.
 */
export function encodePublish(topic: Buffer, payload: Buffer, qos: QoS, dup: boolean, retain: boolean, messageId: number, protocolVersion: number): Buffer {
  const remaining = 2 + topic.length + (qos > 0 ? 2 : 0) + (protocolVersion === 5 ? 1 : 0) + payload.length;
  const buf = Buffer.allocUnsafe(1 + varIntBytes(remaining) + remaining);
  buf[0] = 0x30 | (dup ? 8 : 0) | (qos << 1) | (retain ? 1 : 0);
  let pos = 1;
  let n = remaining;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    buf[pos++] = byte;
  } while (n > 0);
  buf[pos++] = topic.length >> 8;
  buf[pos++] = topic.length & 0xff;
  pos += topic.copy(buf, pos);
  if (qos > 0) {
    buf[pos++] = messageId >> 8;
    buf[pos++] = messageId & 0xff;
  }
  if (protocolVersion === 5) buf[pos++] = 0;
  payload.copy(buf, pos);
  return buf;
}

/** PUBACK with success (v5 omits the reason code then, as mqtt-packet does [MQTT-3.4.2-1]). */
export function encodePubackSuccess(messageId: number): Buffer {
  const buf = Buffer.allocUnsafe(4);
  buf[0] = PUBACK_FIRST_BYTE;
  buf[1] = 2;
  buf[2] = messageId >> 8;
  buf[3] = messageId & 0xff;
  return buf;
}
