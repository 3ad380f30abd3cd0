/**
 * mqtt.js helpers for the MQTT differential scenarios: clients that resolve on CONNACK and record every
 * message (with the flags a client can see), a sentinel to prove "nothing else arrived" without sleeping, and
 * a per-run context that names topics/client ids and closes everything at the end.
 */
import { connect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import type { IConnectPacket } from 'mqtt-packet';
import { withDeadline } from './deadline';
import { RawMqtt, type Version } from './mqtt-raw';
import { normalise, toJson, uniquePrefix } from './names';
import type { Json, Observation, Scenario, Target } from './types';

/** Payload of the marker message that closes an observation window. */
export const SENTINEL = '__sentinel__';

export type Got = { topic: string; payload: string; qos: number; retain: boolean; dup: boolean; properties: Json };

export class MClient {
  readonly got: Got[] = [];
  private notify: () => void = () => undefined;

  /** Set when CONNACK arrives; the message handler is attached before it so no session message is missed. */
  connack: IConnackPacket = { cmd: 'connack', sessionPresent: false };

  constructor(readonly client: MqttClient) {
    client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => {
      this.got.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain, dup: packet.dup, properties: toJson(packet.properties ?? null) });
      this.notify();
    });
  }

  /** Resolves once `pred` holds over the messages received so far. */
  until(pred: (got: Got[]) => boolean, what: string): Promise<void> {
    return withDeadline(new Promise<void>((resolve) => {
      this.notify = () => pred(this.got) && resolve();
      this.notify();
    }), what);
  }

  /**
   * Publishes a sentinel on `topic` (which this client must be subscribed to at QoS 2, see sentinelSub) from
   * `publisher` after everything under test, waits for it, and returns what arrived (minus sentinels),
   * emptying the record. Brokers keep per-publisher order; the sentinel is QoS 2 because mqtt.js hands a QoS 2
   * message over only at PUBREL, so a QoS 1 sentinel could overtake an earlier QoS 2 message.
   */
  async settle(publisher: MClient, topic: string): Promise<Got[]> {
    const before = this.got.filter((g) => g.payload === SENTINEL).length;
    await publisher.client.publishAsync(topic, SENTINEL, { qos: 2 });
    await this.until((got) => got.filter((g) => g.payload === SENTINEL).length > before, 'the sentinel');
    return this.got.splice(0).filter((g) => g.payload !== SENTINEL);
  }
}

/** The subscription a client needs for settle() on `topic`. */
export function sentinelSub(topic: string): { [topic: string]: { qos: 2 } } {
  return { [topic]: { qos: 2 } };
}

export class MqttCtx {
  private readonly clients: MqttClient[] = [];
  private readonly raws: RawMqtt[] = [];

  constructor(
    readonly url: string,
    readonly p: string,
  ) {}

  t(suffix: string): string {
    return `${this.p}/${suffix}`;
  }

  id(suffix: string): string {
    return `${this.p}-${suffix}`;
  }

  /** An mqtt.js client (never reconnecting) once CONNACK arrived; rejects if the broker refuses. */
  client(idSuffix: string, opts: IClientOptions = {}): Promise<MClient> {
    return withDeadline(new Promise<MClient>((resolve, reject) => {
      const client = connect(this.url, { reconnectPeriod: 0, connectTimeout: 5_000, clientId: this.id(idSuffix), protocolVersion: 4, ...opts });
      this.clients.push(client);
      const m = new MClient(client);
      client.once('connect', (connack: IConnackPacket) => {
        m.connack = connack;
        resolve(m);
      });
      client.on('error', (err: Error) => reject(err));
    }), `CONNACK for ${idSuffix}`);
  }

  async raw(version: Version, connect: Partial<IConnectPacket>, patch?: (bytes: Buffer) => Buffer): Promise<{ raw: RawMqtt; connack: Json }> {
    const { raw, connack } = await RawMqtt.open(this.url, version, connect, patch);
    this.raws.push(raw);
    return { raw, connack: connack === 'closed' ? 'closed' : connackJson(connack) };
  }

  async close(): Promise<void> {
    for (const r of this.raws) r.destroy();
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
}

/** The observable part of a CONNACK (v3 return code or v5 reason code, session present). */
export function connackJson(c: IConnackPacket): Json {
  return { code: c.reasonCode ?? c.returnCode ?? null, sessionPresent: c.sessionPresent };
}

/** Messages as compact observations. */
export function brief(got: Got[], fields: Array<keyof Got> = ['topic', 'payload', 'qos', 'retain']): Json[] {
  return got.map((g) => {
    const o: { [k: string]: Json } = {};
    for (const f of fields) o[f] = g[f];
    return o;
  });
}

export function mqttScenario(name: string, ref: string, body: (ctx: MqttCtx) => Promise<Observation>): Scenario {
  return {
    name,
    ref,
    async run(target: Target): Promise<Observation> {
      const ctx = new MqttCtx(target.url, uniquePrefix());
      try {
        return normalise(await body(ctx), ctx.p) as Observation;
      } finally {
        await ctx.close();
      }
    },
  };
}
