/** Test kit for the vhost: real memory stores, a manual clock, and small builders. */
import pino from 'pino';
import { MemoryLogStore } from '../../../storage/memory-store';
import { MemoryMetaStore } from '../../../storage/memory-meta-store';
import type { LogStore, MetaStore } from '../../../storage/types';
import { BrokerError } from '../../../src/core/errors';
import { defaultLimits } from '../../../src/core/limits';
import type { HeaderTable, Message, MessageProperties } from '../../../src/core/message';
import type { ExchangeSpec, QueueSpec } from '../../../src/core/types';
import { VirtualHostImpl, type VhostDeps } from '../../../src/core/vhost';

export const logger = pino({ level: process.env.POLYMQ_LOG_LEVEL ?? 'warn' });

import { FakeClock as ManualClock } from '../../helpers/fake-clock';

export { ManualClock };

export interface MemoryVhost {
  vhost: VirtualHostImpl;
  clock: ManualClock;
  store: LogStore;
  transientStore: LogStore;
  meta: MetaStore;
}

export function memoryDeps(clock: ManualClock, stores?: { store: LogStore; transientStore: LogStore; meta: MetaStore }): VhostDeps {
  return {
    store: stores?.store ?? new MemoryLogStore(),
    transientStore: stores?.transientStore ?? new MemoryLogStore(),
    meta: stores?.meta ?? new MemoryMetaStore(),
    limits: defaultLimits(),
    logger,
    now: clock.now,
    setTimer: clock.setTimer,
  };
}

export async function memoryVhost(name = '/', extra: Partial<VhostDeps> = {}): Promise<MemoryVhost> {
  const clock = new ManualClock();
  const deps = { ...memoryDeps(clock), ...extra };
  const vhost = new VirtualHostImpl(name, deps);
  await vhost.recover();
  return { vhost, clock, store: deps.store, transientStore: deps.transientStore, meta: deps.meta };
}

export function xspec(name: string, type: string, extra: Partial<ExchangeSpec> = {}): ExchangeSpec {
  return { name, type, durable: false, autoDelete: false, internal: false, arguments: {}, ...extra };
}

export function qspec(name: string, extra: Partial<QueueSpec> = {}): QueueSpec {
  return { name, durable: false, exclusive: false, autoDelete: false, arguments: {}, ...extra };
}

export function msg(exchange: string, routingKey: string, body = 'x', props: MessageProperties = {}): Message {
  return { exchange, routingKey, properties: props, body: Buffer.from(body) };
}

export function withHeaders(exchange: string, headers: HeaderTable): Message {
  return msg(exchange, '', 'h', { headers });
}

/** The BrokerError code a call fails with ('ok' when it succeeds). */
export async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    if (err instanceof BrokerError) return err.code;
    throw err;
  }
}
