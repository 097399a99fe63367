// Failed authentications, per client address: after AUTH_FAILURE_LIMIT failures within
// AUTH_FAILURE_WINDOW_MS an address gets 429 with Retry-After until its window ends (a token already
// known to be valid still works: the throttle guards the database lookups failures cause). One warn
// line per AUTH_FAILURE_LOG_INTERVAL_MS at most reports the counts; never a token, hash or address.
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';

export interface FailureThrottleOptions {
  /** Failures an address may have per window; 0 turns throttling off (failures are still counted). */
  readonly limit: number;
  readonly windowMs: number;
  readonly logIntervalMs: number;
  readonly logger: Logger;
  /** Addresses remembered at once (least recently failing forgotten first). */
  readonly maxAddresses?: number;
}

export interface FailureThrottle {
  /** Whole seconds this address must wait, or 0 when it may try (and fail) again. */
  retryAfter(address: string): number;
  /** Records a failed authentication from the address. */
  failed(address: string, reason: FailureReason): void;
  /** Records a request refused with 429. */
  refused(): void;
  close(): void;
}

export type FailureReason = 'malformed' | 'unknown';

interface Window {
  count: number;
  readonly endsAt: number;
}

export function createFailureThrottle(options: FailureThrottleOptions): FailureThrottle {
  const { limit, windowMs } = options;
  const windows = new LRUCache<string, Window>({ max: options.maxAddresses ?? 50_000, ttl: windowMs });
  const report = failureReport(options.logger, options.logIntervalMs);
  return {
    retryAfter(address) {
      if (limit === 0) return 0;
      const window = windows.get(address);
      const now = Date.now();
      if (!window || window.count < limit || now >= window.endsAt) return 0;
      return Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    },
    failed(address, reason) {
      const now = Date.now();
      const window = windows.get(address);
      if (window && now < window.endsAt) window.count++;
      else windows.set(address, { count: 1, endsAt: now + windowMs });
      report.failure(address, reason);
    },
    refused: () => report.refusal(),
    close: () => report.close(),
  };
}

/** Counts since the last line; the first failure of a quiet period starts the interval's timer. */
function failureReport(logger: Logger, intervalMs: number) {
  const maxDistinct = 10_000;
  let counts = { malformed: 0, unknown: 0, throttled: 0 };
  let addresses = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  const flush = () => {
    timer = null;
    logger.warn(
      {
        failures: counts.malformed + counts.unknown,
        malformed: counts.malformed,
        unknownOrRevoked: counts.unknown,
        throttled: counts.throttled,
        addresses: addresses.size >= maxDistinct ? `${maxDistinct}+` : addresses.size,
        intervalMs,
      },
      'authentication failures',
    );
    counts = { malformed: 0, unknown: 0, throttled: 0 };
    addresses = new Set();
  };
  const arm = () => {
    timer ??= setTimeout(flush, intervalMs).unref();
  };
  return {
    failure(address: string, reason: FailureReason) {
      counts[reason]++;
      if (addresses.size < maxDistinct) addresses.add(address);
      arm();
    },
    refusal() {
      counts.throttled++;
      arm();
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
