/**
 * What the vhost needs from a queue of any type, and the adapters that give it: classic (and quorum, for now a
 * durable classic queue) in vhost-classic.ts, streams here. One wrapper object per queue, none per message.
 */
import type { Message } from './message';
import type { OwnerId, QueueHandle, QueueInfo, QueueSpec } from './types';
import type { StreamQueue } from './topics/stream-queue';

export type QueueKind = 'classic' | 'quorum' | 'stream';

export interface HostedQueue {
  readonly kind: QueueKind;
  readonly spec: QueueSpec;
  /** null when not exclusive. */
  readonly owner: OwnerId | null;
  /** What adapters consume from. */
  readonly handle: QueueHandle;
  enqueue(message: Message): Promise<void>;
  purge(): Promise<number>;
  /** Cancels consumers and drops the messages; returns how many there were. */
  delete(): Promise<number>;
  /** The connection went away: its consumers are cancelled (exclusive queues are deleted by the vhost). */
  ownerClosed(owner: OwnerId): void;
  info(): QueueInfo;
  /** Broker stop: stop timers (classic) or cancel consumers (stream), keep the data; resolves once the
   * queue's own state writes are done. */
  close(): Promise<void>;
  /** A redeclare counts as use (x-expires); queues without expiry omit it. */
  touch?(): void;
}

export class HostedStream implements HostedQueue {
  readonly kind = 'stream';
  readonly owner = null;
  readonly spec: QueueSpec;
  constructor(readonly handle: StreamQueue) {
    this.spec = handle.spec;
  }
  enqueue(message: Message): Promise<void> {
    return this.handle.enqueue(message);
  }
  async purge(): Promise<number> {
    return this.handle.purge();
  }
  delete(): Promise<number> {
    return this.handle.delete();
  }
  ownerClosed(_owner: OwnerId): void {
    // A stream's consumers are cancelled by their channel; the stream itself has no owner state.
  }
  info(): QueueInfo {
    return this.handle.info();
  }
  async close(): Promise<void> {
    this.handle.close();
  }
}
