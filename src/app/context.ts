// What a use case needs to know about the call it serves: who asks, the database, the services, and
// a logger tagged with the request id. Built by the root context.ts (GraphQL) or by any other caller.
import type { Db } from '../db/client.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Services } from '../services.js';
import type { Viewer } from './tokens.js';

/** The caller's API token budget after this request was charged (http/rate-limit.ts). */
export interface RateLimitStatus {
  readonly limit: number;
  readonly cost: number;
  readonly used: number;
  readonly remaining: number;
  readonly resetAt: Date;
}

export interface AppContext {
  readonly viewer: Viewer | null;
  /** Null for anonymous callers and when per-token limits are off. */
  readonly rateLimit?: RateLimitStatus | null;
  readonly db: Db;
  readonly services: Services;
  readonly requestId: string;
  readonly log: Logger;
}

/** The signed-in viewer; use cases call it first, so none runs for an anonymous caller. */
export function viewerOf(ctx: AppContext): Viewer {
  if (!ctx.viewer) throw new UnauthenticatedError();
  return ctx.viewer;
}

/** The viewer, if a team admin: use cases that change team-wide state check it themselves. */
export function requireAdmin(ctx: AppContext): Viewer {
  const viewer = viewerOf(ctx);
  if (viewer.role !== 'ADMIN') throw new ForbiddenError();
  return viewer;
}
