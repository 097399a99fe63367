// Per-token request budgets, in this instance's memory: a fixed window per API token (RATE_LIMIT_
// REQUESTS per RATE_LIMIT_WINDOW_MS, counted from the token's first request in the window). Every
// HTTP request and every WebSocket operation costs 1, charged before it is parsed, so a refusal costs
// nothing and the charge is one map lookup. With several instances each counts on its own: a client
// spread over N instances may make up to N × the limit.
import { LRUCache } from 'lru-cache';
import type { RateLimitStatus } from '../app/context.js';

/** What every request costs (the query cost of graphql/cost.ts is bounded separately by GRAPHQL_MAX_COST). */
export const REQUEST_COST = 1;

export interface Charge {
  readonly status: RateLimitStatus;
  /** Whole seconds until the window resets, when the request was refused; else 0. */
  readonly retryAfterSeconds: number;
}

export interface TokenRateLimiter {
  /** Charges one request to the token; a refused request is not counted. */
  charge(tokenId: string): Charge;
}

interface Window {
  used: number;
  readonly resetAt: number;
}

export function createTokenRateLimiter(options: {
  readonly limit: number;
  readonly windowMs: number;
  /** Tokens tracked at once; the least recently used is forgotten (its count starts again). */
  readonly maxTokens?: number;
}): TokenRateLimiter {
  const { limit, windowMs } = options;
  const windows = new LRUCache<string, Window>({ max: options.maxTokens ?? 100_000 });
  return {
    charge(tokenId) {
      const now = Date.now();
      let window = windows.get(tokenId);
      if (!window || now >= window.resetAt) {
        window = { used: 0, resetAt: now + windowMs };
        windows.set(tokenId, window);
      }
      const allowed = window.used + REQUEST_COST <= limit;
      if (allowed) window.used += REQUEST_COST;
      const status: RateLimitStatus = {
        limit,
        cost: REQUEST_COST,
        used: window.used,
        remaining: limit - window.used,
        resetAt: new Date(window.resetAt),
      };
      const retryAfterSeconds = allowed ? 0 : Math.max(1, Math.ceil((window.resetAt - now) / 1000));
      return { status, retryAfterSeconds };
    },
  };
}

/** The IETF draft's headers (as GitHub sends them, with Reset in seconds from now). */
export function rateLimitHeaders(status: RateLimitStatus, now = Date.now()): Record<string, string> {
  return {
    'RateLimit-Limit': String(status.limit),
    'RateLimit-Remaining': String(status.remaining),
    'RateLimit-Reset': String(Math.max(0, Math.ceil((status.resetAt.getTime() - now) / 1000))),
  };
}

/** What a client over its budget is told. */
export function rateLimitedMessage(charge: Charge): string {
  return `Rate limit of ${charge.status.limit} requests per window exceeded for this API token. Retry after ${charge.retryAfterSeconds} s.`;
}
