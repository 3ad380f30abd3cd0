/**
 * Recorded mismatches between polymq and the reference brokers. Each entry keeps BOTH observations exactly as
 * last seen: the differential tests assert they stay that way, so fixing polymq (or a reference upgrade) makes
 * the test fail and forces this file to be updated. Keys are scenario names. Regenerate an entry's observations
 * with `node dist/conformance/differential/run.js amqp|mqtt --record` (reasons already here are kept).
 */
import type { KnownDifference } from './types';

export const KNOWN_AMQP_DIFFERENCES: Record<string, KnownDifference> = {
  "content frames out of sequence → connection.close 505 UNEXPECTED_FRAME": {
    reason: "Same 505 UNEXPECTED_FRAME, but the class/method blamed differs: RabbitMQ names 0.0 for a header without publish and the pending basic.publish (60.40) when a method interrupts content; polymq names 60.40 and the interrupting method (60.10). Cosmetic.",
    ours: {"headerWithoutPublish":{"close":"connection","code":505,"classId":60,"methodId":40},"bodyWithoutHeader":{"close":"connection","code":505,"classId":60,"methodId":40},"methodInsteadOfBody":{"close":"connection","code":505,"classId":60,"methodId":10}},
    theirs: {"headerWithoutPublish":{"close":"connection","code":505,"classId":0,"methodId":0},"bodyWithoutHeader":{"close":"connection","code":505,"classId":60,"methodId":40},"methodInsteadOfBody":{"close":"connection","code":505,"classId":60,"methodId":40}},
  },
  "channel.open above the negotiated channel-max → connection.close 530": {
    reason: "channel.open on channel-max + 1 (2048 when 2047 was negotiated): RabbitMQ 3.10 opens it anyway; polymq closes the connection with 530 NOT_ALLOWED as AMQP 0-9-1 §1.4.2.6 asks (polymq is right).",
    ours: {"limited":true,"reply":{"close":"connection","code":530,"classId":20,"methodId":10}},
    theirs: {"limited":true,"reply":"channel.open-ok"},
  },
};

