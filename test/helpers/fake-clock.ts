/** Deterministic time for the core's injected clock: timers fire only inside advance(), in due order (ties in
 * the order they were set). */
interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock {
  nowMs: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs;
  }

  readonly now = (): number => this.nowMs;

  readonly setTimer = (ms: number, fn: () => void): (() => void) => {
    const t: Timer = { at: this.nowMs + ms, seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return () => {
      t.cancelled = true;
    };
  };

  /** Moves the clock forward, firing due timers in order (each sees the clock at its own deadline). */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      due.cancelled = true;
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
    }
    this.nowMs = target;
  }

  /** Timers set and neither fired nor cancelled. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
