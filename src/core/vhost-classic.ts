/** Classic (and, until replication lands, quorum) queues as the vhost hosts them. */
import type { Message } from './message';
import { ClassicQueue } from './queue/classic-queue';
import type { OwnerId, QueueInfo, QueueSpec } from './types';
import type { HostedQueue } from './vhost-queue';

export class HostedClassic implements HostedQueue {
  readonly spec: QueueSpec;
  constructor(
    readonly handle: ClassicQueue,
    readonly kind: 'classic' | 'quorum',
    readonly owner: OwnerId | null,
  ) {
    this.spec = handle.spec;
  }
  enqueue(message: Message): Promise<void> {
    return this.handle.enqueue(message);
  }
  async purge(): Promise<number> {
    return this.handle.purge();
  }
  async delete(): Promise<number> {
    return this.handle.delete();
  }
  ownerClosed(owner: OwnerId): void {
    this.handle.ownerClosed(owner);
  }
  info(): QueueInfo {
    return this.handle.info();
  }
  async close(): Promise<void> {
    this.handle.close();
    await this.handle.flushState(); // after close() this waits for the last state write
  }
  /** A redeclare counts as use for x-expires. */
  touch(): void {
    this.handle.touch();
  }
}
