// One loop for every subscription: listen, read the current state, then re-read and send it after
// each notification while the viewer's token stays active; always unsubscribe at the end. The GraphQL
// layer subscribes through the use cases built on it and never names a NOTIFY channel.
import type { Channel, ChannelPayload } from '../db/notify.js';
import type { AppContext } from './context.js';
import { isTokenActive } from './tokens.js';

export interface LiveQuery<C extends Channel, T> {
  readonly channel: C;
  /** Which notifications concern this subscriber (its team, its provider or campaign…). */
  readonly filter: (payload: ChannelPayload<C>) => boolean;
  /** The state to send first, read once listening has started so no change is missed; null: none. */
  readonly snapshot: () => Promise<T | null>;
  /** The state to send after a notification; null sends nothing (gone, or already sent). */
  readonly load: (change: ChannelPayload<C>, snapshot: T | null) => Promise<T | null>;
}

export async function* liveStream<C extends Channel, T>(
  ctx: AppContext,
  query: LiveQuery<C, T>,
): AsyncGenerator<T> {
  const changes = ctx.services.events.iterate(query.channel, query.filter);
  try {
    await changes.ready;
    const first = await query.snapshot();
    if (first !== null) yield first;
    const signedIn = tokenWatch(ctx);
    for await (const change of changes) {
      if (!(await signedIn())) return;
      const next = await query.load(change, first);
      if (next !== null) yield next;
    }
  } finally {
    await changes.return?.();
  }
}

/** Per process and token: the last answer of the database, shared by every subscription of that token. */
const tokenChecks = new WeakMap<object, Map<string, { at: number; active: Promise<boolean> }>>();

/**
 * For long-lived subscriptions: answers whether the viewer's token is still active, asking the
 * database at most every SUBSCRIPTION_TOKEN_RECHECK_MS per token and process (a thousand dashboards
 * on one token cost one query per interval, not a thousand). A revoked token ends its subscriptions
 * at the next event after that.
 */
export function tokenWatch(context: AppContext): () => Promise<boolean> {
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
