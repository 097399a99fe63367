// One loop for every subscription: listen, read the current state, then re-read and send it after
// each notification while the viewer's token stays active; always unsubscribe at the end.
import { type Context, tokenWatch } from '../context.js';
import type { Channel, ChannelPayload } from '../db/notify.js';

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
  ctx: Context,
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
