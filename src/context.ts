// Per-request (and per-WebSocket-operation) context: who is asking, the database, the services.
// DataLoaders live in Pothos's per-context cache; `freshRequestCache` starts a new one per
// subscription event so long-lived subscriptions never serve stale rows.
import { randomUUID } from 'node:crypto';
import { initContextCache } from '@pothos/core';
import type { AppContext } from './app/context.js';

/** The GraphQL request context is the use cases' context (plus Pothos's per-context loader cache). */
export type Context = AppContext;

export { viewerOf } from './app/context.js';

export function createContext(base: Omit<Context, 'requestId' | 'log'> & { requestId?: string }): Context {
  const requestId = base.requestId ?? randomUUID();
  let log: Context['log'] | undefined;
  return {
    ...initContextCache(),
    viewer: base.viewer,
    rateLimit: base.rateLimit ?? null,
    db: base.db,
    services: base.services,
    requestId,
    // Made on first use: most requests log nothing through it (the request log line has its own).
    get log() {
      log ??= base.services.logger.child({ requestId });
      return log;
    },
  };
}

/** Gives a context a new loader cache (used before each subscription event is resolved). */
export function freshRequestCache(context: Context): void {
  Object.assign(context, initContextCache());
}
