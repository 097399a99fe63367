// The claimer's wake-ups: a kick (NOTIFY on enqueue, a slot freed, stop) that arrives while the
// claimer is busy is remembered, never lost; and the waiters of drain(), resolved once idle.

export interface Wakeup {
  /** Wakes the claimer now, or at its next wait if it is busy. */
  kick(): void;
  /** Resolves at the next kick (at once if one came meanwhile) or after `ms`; consumes the kick. */
  wait(ms: number): Promise<void>;
  /** Forgets a pending kick (the claimer is about to look for work anyway). */
  clear(): void;
  /** Resolves the next time `idle()` is called. */
  whenIdle(): Promise<void>;
  /** Resolves every `whenIdle()` waiter. */
  idle(): void;
}

export function createWakeup(): Wakeup {
  let kicked = false;
  let wake: (() => void) | null = null;
  let idleWaiters: (() => void)[] = [];
  return {
    kick() {
      kicked = true;
      wake?.();
    },
    async wait(ms) {
      if (!kicked) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, ms);
          function done() {
            clearTimeout(timer);
            wake = null;
            resolve();
          }
          wake = done;
        });
      }
      kicked = false;
    },
    clear() {
      kicked = false;
    },
    whenIdle() {
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    idle() {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
