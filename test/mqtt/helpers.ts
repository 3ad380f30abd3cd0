/**
 * Test helpers for the MQTT suites: mqtt.js clients that resolve on CONNACK, a message collector that waits on
 * events (never sleeps), and a raw socket client speaking bytes for the bad-input and spec-edge tests.
 */
import net from 'node:net';
import { connect, type IClientOptions, type IConnackPacket, type IPublishPacket, type MqttClient } from 'mqtt';
import { generate, parser, type Packet } from 'mqtt-packet';
import { Arrivals } from '../../conformance/mqtt/arrivals';
import type { BrokerOptions } from '../../src/broker';
import { startBroker, type InProcessBroker } from '../helpers/broker';

export interface Received {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

const clients: MqttClient[] = [];
const raws: RawClient[] = [];

/** Ends every client the helpers opened (call in afterEach/afterAll). */
export async function closeAllClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  for (const r of raws.splice(0)) r.socket.destroy();
}

/**
 * Connects and resolves with the client, its CONNACK and a Collector attached before the CONNECT went out
 * (a resumed session's messages can arrive in the same read as the CONNACK); rejects on a refusal or error.
 */
export function connectClient(url: string, opts: IClientOptions = {}): Promise<{ client: MqttClient; connack: IConnackPacket; col: Collector }> {
  return new Promise((resolve, reject) => {
    const client = connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...opts });
    clients.push(client);
    const col = new Collector(client);
    client.once('connect', (connack) => resolve({ client, connack, col }));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

export interface MqttTestBroker {
  readonly broker: InProcessBroker;
  /** mqtt://127.0.0.1:<its MQTT port> */
  readonly url: string;
}

/**
 * One in-process broker for the whole file (started in beforeAll, stopped in afterAll), and every client the
 * helpers opened closed after each test.
 */
export function useMqttBroker(opts: BrokerOptions = {}): MqttTestBroker {
  let started: InProcessBroker | undefined;
  beforeAll(async () => {
    started = await startBroker(opts);
  });
  afterEach(closeAllClients);
  afterAll(async () => {
    await started?.stop();
  });
  const broker = (): InProcessBroker => {
    if (started === undefined) throw new Error('the MQTT test broker is not started (use it inside tests)');
    return started;
  };
  return {
    get broker() {
      return broker();
    },
    get url() {
      return `mqtt://127.0.0.1:${broker().ports.mqtt}`;
    },
  };
}

export class Collector {
  private readonly arrivals = new Arrivals<Received>();

  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.arrivals.push({ topic, payload: Buffer.from(payload), packet }));
  }

  get messages(): readonly Received[] {
    return this.arrivals.items;
  }

  /** Resolves once `n` messages arrived in total. */
  waitFor(n: number, timeoutMs = 20_000): Promise<Received[]> {
    return this.arrivals.waitFor(n, timeoutMs);
  }
}

/** A client that speaks raw bytes and records the packets and the close it receives. */
export class RawClient {
  readonly packets: Packet[] = [];
  readonly closed: Promise<void>;
  isClosed = false;
  private waiters: Array<() => void> = [];
  private readonly p;

  constructor(
    readonly socket: net.Socket,
    readonly protocolVersion: 4 | 5,
  ) {
    raws.push(this);
    this.p = parser({ protocolVersion });
    this.p.on('packet', (pk: Packet) => {
      this.packets.push(pk);
      this.wake();
    });
    socket.on('data', (d) => this.p.parse(d));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number, protocolVersion: 4 | 5 = 4): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s, protocolVersion)));
      s.once('error', reject);
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  send(packet: Packet): void {
    this.socket.write(generate(packet, { protocolVersion: this.protocolVersion }));
  }

  sendBytes(b: Buffer | number[]): void {
    this.socket.write(Buffer.isBuffer(b) ? b : Buffer.from(b));
  }

  async connect(clientId: string, extra: Partial<Extract<Packet, { cmd: 'connect' }>> = {}): Promise<Packet> {
    this.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: this.protocolVersion, clientId, clean: true, keepalive: 0, ...extra });
    return this.next('connack');
  }

  /** The next not yet consumed packet of `cmd` (or null when the socket closed first). */
  async next(cmd: Packet['cmd'], timeoutMs = 20_000): Promise<Packet> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.packets.findIndex((p) => p.cmd === cmd);
      if (i >= 0) return this.packets.splice(i, 1)[0];
      if (this.isClosed) throw new Error(`closed before ${cmd}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${cmd}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Resolves when the server closed the connection; fails after the timeout. */
  async waitClosed(timeoutMs = 20_000): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise((_, reject) => {
        t = setTimeout(() => reject(new Error('connection not closed')), timeoutMs);
      }),
    ]);
    clearTimeout(t);
  }
}
