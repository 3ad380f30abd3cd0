/** Bounded waiting for scenarios: every wait has a deadline, so a broker that stays silent fails fast. */

/** Longest any single wait inside a scenario may take. */
export const WAIT_MS_MAX = 8_000;

export function withDeadline<T>(p: Promise<T>, what: string, ms: number = WAIT_MS_MAX): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Polls `probe` until it returns a value other than undefined, or fails at the deadline. */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, what: string, ms: number = WAIT_MS_MAX): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms polling for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Time-based behaviour under test (TTL, expiry) needs real time to pass; this is the only place we wait for it. */
export function elapse(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
