/** Messages as they arrive, and a wait for the n-th one with a deadline (woken by arrivals, never by polling). */
export class Arrivals<T> {
  readonly items: T[] = [];
  private waiters: Array<() => void> = [];

  push(item: T): void {
    this.items.push(item);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves with the first `n` items once they have arrived; rejects when `timeoutMs` passes first. */
  async waitFor(n: number, timeoutMs: number): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.items.length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${n} messages, got ${this.items.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.items.slice(0, n);
  }
}
