// Turns an Authorization value (HTTP header or WebSocket connectionParams) into a viewer, through
// a small per-instance cache: a token's viewer is kept for AUTH_CACHE_TTL_MS, and a revocation on
// any instance (NOTIFY bff_token_revoked) drops it here at once.
import { LRUCache } from 'lru-cache';
import { authenticateToken, bearerToken, hashToken, onTokenRevoked, type Viewer } from '../app/tokens.js';
import type { Db } from '../db/client.js';
import type { Services } from '../services.js';

export type AuthOutcome = { kind: 'anonymous' } | { kind: 'viewer'; viewer: Viewer } | { kind: 'rejected' };

export interface Authenticator {
  /** Missing → anonymous (only public fields such as introspection work); bad, unknown or revoked → rejected. */
  authenticate(authorization: unknown): Promise<AuthOutcome>;
  /** Stops listening for revocations. */
  close(): void;
}

/** Resolves once revocations are being listened to, so no cached viewer can outlive one. */
export async function createAuthenticator(options: {
  db: Db;
  events: Services['events'];
  ttlMs: number;
  max?: number;
}): Promise<Authenticator> {
  const { db, ttlMs } = options;
  // Keyed by the token's hash: raw tokens are not kept in memory longer than a request.
  const cache = ttlMs > 0 ? new LRUCache<string, Viewer>({ max: options.max ?? 10_000, ttl: ttlMs }) : null;
  // Bumped by every revocation: a lookup that began before one does not fill the cache after it.
  let generation = 0;
  const unsubscribe = await onTokenRevoked(options.events, (tokenId) => {
    generation++;
    for (const [hash, viewer] of cache?.entries() ?? []) if (viewer.tokenId === tokenId) cache?.delete(hash);
  });

  return {
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (token === null) return { kind: 'anonymous' };
      if (token === 'malformed') return { kind: 'rejected' };
      const hash = hashToken(token);
      const cached = cache?.get(hash);
      if (cached) return { kind: 'viewer', viewer: cached };
      const startedAt = generation;
      const viewer = await authenticateToken(db, token, hash);
      if (!viewer) return { kind: 'rejected' };
      if (generation === startedAt) cache?.set(hash, viewer);
      return { kind: 'viewer', viewer };
    },
    close: unsubscribe,
  };
}
