/**
 * Minimal helpers for the conformance scenarios: mqtt.js clients that resolve on CONNACK, collect messages from
 * before the CONNECT, and wait on events with deadlines. Independent of the broker under test.
 */
import { connect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { Arrivals } from './arrivals';

export interface Got {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  packet: IPublishPacket;
}

export class Conn {
  private readonly arrivals = new Arrivals<Got>();
  constructor(
    readonly client: MqttClient,
    readonly connack: IConnackPacket,
  ) {}

  get messages(): readonly Got[] {
    return this.arrivals.items;
  }

  push(g: Got): void {
    this.arrivals.push(g);
  }

  waitFor(n: number, timeoutMs: number): Promise<Got[]> {
    return this.arrivals.waitFor(n, timeoutMs);
  }

  /** Publishes a sentinel on `topic` (which this connection must receive) and returns what arrived before it. */
  async drainUntilSentinel(publisher: MqttClient, topic: string, timeoutMs: number): Promise<Got[]> {
    const before = this.messages.length;
    await publisher.publishAsync(topic, '__sentinel__', { qos: 1 });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m, k) => k >= before && m.payload === '__sentinel__');
      if (i >= 0) return this.messages.slice(0, i).concat(this.messages.slice(i + 1));
      await this.waitFor(this.messages.length + 1, Math.max(1, deadline - Date.now()));
    }
  }

  async end(): Promise<void> {
    await this.client.endAsync().catch(() => undefined);
  }
}

export function open(url: string, opts: IClientOptions, timeoutMs: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const client = connect(url, { reconnectPeriod: 0, connectTimeout: timeoutMs, ...opts });
    const pending: Got[] = [];
    let conn: Conn | null = null;
    client.on('message', (topic, payload, packet) => {
      const g = { topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain, packet };
      if (conn === null) pending.push(g);
      else conn.push(g);
    });
    client.once('connect', (connack) => {
      conn = new Conn(client, connack);
      for (const g of pending) conn.push(g);
      resolve(conn);
    });
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}
