// Live sync events, fanned out once per process: one LISTEN, each notified event read once (events
// notified together in one query), and one loader set per team and batch that every subscriber of
// that team resolves its selection through. A subscriber replays from its cursor, then goes live:
// no gap (what it could not keep up with it reads again from the log), no duplicate, log order.
import type { Database } from '../db/client.js';
import { CHANNELS, type ChannelPayload, type EventBus } from '../db/notify.js';
import type { Logger } from '../logger.js';
import { createLoaders, type Loaders } from './loaders.js';
import { loadSyncEvents, type SyncEventRow, syncEventsAfter } from './sync-events.js';

/** A live delivery is one object shared by every subscriber that receives it (never mutate it). */
export interface SyncEventDelivery {
  readonly row: SyncEventRow;
  /** Shared by every subscriber of the event's team that receives it. */
  readonly loaders: Loaders;
}

type Notice = ChannelPayload<typeof CHANNELS.syncEvent>;

interface Member {
  readonly campaignId: string | null;
  deliver(delivery: SyncEventDelivery): void;
  /** The event could not be read: catch up from the log. */
  lost(position: number): void;
  /** Notifications may have been missed (LISTEN was lost and is back): catch up from the cursor. */
  resumed(): void;
}

interface Feed {
  join(teamId: string, member: Member): Promise<() => void>;
}

const feeds = new WeakMap<EventBus, Feed>();

/** Subscribers handed an event before the feed lets the event loop serve other I/O. */
const DELIVERY_CHUNK = 50;

function feedOf(events: EventBus, database: Database, logger: Logger): Feed {
  let feed = feeds.get(events);
  if (!feed) {
    feed = createFeed(events, database, logger);
    feeds.set(events, feed);
  }
  return feed;
}

function createFeed(events: EventBus, database: Database, logger: Logger): Feed {
  const teams = new Map<string, Set<Member>>();
  let pending: Notice[] = [];
  let flushing = false;
  let listening: Promise<unknown> | null = null;

  async function read(teamId: string, notices: Notice[]): Promise<void> {
    const members = teams.get(teamId);
    if (!members) return;
    let rows: SyncEventRow[];
    try {
      rows = await loadSyncEvents(database.db, teamId, [...new Set(notices.map((n) => n.id))]);
    } catch (error) {
      logger.warn({ err: error, teamId }, 'could not read notified sync events; subscribers catch up');
      for (const member of members) member.lost(Math.min(...notices.map((n) => n.position)));
      return;
    }
    const loaders = createLoaders(database.db, teamId);
    rows.sort((a, b) => a.position - b.position);
    // One delivery object per event for all: the GraphQL layer executes it once per group.
    const deliveries = rows.map((row): SyncEventDelivery => Object.freeze({ row, loaders }));
    const all = [...members];
    for (let start = 0; start < all.length; start += DELIVERY_CHUNK) {
      // Between chunks the event loop serves I/O (the workers' queries, Pinpoint calls): a burst to
      // a thousand sockets never holds them up for more than one chunk's sends.
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      for (const member of all.slice(start, start + DELIVERY_CHUNK)) {
        for (const delivery of deliveries) {
          const { campaignId } = delivery.row;
          if (member.campaignId === null || member.campaignId === campaignId) member.deliver(delivery);
        }
      }
    }
  }

  // One flush at a time, in notification order (commit order), so every subscriber sees log order.
  async function flush(): Promise<void> {
    flushing = true;
    try {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        const byTeam = new Map<string, Notice[]>();
        for (const notice of batch) byTeam.set(notice.teamId, [...(byTeam.get(notice.teamId) ?? []), notice]);
        await Promise.all([...byTeam].map(([teamId, notices]) => read(teamId, notices)));
      }
    } finally {
      flushing = false;
    }
  }

  function onNotice(notice: Notice): void {
    if (!teams.has(notice.teamId)) return;
    pending.push(notice);
    if (!flushing) void flush();
  }

  function onResume(): void {
    for (const members of teams.values()) for (const member of members) member.resumed();
  }

  return {
    async join(teamId, member) {
      listening ??= events.on(CHANNELS.syncEvent, onNotice, { onResume });
      await listening;
      const members = teams.get(teamId) ?? new Set();
      members.add(member);
      teams.set(teamId, members);
      return () => {
        members.delete(member);
        if (members.size === 0 && teams.get(teamId) === members) teams.delete(teamId);
      };
    },
  };
}

/** Live deliveries waiting for one subscriber; past MAX_WAITING it keeps only where to catch up from. */
const MAX_WAITING = 1_000;
const REPLAY_PAGE = 100;
/** How soon a catch-up that could not read the log tries again. */
const REPLAY_RETRY_MS = 500;