export const KNOWN_MQTT_DIFFERENCES: Record<string, KnownDifference> = {
  "overlapping subscriptions: copies and QoS per client [MQTT-3.3.5-1]": {
    reason: "Overlapping filters: polymq sends one copy at the highest granted QoS (v3 and v5); Mosquitto sends one QoS 0 copy in 3.1.1 and one copy per subscription in 5.0 (both allowed by the spec).",
    ours: {"v4":[{"payload":"v4","qos":1}],"v5":[{"payload":"v5","qos":1}]},
    theirs: {"v4":[{"payload":"v4","qos":0}],"v5":[{"payload":"v5","qos":0},{"payload":"v5","qos":1}]},
  },
  "clean session 0 resumes with queued QoS 1; clean session 1 discards [MQTT-3.1.2-4, MQTT-3.2.2-2]": {
    reason: "polymq also queues QoS 0 messages for an offline persistent session; Mosquitto drops them (queue_qos0_messages false). Both allowed by MQTT 3.1.1 §3.1.2.4.",
    ours: {"first":false,"resumed":true,"queued":[{"payload":"s0-q1","qos":1},{"payload":"s1-q1","qos":1},{"payload":"s2-q0","qos":0},{"payload":"s3-q1","qos":1}],"cleanedSessionPresent":false,"afterClean":false},
    theirs: {"first":false,"resumed":true,"queued":[{"payload":"s0-q1","qos":1},{"payload":"s1-q1","qos":1},{"payload":"s3-q1","qos":1}],"cleanedSessionPresent":false,"afterClean":false},
  },
  "SUBSCRIBE with invalid filters: SUBACK 0x80/0x8F or disconnect [MQTT-4.7.1-2, MQTT-4.7.1-3]": {
    reason: "Invalid filter: polymq answers SUBACK 0x80 (v3) / 0x8F Topic Filter invalid (v5) and keeps the connection; Mosquitto closes (v3) / sends DISCONNECT 0x81 Malformed Packet (v5).",
    ours: {"v4 a/#/b":{"suback":[128]},"v4 a/b#":{"suback":[128]},"v4 a+/b":{"suback":[128]},"v4 #/a":{"suback":[128]},"v4 ok/+/#":{"suback":[1]},"v5 a/#/b":{"suback":[143]},"v5 a/b#":{"suback":[143]},"v5 a+/b":{"suback":[143]},"v5 #/a":{"suback":[143]},"v5 ok/+/#":{"suback":[1]}},
    theirs: {"v4 a/#/b":"closed","v4 a/b#":"closed","v4 a+/b":"closed","v4 #/a":"closed","v4 ok/+/#":{"suback":[1]},"v5 a/#/b":{"disconnect":129,"then":"closed"},"v5 a/b#":{"disconnect":129,"then":"closed"},"v5 a+/b":{"disconnect":129,"then":"closed"},"v5 #/a":{"disconnect":129,"then":"closed"},"v5 ok/+/#":{"suback":[1]}},
  },
  "PUBLISH to a wildcard topic closes the connection [MQTT-3.3.2-2]": {
    reason: "Wildcard in a PUBLISH topic (v5): polymq sends DISCONNECT 0x90 Topic Name invalid, Mosquitto 0x82 Protocol Error; both then close. polymq's code is the more specific one.",
    ours: {"v4 a/+":"closed","v4 a/#":"closed","v5 a/+":{"disconnect":144},"v5 a/#":{"disconnect":144}},
    theirs: {"v4 a/+":"closed","v4 a/#":"closed","v5 a/+":{"disconnect":130},"v5 a/#":{"disconnect":130}},
  },
  "session takeover: the older connection is closed [MQTT-3.1.4-2]": {
    reason: "Takeover of a v5 session: polymq sends DISCONNECT 0x8E Session taken over before closing, as MQTT 5 §3.1.4 asks; Mosquitto 2.0.11 just closes the socket.",
    ours: {"v4":{"old":"none","newConnack":{"code":0,"sessionPresent":false},"newStillOpen":true},"v5":{"old":142,"newConnack":{"code":0,"sessionPresent":false},"newStillOpen":true}},
    theirs: {"v4":{"old":"none","newConnack":{"code":0,"sessionPresent":false},"newStillOpen":true},"v5":{"old":"none","newConnack":{"code":0,"sessionPresent":false},"newStillOpen":true}},
  },
  "v5 subscription identifiers on deliveries [MQTT-3.3.4-3, MQTT-3.3.4-4]": {
    reason: "Overlapping v5 subscriptions: polymq sends one copy carrying all matching identifiers [7, 9]; Mosquitto sends one copy per subscription, each with its own identifier (both allowed by MQTT 5 §3.3.4).",
    ours: {"copies":[{"payload":"x","ids":[7,9]},{"payload":"yz","ids":[9]}]},
    theirs: {"copies":[{"payload":"x","ids":[]},{"payload":"x","ids":[7]},{"payload":"x","ids":[9]},{"payload":"yz","ids":[9]}]},
  },
  "first packet not CONNECT, or a second CONNECT → connection closed [MQTT-3.1.0-1, MQTT-3.1.0-2]": {
    reason: "Second CONNECT on a v5 connection: polymq sends DISCONNECT 0x82 Protocol Error before closing (MQTT 5 §4.13 allows it), Mosquitto just closes the socket.",
    ours: {"pingFirst":"closed","secondConnectV4":"closed","secondConnectV5":{"disconnect":130,"then":"closed"}},
    theirs: {"pingFirst":"closed","secondConnectV4":"closed","secondConnectV5":"closed"},
  },
  "malformed fixed headers: SUBSCRIBE flags, empty SUBSCRIBE, QoS 3 PUBLISH → close [MQTT-3.8.1-1, MQTT-3.8.3-3, MQTT-3.3.1-4]": {
    reason: "v5 SUBSCRIBE without any filter: polymq sends DISCONNECT 0x82 Protocol Error (what MQTT 5 §3.8.3 names), Mosquitto 0x81 Malformed Packet; both close. Everything else identical.",
    ours: {"v4 subscribeFlags":"closed","v4 subscribeEmpty":"closed","v4 publishQos3":"closed","v5 subscribeFlags":{"disconnect":129,"then":"closed"},"v5 subscribeEmpty":{"disconnect":130,"then":"closed"},"v5 publishQos3":{"disconnect":129,"then":"closed"}},
    theirs: {"v4 subscribeFlags":"closed","v4 subscribeEmpty":"closed","v4 publishQos3":"closed","v5 subscribeFlags":{"disconnect":129,"then":"closed"},"v5 subscribeEmpty":{"disconnect":129,"then":"closed"},"v5 publishQos3":{"disconnect":129,"then":"closed"}},
  },
};
