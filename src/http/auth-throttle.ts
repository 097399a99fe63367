// Failed authentications and unverified lookups, per client address (an IPv6 client per /64,
// client-address.ts): each address has a budget of AUTH_FAILURE_LIMIT charges per AUTH_FAILURE_WINDOW_MS.
// A failure (a malformed, unknown or revoked token) is charged, and so is every database lookup of a
// token this instance does not know, when it starts (given back if the token turns out valid). Over
// its budget an address gets 429 with Retry-After until its window ends for what is known bad or
// unknown; tokens known valid, or known to exist, still work (auth.ts), so one bad client behind a
// shared NAT or proxy does not lock its colleagues out. One warn line per AUTH_FAILURE_LOG_INTERVAL_MS
// at most reports the counts; never a token, hash or address.
import { LRUCache } from 'lru-cache';
import type { Logger } from '../logger.js';

export interface FailureThrottleOptions {
  /** Charges an address may have per window; 0 turns throttling off (failures are still counted). */
  readonly limit: number;
  readonly windowMs: number;
  readonly logIntervalMs: number;
  readonly logger: Logger;
  /** Addresses remembered at once (least recently charged forgotten first). */
  readonly maxAddresses?: number;
}

export interface FailureThrottle {
  /** Whole seconds this address must wait, or 0 while it is within its budget. */
  retryAfter(address: string): number;
  /** Charges one to the address: a failure, or a lookup of a token not known here, about to start. */
  charge(address: string): void;
  /** Gives a lookup's charge back: the token was valid. */
  refund(address: string): void;
  /** Counts a failed authentication for the warn line. */
  report(address: string, reason: FailureReason): void;
  /** Counts a request refused with 429 for the warn line. */
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
      if (!window || window.count < limit) return 0;
      const now = Date.now();
      return now >= window.endsAt ? 0 : Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    },
    charge(address) {
      const now = Date.now();
      const window = windows.get(address);
      if (window && now < window.endsAt) window.count++;
      else windows.set(address, { count: 1, endsAt: now + windowMs });
    },
    refund(address) {
      const window = windows.get(address);
      if (window && window.count > 0) window.count--;
    },
    report: (address, reason) => report.failure(address, reason),
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
