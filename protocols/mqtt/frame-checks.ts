/**
 * Checks on raw frames, before mqtt-packet decodes them: things its decoder does not tell us (ill-formed UTF-8
 * becomes U+FFFD; an unknown protocol level is just an error without the CONNACK the spec asks for).
 */

/** Stateless between calls (no streaming), so one instance serves every connection. */
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

/** PUBLISH frames only: the topic name must be well-formed UTF-8 [MQTT-1.5.3-1]. */
export function publishTopicIsUtf8(frame: Buffer): boolean {
  if (frame[0] >> 4 !== 3) return true;
  let i = 1;
  while (i < frame.length && (frame[i] & 0x80) !== 0) i++;
  i += 1;
  if (i + 2 > frame.length) return true; // too short: the parser reports it
  const len = frame.readUInt16BE(i);
  const topic = frame.subarray(i + 2, i + 2 + len);
  try {
    UTF8_STRICT.decode(topic);
    return true;
  } catch {
    return false;
  }
}

/** A CONNECT whose protocol level is none of 3 (3.1), 4 (3.1.1), 5 (5.0). */
export function unsupportedProtocolLevel(frame: Buffer): boolean {
  if (frame[0] >> 4 !== 1) return false;
  let i = 1;
  while (i < frame.length && (frame[i] & 0x80) !== 0) i++;
  i += 1;
  if (i + 2 > frame.length) return false;
  const nameLen = frame.readUInt16BE(i);
  const levelAt = i + 2 + nameLen;
  if (levelAt >= frame.length) return false;
  const level = frame[levelAt] & 0x7f; // bridges set bit 7
  return level !== 3 && level !== 4 && level !== 5;
}
