// Per-request (and per-WebSocket-operation) context: who is asking, the database, the services.
// DataLoaders live in Pothos's per-context cache; `freshRequestCache` starts a new one per
// subscription event so long-lived subscriptions never serve stale rows.
import { randomUUID } from 'node:crypto';
import { initContextCache } from '@pothos/core';
import { isTokenActive, type Viewer } from './app/tokens.js';
import type { Db } from './db/client.js';
import type { Logger } from './logger.js';
import type { Services } from './services.js';

export interface Context {
  readonly viewer: Viewer | null;
  readonly db: Db;
  readonly services: Services;
  readonly requestId: string;
  readonly log: Logger;
}

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

/** The viewer, for resolvers behind an `authenticated` scope (the scope already guarantees it). */
export function viewerOf(context: Context): Viewer {
  if (!context.viewer) throw new Error('viewerOf called without an authenticated viewer');
  return context.viewer;
}

/** Per process and token: the last answer of the database, shared by every subscription of that token. */
const tokenChecks = new WeakMap<Services, Map<string, { at: number; active: Promise<boolean> }>>();

/**
 * For long-lived subscriptions: answers whether the viewer's token is still active, asking the
 * database at most every SUBSCRIPTION_TOKEN_RECHECK_MS per token and process (a thousand dashboards
 * on one token cost one query per interval, not a thousand). A revoked token ends its subscriptions
 * at the next event after that.
 */
export function tokenWatch(context: Context): () => Promise<boolean> {
  let checkedAt = Date.now();
  let active = true;
  const { services } = context;
  const checks = tokenChecks.get(services) ?? new Map();
  tokenChecks.set(services, checks);
  return async () => {
    if (!context.viewer) return false;
    const recheckMs = services.config.subscriptionTokenRecheckMs;
    if (active && Date.now() - checkedAt >= recheckMs) {
      const { tokenId } = context.viewer;
      let check = checks.get(tokenId);
      if (!check || Date.now() - check.at >= recheckMs || recheckMs === 0) {
        check = { at: Date.now(), active: isTokenActive(context.db, tokenId) };
        checks.set(tokenId, check);
        check.active.catch(() => checks.delete(tokenId));
      }
      active = await check.active;
      checkedAt = Date.now();
    }
    return active;
  };
}
