/**
 * A raw MQTT client over a TCP socket, built on mqtt-packet, for scenarios that mqtt.js would refuse to send
 * (invalid filters, wildcard publish topics, unacknowledged QoS 1/2 flows) or whose packets it hides (DISCONNECT
 * reason codes, PUBREC/PUBREL/PUBCOMP sequences). Every wait has a deadline.
 */
import net from 'node:net';
import { generate, parser, type IConnackPacket, type IConnectPacket, type Packet, type PacketCmd } from 'mqtt-packet';
import { WAIT_MS_MAX } from './deadline';

export type Version = 4 | 5;

/** What a wait produced: a packet, or the socket closing first. */
export type Next = Packet | 'closed';

export class RawMqtt {
  private readonly inbox: Packet[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;

  private constructor(
    private readonly socket: net.Socket,
    readonly version: Version,
  ) {
    const p = parser({ protocolVersion: version });
    p.on('packet', (pkt: Packet) => this.push(pkt));
    p.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => p.parse(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Connects and sends CONNECT; `connack` is the CONNACK, or 'closed' if the broker hung up instead. */
  static async open(url: string, version: Version, connect: Partial<IConnectPacket>, patch?: (bytes: Buffer) => Buffer): Promise<{ raw: RawMqtt; connack: IConnackPacket | 'closed' }> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const raw = new RawMqtt(socket, version);
    const bytes = generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clean: true, keepalive: 60, clientId: '', ...connect }, { protocolVersion: version });
    socket.write(patch === undefined ? bytes : patch(bytes));
    const first = await raw.next();
    if (first === 'closed') return { raw, connack: 'closed' };
    if (first.cmd !== 'connack') throw new Error(`expected CONNACK, got ${first.cmd}`);
    return { raw, connack: first };
  }

  /** A bare socket with no CONNECT sent, for scenarios about what may come first. */
  static async bare(url: string, version: Version): Promise<RawMqtt> {
    const u = new URL(url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawMqtt(socket, version);
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Hand-made bytes, for packets mqtt-packet will not generate (reserved flags, QoS 3, empty SUBSCRIBE). */
  write(bytes: Buffer): void {
    if (!this.ended) this.socket.write(bytes);
  }

  send(packet: Packet): void {
    if (!this.ended) this.socket.write(generate(packet, { protocolVersion: this.version }));
  }

  /** The next packet (of `cmd`, skipping others, if given), or 'closed'. Throws at the deadline. */
  async next(cmd?: PacketCmd, timeoutMs: number = WAIT_MS_MAX): Promise<Next> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((p) => cmd === undefined || p.cmd === cmd);
      if (i >= 0) return this.inbox.splice(i, 1)[0];
      if (this.ended) return 'closed';
      await this.wait(deadline, cmd ?? 'a packet');
    }
  }

  /** Waits for the broker to close the connection; returns the DISCONNECT reason code it sent first, if any. */
  async untilClosed(timeoutMs: number = WAIT_MS_MAX): Promise<number | 'none'> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) await this.wait(deadline, 'the connection to close');
    const d = this.inbox.find((p) => p.cmd === 'disconnect');
    return d !== undefined && d.cmd === 'disconnect' ? (d.reasonCode ?? 0) : 'none';
  }

  /** Abnormal close: no DISCONNECT packet (so the broker publishes the will). */
  destroy(): void {
    this.socket.destroy();
  }

  /** Normal close: DISCONNECT, then end. */
  async disconnect(): Promise<void> {
    this.send({ cmd: 'disconnect' });
    this.socket.end();
    if (!this.ended) await new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
  }

  private async wait(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      this.waiter = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private push(p: Packet): void {
    this.inbox.push(p);
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }
}
