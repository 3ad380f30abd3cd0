/**
 * A conformance scenario connects to any AMQP 0-9-1 URL, does one thing, and returns what a client could
 * observe (reply codes, bodies, counts, flags) — never timings or server-generated names — so the same scenario
 * run against polymq and RabbitMQ can be compared field by field (differential testing).
 */
export interface Observation {
  scenario: string;
  /** Spec or documentation reference the scenario checks. */
  ref: string;
  /** Ordered observable facts. */
  facts: Record<string, unknown>;
}

export type Scenario = (url: string) => Promise<Observation>;

/** The reply code on an error raised by amqplib for a server close. */
export function replyCode(err: unknown): number | string {
  if (err !== null && typeof err === 'object' && 'code' in err) {
    const c = (err as { code: unknown }).code;
    if (typeof c === 'number' || typeof c === 'string') return c;
  }
  return 'no-code';
}

/** Unique names per run so scenarios can run against a shared broker repeatedly. */
export function uniqueName(prefix: string): string {
  return `conf-${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
