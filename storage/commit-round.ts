/** The promise every append of one group commit waits for, with its settlers. */
export interface Round {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function newRound(): Round {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers that ignore `durable` (e.g. at-most-once publishes) must not turn a failed commit into an unhandled
  // rejection that kills the process; callers that await it still see the error.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
