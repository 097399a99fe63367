// Turns an Authorization value (HTTP header or WebSocket connectionParams) into a viewer, through
// per-instance memory keyed by the token's hash:
// - a token's viewer is kept for AUTH_CACHE_TTL_MS, and a revocation on any instance
//   (NOTIFY bff_token_revoked) drops it here at once;
// - a hash found unknown (or revoked) is remembered for AUTH_NEGATIVE_CACHE_TTL_MS, so repeating a
//   wrong token never reaches the database; a token issued on any instance (NOTIFY bff_token_issued)
//   empties that cache at once, so a new token works immediately everywhere;
// - an index of the tokens that exist (48 bits of each hash: loaded at start, extended by every
//   token issued on any instance or found by a lookup) tells a valid token not yet cached from a
//   made-up one without the database.
// Failures and lookups of tokens not in the index are charged to the client's address
// (auth-throttle.ts). An address over its budget gets 429 for what is known bad or not in the index;
// a cached or indexed token still works from there (one bad client behind a NAT locks nobody out), and
// a flood of made-up tokens reaches the database at most AUTH_FAILURE_LIMIT times per address a window.
import { LRUCache } from 'lru-cache';
import {
  activeTokenKeys,
  authenticateToken,
  bearerToken,
  hashKey,
  hashToken,
  onTokenIssued,
  onTokenRevoked,
  tokenKey,
  type Viewer,
} from '../app/tokens.js';
import type { Services } from '../services.js';
import type { FailureThrottle } from './auth-throttle.js';

export type AuthOutcome =
  | { kind: 'anonymous' }
  | { kind: 'viewer'; viewer: Viewer }
  | { kind: 'rejected' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface Authenticator {
  /**
   * Missing → anonymous (only public fields such as introspection work); bad, unknown or revoked →
   * rejected; from an address over its budget (unless the token is cached or indexed) → throttled.
   */
  authenticate(authorization: unknown, address?: string): Promise<AuthOutcome>;
  /** Stops listening for revocations and issued tokens. */
  close(): void;
}

/** Resolves once revocations and new tokens are listened to and the index is loaded. */
export async function createAuthenticator(options: {
  db: Services['database']['db'];
  events: Services['events'];
  ttlMs: number;
  /** How long an unknown hash is remembered; 0 disables the negative cache. */
  negativeTtlMs?: number;
  throttle?: FailureThrottle | null;
  max?: number;
}): Promise<Authenticator> {
  const { db, ttlMs } = options;
  const max = options.max ?? 10_000;
  // Keyed by the token's hash: raw tokens are not kept in memory longer than a request.
  const cache = ttlMs > 0 ? new LRUCache<string, Viewer>({ max, ttl: ttlMs }) : null;
  const negativeTtl = options.negativeTtlMs ?? 0;
  const unknown = negativeTtl > 0 ? new LRUCache<string, true>({ max, ttl: negativeTtl }) : null;
  const throttle = options.throttle ?? null;
  const index = await tokenIndex(db, options.events);
  // Bumped by every revocation (issue): a lookup that began before one does not fill the positive
  // (negative) cache after it.
  let revocations = 0;
  let issues = 0;
  const unsubscribeRevoked = await onTokenRevoked(options.events, (tokenId) => {
    revocations++;
    for (const [hash, viewer] of cache?.entries() ?? []) if (viewer.tokenId === tokenId) cache?.delete(hash);
  });
  const unsubscribeIssued = await onTokenIssued(options.events, () => {
    issues++;
    unknown?.clear();
  });

  const retryAfter = (address: string | undefined) =>
    address === undefined ? 0 : (throttle?.retryAfter(address) ?? 0);
  const throttled = (retryAfterSeconds: number): AuthOutcome => {
    throttle?.refused();
    return { kind: 'throttled', retryAfterSeconds };
  };
  const rejected = (address: string | undefined, reason: 'malformed' | 'unknown', charged = false) => {
    if (address !== undefined && throttle) {
      if (!charged) throttle.charge(address);
      throttle.report(address, reason);
    }
    return { kind: 'rejected' } as const;
  };

  /** A database lookup; `charged` when the address paid for it (a token not in the index). */
  const lookUp = async (token: string, hash: string, address: string | undefined, charged: boolean) => {
    const [revokedBefore, issuedBefore] = [revocations, issues];
    const payer = charged ? address : undefined;
    const viewer = await paidLookup(throttle, payer, () => authenticateToken(db, token, hash));
    if (!viewer) {
      if (issues === issuedBefore) unknown?.set(hash, true);
      return rejected(address, 'unknown', charged);
    }
    index.add(hash);
    if (revocations === revokedBefore) cache?.set(hash, viewer);
    return { kind: 'viewer', viewer } as const;
  };

  return {
    async authenticate(authorization, address) {
      const token = bearerToken(authorization);
      if (token === null) return { kind: 'anonymous' };
      const wait = retryAfter(address);
      if (token === 'malformed') return wait > 0 ? throttled(wait) : rejected(address, 'malformed');
      const hash = hashToken(token);
      const cached = cache?.get(hash);
      if (cached) return { kind: 'viewer', viewer: cached };
      if (unknown?.has(hash)) return wait > 0 ? throttled(wait) : rejected(address, 'unknown');
      if (index.has(hash)) return lookUp(token, hash, address, false);
      return wait > 0 ? throttled(wait) : lookUp(token, hash, address, true);
    },
    close() {
      unsubscribeRevoked();
      unsubscribeIssued();
      index.close();
      throttle?.close();
    },
  };
}

/** A lookup an address pays for: given back when the token is valid or the database fails. */
async function paidLookup<T>(
  throttle: FailureThrottle | null,
  payer: string | undefined,
  lookup: () => Promise<T | null>,
): Promise<T | null> {
  if (payer === undefined || !throttle) return lookup();
  throttle.charge(payer);
  try {
    const found = await lookup();
    if (found) throttle.refund(payer);
    return found;
  } catch (error) {
    throttle.refund(payer); // the database failed, not the client
    throw error;
  }
}

/**
 * Every token that may be valid, as 48 bits of its hash: a made-up token is not in it. Revoked ones
 * stay until restart (their lookup fails once, then the negative cache has them).
 */
async function tokenIndex(db: Services['database']['db'], events: Services['events']) {
  const keys = new Set<number>(); // ~40 bytes a token (measured: 37 MB for a million)
  // Subscribed before the load, so no token issued meanwhile is missed. Until its read lands, a new
  // token is looked up within its address's budget.
  const unsubscribe = await onTokenIssued(events, (tokenId) => {
    tokenKey(db, tokenId).then(
      (key) => key !== null && keys.add(key),
      () => {},
    );
  });
  for (const key of await activeTokenKeys(db)) keys.add(key);
  return {
    has: (hash: string) => keys.has(hashKey(hash)),
    add: (hash: string) => void keys.add(hashKey(hash)),
    close: unsubscribe,
  };
}

/** What a throttled client is told (HTTP error message, WebSocket close reason: ≤ 123 bytes). */
export function throttledMessage(outcome: { retryAfterSeconds: number }): string {
  return `Too many failed sign-ins from your address. Retry after ${outcome.retryAfterSeconds} s.`;
}
