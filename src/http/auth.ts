// Turns an Authorization value (HTTP header or WebSocket connectionParams) into a viewer, through
// two small per-instance caches keyed by the token's hash:
// - a token's viewer is kept for AUTH_CACHE_TTL_MS, and a revocation on any instance
//   (NOTIFY bff_token_revoked) drops it here at once;
// - a hash found unknown (or revoked) is remembered for AUTH_NEGATIVE_CACHE_TTL_MS, so repeating a
//   wrong token never reaches the database; a token issued on any instance (NOTIFY bff_token_issued)
//   empties that cache at once, so a new token works immediately everywhere.
// Failures count against the client's address (auth-throttle.ts); a throttled address gets 429
// before any lookup, except for a token already known valid.
import { LRUCache } from 'lru-cache';
import {
  authenticateToken,
  bearerToken,
  hashToken,
  onTokenIssued,
  onTokenRevoked,
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
   * rejected; from an address over its failure limit (unless the token is known valid) → throttled.
   */
  authenticate(authorization: unknown, address?: string): Promise<AuthOutcome>;
  /** Stops listening for revocations and issued tokens. */
  close(): void;
}

/** Resolves once revocations and new tokens are being listened to, so no cache outlives one. */
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

  const throttled = (address: string | undefined): AuthOutcome | null => {
    const retryAfterSeconds = address === undefined ? 0 : (throttle?.retryAfter(address) ?? 0);
    if (retryAfterSeconds === 0) return null;
    throttle?.refused();
    return { kind: 'throttled', retryAfterSeconds };
  };
  const rejected = (address: string | undefined, reason: 'malformed' | 'unknown'): AuthOutcome => {
    if (address !== undefined) throttle?.failed(address, reason);
    return { kind: 'rejected' };
  };

  return {
    async authenticate(authorization, address) {
      const token = bearerToken(authorization);
      if (token === null) return { kind: 'anonymous' };
      if (token === 'malformed') return throttled(address) ?? rejected(address, 'malformed');
      const hash = hashToken(token);
      const cached = cache?.get(hash);
      if (cached) return { kind: 'viewer', viewer: cached };
      const refusal = throttled(address);
      if (refusal) return refusal;
      if (unknown?.has(hash)) return rejected(address, 'unknown');
      const [revokedBefore, issuedBefore] = [revocations, issues];
      const viewer = await authenticateToken(db, token, hash);
      if (!viewer) {
        if (issues === issuedBefore) unknown?.set(hash, true);
        return rejected(address, 'unknown');
      }
      if (revocations === revokedBefore) cache?.set(hash, viewer);
      return { kind: 'viewer', viewer };
    },
    close() {
      unsubscribeRevoked();
      unsubscribeIssued();
      throttle?.close();
    },
  };
}

/** What a throttled client is told (HTTP error message, WebSocket close reason: ≤ 123 bytes). */
export function throttledMessage(outcome: { retryAfterSeconds: number }): string {
  return `Too many failed sign-ins from your address. Retry after ${outcome.retryAfterSeconds} s.`;
}
