/**
 * Memory and disk alarms (RabbitMQ's vm_memory_high_watermark and disk_free_limit): when one is on, publishers
 * are blocked (AMQP connection.blocked, MQTT/native stop reading) instead of the broker growing without bound.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { Logger } from './logger';
import type { AlarmState } from './types';

/** How often resources are sampled. */
export const ALARM_CHECK_INTERVAL_MS = 1000;

export interface AlarmSources {
  memoryHighWatermarkBytes: number;
  diskFreeLimitBytes: number;
  dataDir: string;
  /** True while storage reports a full disk (writes failing). */
  storageFull(): boolean;
  logger: Logger;
}

export class ResourceAlarms extends EventEmitter implements AlarmState {
  private readonly active = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly src: AlarmSources) {
    super();
  }

  get blocked(): boolean {
    return this.active.size > 0;
  }

  get reason(): string | null {
    return this.active.size > 0 ? [...this.active].join(', ') : null;
  }

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), ALARM_CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Samples memory and disk now; also called by storage when a write fails for lack of space. */
  check(): void {
    const rss = process.memoryUsage.rss();
    this.set('memory', rss > this.src.memoryHighWatermarkBytes);
    let diskLow = this.src.storageFull();
    try {
      const st = fs.statfsSync(this.src.dataDir);
      diskLow ||= st.bavail * st.bsize < this.src.diskFreeLimitBytes;
    } catch {
      // The data dir vanished or statfs is unsupported: rely on storage's own signal.
    }
    this.set('disk', diskLow);
  }

  private set(name: string, on: boolean): void {
    const was = this.blocked;
    if (on && !this.active.has(name)) {
      this.active.add(name);
      this.src.logger.warn({ alarm: name }, `${name} alarm set: publishers blocked`);
    } else if (!on && this.active.delete(name)) {
      this.src.logger.info({ alarm: name }, `${name} alarm cleared`);
    } else return;
    if (!was && this.blocked) this.emit('blocked', this.reason);
    if (was && !this.blocked) this.emit('unblocked');
  }
}
