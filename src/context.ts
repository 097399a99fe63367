// Per-request (and per-WebSocket-operation) context: who is asking, the database, the services.
// DataLoaders live in Pothos's per-context cache; `freshRequestCache` starts a new one per
// subscription event so long-lived subscriptions never serve stale rows.
import { randomUUID } from 'node:crypto';
import { initContextCache } from '@pothos/core';
import type { AppContext } from './app/context.js';
import { isTokenActive } from './app/tokens.js';

/** The GraphQL request context is the use cases' context (plus Pothos's per-context loader cache). */
export type Context = AppContext;

export { viewerOf } from './app/context.js';

export function createContext(base: Omit<Context, 'requestId' | 'log'> & { requestId?: string }): Context {
  const requestId = base.requestId ?? randomUUID();
  return {
    ...initContextCache(),
    viewer: base.viewer,
    db: base.db,
    services: base.services,
    requestId,
    log: base.services.logger.child({ requestId }),
  };
}

/** Gives a context a new loader cache (used before each subscription event is resolved). */
export function freshRequestCache(context: Context): void {
  Object.assign(context, initContextCache());
}

/**
 * For long-lived subscriptions: answers whether the viewer's token is still active, asking the
 * database at most every SUBSCRIPTION_TOKEN_RECHECK_MS. A revoked token ends its subscriptions at
 * the next event after that.
 */
export function tokenWatch(context: Context): () => Promise<boolean> {
  let checkedAt = Date.now();
  let active = true;
  return async () => {
    if (!context.viewer) return false;
    if (active && Date.now() - checkedAt >= context.services.config.subscriptionTokenRecheckMs) {
      active = await isTokenActive(context.db, context.viewer.tokenId);
      checkedAt = Date.now();
    }
    return active;
  };
}