class Inbox {
  private readonly waiting: SyncEventDelivery[] = [];
  /** Set when deliveries were dropped or unreadable: the lowest position not delivered. */
  lostFrom: number | null = null;
  /** Set when notifications may have been missed: catch up from the last delivered event. */
  private resumed = false;
  private wake: (() => void) | null = null;
  private ended = false;

  deliver(delivery: SyncEventDelivery): void {
    if (this.lostFrom !== null) return;
    if (this.waiting.length >= MAX_WAITING) {
      this.lost(this.waiting[0]!.row.position);
      return;
    }
    this.waiting.push(delivery);
    this.wake?.();
  }

  lost(position: number): void {
    const first = this.waiting[0]?.row.position ?? position;
    this.lostFrom = Math.min(this.lostFrom ?? first, first, position);
    this.waiting.length = 0;
    this.wake?.();
  }

  resume(): void {
    this.resumed = true;
    this.wake?.();
  }

  /** Waits `ms`, or less if the stream ends meanwhile. */
  async pause(ms: number): Promise<void> {
    if (this.ended) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.wake = null;
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /**
   * The next delivery; 'lost' when the subscriber must catch up from the log (from the first lost
   * event), 'resumed' when from its last delivered event; null once ended.
   */
  async next(): Promise<SyncEventDelivery | 'lost' | 'resumed' | null> {
    while (!this.ended && this.lostFrom === null && !this.resumed && this.waiting.length === 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
    if (this.ended) return null;
    if (this.lostFrom !== null) return 'lost';
    if (this.resumed) {
      this.resumed = false;
      return 'resumed';
    }
    return this.waiting.shift()!;
  }
}

export interface SyncEventStreamArgs {
  readonly teamId: string;
  /** Only this campaign's events; null for all of the team. */
  readonly campaignId: string | null;
  /** Replay every event after this position first; null to stream live only. */
  readonly after: number | null;
  /** Asked before each delivery; false ends the stream (a revoked token). */
  readonly allowed: () => Promise<boolean>;
}

/** The stream of one subscriber; `return()` ends it at once, even while it waits. */
export function syncEventStream(
  services: { events: EventBus; database: Database; logger: Logger },
  args: SyncEventStreamArgs,
): AsyncIterableIterator<SyncEventDelivery> {
  const inbox = new Inbox();
  const generator = deliveries(feedOf(services.events, services.database, services.logger), inbox, {
    ...args,
    db: services.database,
  });
  const iterator: AsyncIterableIterator<SyncEventDelivery> = {
    next: () => generator.next(),
    async return() {
      inbox.end();
      return generator.return(undefined);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function* deliveries(
  feed: Feed,
  inbox: Inbox,
  args: SyncEventStreamArgs & { db: Database },
): AsyncGenerator<SyncEventDelivery> {
  const { teamId, campaignId } = args;
  const leave = await feed.join(teamId, {
    campaignId,
    deliver: (d) => inbox.deliver(d),
    lost: (p) => inbox.lost(p),
    resumed: () => inbox.resume(),
  });
  try {
    let last = args.after;
    let replay = last !== null;
    for (;;) {
      if (replay && last !== null) {
        for (;;) {
          let rows: SyncEventRow[];
          try {
            rows = await syncEventsAfter(args.db.db, teamId, {
              campaignId,
              position: last,
              limit: REPLAY_PAGE,
            });
          } catch {
            // The database is unreachable (a catch-up runs when the connection comes back, and it
            // may drop again): live events wait too, and the catch-up tries again shortly.
            inbox.lost(last + 1);
            await inbox.pause(REPLAY_RETRY_MS);
            break;
          }
          const loaders = createLoaders(args.db.db, teamId);
          for (const row of rows) {
            if (!(await args.allowed())) return;
            yield { row, loaders };
            last = row.position;
          }
          if (rows.length < REPLAY_PAGE) break;
        }
      }
      const next = await inbox.next();
      if (next === null) return;
      if (next === 'lost') {
        // Everything after the last delivered event is replayed; live-only, from the first one lost.
        last ??= (inbox.lostFrom ?? 1) - 1;
        inbox.lostFrom = null;
        replay = true;
        continue;
      }
      if (next === 'resumed') {
        // Events notified while LISTEN was down never arrive: read what follows the last delivered
        // one from the log (a live-only subscriber that got nothing yet has no place to start from).
        replay = last !== null;
        continue;
      }
      replay = false;
      if (next.row.teamId !== teamId || (last !== null && next.row.position <= last)) continue;
      if (!(await args.allowed())) return;
      yield next;
      last = next.row.position;
    }
  } finally {
    leave();
  }
}
