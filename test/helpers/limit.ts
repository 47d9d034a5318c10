/**
 * A counting semaphore for async work: at most `concurrency` tasks run at once; the rest wait in
 * call order.
 */
export interface Limiter {
  /** Runs `task` when a slot is free; resolves or rejects with its result. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

/** Creates a {@link Limiter}. `concurrency` below 1 is treated as 1. */
export function createLimiter(concurrency: number): Limiter {
  const slots = Math.max(1, Math.floor(concurrency));
  let active = 0;
  const waiting: Array<() => void> = [];

  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot take it
  // between the release and the waiter resuming.
  const release = () => {
    const next = waiting.shift();
    if (next === undefined) active--;
    else next();
  };

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

/** Integer from an environment variable, or `fallback` when unset or not a positive integer. */
export function envConcurrency(name: string, fallback: number): number {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}
