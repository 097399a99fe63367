// Cross-instance fan-out over PostgreSQL LISTEN/NOTIFY (PGlite: the same, in one process).
// Notifications carry ids only; subscribers re-read state. One LISTEN per channel per process,
// fanned out in memory to every local subscriber.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Database, DbOrTx } from './client.js';

export const CHANNELS = {
  integrationStatus: 'bff_integration_status',
  syncEvent: 'bff_sync_event',
  syncJobs: 'bff_sync_jobs',
  tokenRevoked: 'bff_token_revoked',
  tokenIssued: 'bff_token_issued',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

const payloadSchemas = {
  [CHANNELS.integrationStatus]: z.object({ teamId: z.string(), provider: z.string() }),
  [CHANNELS.syncEvent]: z.object({
    teamId: z.string(),
    campaignId: z.string().nullable(),
    id: z.string(),
    position: z.number().int(),
  }),
  [CHANNELS.syncJobs]: z.object({ teamId: z.string() }),
  [CHANNELS.tokenRevoked]: z.object({ tokenId: z.string() }),
  [CHANNELS.tokenIssued]: z.object({ tokenId: z.string() }),
} as const;
export type ChannelPayload<C extends Channel> = z.infer<(typeof payloadSchemas)[C]>;

/** Sends a notification; inside a transaction PostgreSQL delivers it only on commit. */
export async function notify<C extends Channel>(
  db: DbOrTx,
  channel: C,
  payload: ChannelPayload<C>,
): Promise<void> {
  await db.execute(sql`select pg_notify(${channel}, ${JSON.stringify(payload)})`);
}

type Listener = (payload: unknown) => void;

/** A channel's local listeners, and what each wants run when LISTEN is back after a reconnection. */
interface ChannelListeners {
  readonly payload: Set<Listener>;
  readonly resume: Set<() => void>;
}

export interface BusIterator<T> extends AsyncIterableIterator<T> {
  /** Resolves once LISTEN is active: read a snapshot after this and no change is missed. */
  readonly ready: Promise<void>;
}

export interface EventBus {
  /**
   * Calls `listener` with every valid payload on `channel`; resolves to an unsubscribe function.
   * `onResume` runs each time LISTEN is back after the connection was lost: notifications sent
   * meanwhile never arrive, so whoever relies on them re-reads state then.
   */
  on<C extends Channel>(
    channel: C,
    listener: (payload: ChannelPayload<C>) => void,
    options?: { onResume?: () => void },
  ): Promise<() => void>;
  /**
   * An async iterator of payloads matching `filter`, for subscriptions. Buffers while the consumer
   * is busy (bounded: on overflow the oldest are dropped, which is safe because payloads are only
   * hints to re-read state).
   */
  iterate<C extends Channel>(
    channel: C,
    filter: (payload: ChannelPayload<C>) => boolean,
    signal?: AbortSignal,
  ): BusIterator<ChannelPayload<C>>;
  close(): Promise<void>;
}

const MAX_BUFFER = 1000;

export function createEventBus(database: Database, logger: Logger): EventBus {
  const listeners = new Map<Channel, ChannelListeners>();
  const listening = new Map<Channel, Promise<() => Promise<void>>>();
  let closed = false;

  const bus: EventBus = {
    async on(channel, listener, options = {}) {
      if (closed) throw new Error('event bus closed');
      let set = listeners.get(channel);
      if (!set) {
        set = { payload: new Set(), resume: new Set() };
        listeners.set(channel, set);
      }
      const entry = listener as Listener;
      const { onResume } = options;
      set.payload.add(entry);
      if (onResume) set.resume.add(onResume);
      await ensureListening(database, logger, listening, listeners, channel);
      return () => {
        set.payload.delete(entry);
        if (onResume) set.resume.delete(onResume);
      };
    },
    iterate: (channel, filter, signal) => iterateChannel(bus, channel, filter, signal),
    async close() {
      closed = true;
      listeners.clear();
      const all = [...listening.values()];
      listening.clear();
      for (const pending of all) {
        try {
          await (await pending)();
        } catch {
          // closing anyway
        }
      }
    },
  };
  return bus;
}

/**
 * One LISTEN per channel and process; each valid payload goes to every listener of the channel, and
 * every LISTEN after the first (the connection was lost and is back) to every resume hook.
 */
async function ensureListening(
  database: Database,
  logger: Logger,
  listening: Map<Channel, Promise<() => Promise<void>>>,
  listeners: ReadonlyMap<Channel, ChannelListeners>,
  channel: Channel,
): Promise<void> {
  if (!listening.has(channel)) {
    let listens = 0;
    const onListen = () => {
      if (++listens === 1) return;
      logger.info({ channel }, 'listening again after a lost connection; listeners catch up');
      for (const resume of listeners.get(channel)?.resume ?? []) resume();
    };
    const onPayload = (raw: string) => {
      let parsed: unknown;
      try {
        parsed = payloadSchemas[channel].parse(JSON.parse(raw));
      } catch {
        logger.warn({ channel }, 'ignored a malformed notification');
        return;
      }
      for (const listener of listeners.get(channel)?.payload ?? []) listener(parsed);
    };
    listening.set(channel, database.listen(channel, onPayload, onListen));
  }
  await listening.get(channel);
}

/** `EventBus.iterate`: a bounded buffer of matching payloads over `bus.on`. */
function iterateChannel<C extends Channel>(
  bus: Pick<EventBus, 'on'>,
  channel: C,
  filter: (payload: ChannelPayload<C>) => boolean,
  signal?: AbortSignal,
): BusIterator<ChannelPayload<C>> {
  type P = ChannelPayload<C>;
  const buffer: P[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  let unsubscribe: (() => void) | null = null;
  const ready = bus
    .on(channel, (payload) => {
      if (!filter(payload)) return;
      buffer.push(payload);
      if (buffer.length > MAX_BUFFER) buffer.shift();
      wake?.();
    })
    .then((off) => {
      unsubscribe = off;
      if (done) off();
    });
  const finish = () => {
    done = true;
    unsubscribe?.();
    wake?.();
  };
  signal?.addEventListener('abort', finish, { once: true });
  const iterator: BusIterator<P> = {
    ready,
    async next() {
      await ready;
      while (!done && buffer.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
      if (done) return { done: true, value: undefined };
      return { done: false, value: buffer.shift() as P };
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
