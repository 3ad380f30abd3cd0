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

/** A CONNECT whose protocol level is none of 3 (3.1), 4 (3.1.1), 5 (5.0), or does not go with its protocol name. */
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
  // The name must go with the level: "MQIsdp" is MQTT 3.1 (level 3), "MQTT" is 3.1.1 and 5.0 (levels 4, 5);
  // Mosquitto refuses a mismatch with 0x01 too.
  const name = frame.toString('latin1', i + 2, levelAt);
  if (name === 'MQIsdp') return level !== 3;
  if (name === 'MQTT') return level !== 4 && level !== 5;
  return level !== 3 && level !== 4 && level !== 5; // other names: the parser decides
}
