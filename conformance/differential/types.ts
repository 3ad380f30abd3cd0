/**
 * Differential conformance: one scenario runs against polymq and against the reference broker (RabbitMQ for
 * AMQP 0-9-1, Mosquitto for MQTT), and the OBSERVABLE results are compared as plain JSON. Observations carry no
 * timings and no generated names (queue names, consumer tags, client ids are normalised), so two correct
 * brokers yield deep-equal observations.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a client saw: reply codes, bodies in order, flags, counts. Plain JSON, deterministic. */
export type Observation = { [key: string]: Json };

export interface Target {
  /** amqp://user:pass@host:port or mqtt://host:port */
  url: string;
}

export interface Scenario {
  /** Stable name, used as the jest test name and the KNOWN_DIFFERENCES key. */
  name: string;
  /** Spec section or reference documentation the scenario checks. */
  ref: string;
  run(target: Target): Promise<Observation>;
}

/** A recorded mismatch: both sides exactly as last observed, so a fix on either side fails the test. */
export interface KnownDifference {
  /** One line: why polymq differs and whether the reference is believed right. */
  reason: string;
  ours: Observation;
  theirs: Observation;
}
