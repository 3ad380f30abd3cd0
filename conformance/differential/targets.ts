/**
 * The brokers a differential run compares: polymq (this build, as a child process) and the reference broker
 * for the protocol (RabbitMQ for AMQP, Mosquitto for MQTT), both on ephemeral loopback ports.
 */
import { haveMosquitto, haveRabbitmq, startMosquitto, startPolymq, startRabbitmq, type RunningServer } from '../../bench/lib/servers';
import type { Target } from './types';

export type Protocol = 'amqp' | 'mqtt';

/** A broker that has not exited this long after being asked to stop is killed (so a run never hangs at the end). */
export const STOP_MS_MAX = 20_000;

export interface Pair {
  ours: Target;
  theirs: Target;
  referenceName: string;
  stop(): Promise<void>;
}

export function haveReference(protocol: Protocol): boolean {
  return protocol === 'amqp' ? haveRabbitmq() : haveMosquitto();
}

export function referenceName(protocol: Protocol): string {
  return protocol === 'amqp' ? 'RabbitMQ' : 'Mosquitto';
}

function url(protocol: Protocol, server: RunningServer): string {
  const port = server.ports[protocol];
  if (port === undefined) throw new Error(`${server.name} has no ${protocol} port`);
  return protocol === 'amqp' ? `amqp://guest:guest@127.0.0.1:${port}` : `mqtt://127.0.0.1:${port}`;
}

/** Starts both brokers in parallel; if one fails to start, the other is stopped before rethrowing. */
export async function startPair(protocol: Protocol): Promise<Pair> {
  const started = await Promise.allSettled([startPolymq(), protocol === 'amqp' ? startRabbitmq() : startMosquitto()]);
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  const [ours, theirs] = servers;
  return {
    ours: { url: url(protocol, ours) },
    theirs: { url: url(protocol, theirs) },
    referenceName: referenceName(protocol),
    async stop() {
      await Promise.all([stopWithin(ours), stopWithin(theirs)]);
    },
  };
}

async function stopWithin(server: RunningServer): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_MS_MAX);
  });
  const result = await Promise.race([server.stop().then(() => 'stopped' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    try {
      process.kill(server.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
