// Answers to team-data reads (a dashboard's campaigns and their contacts), kept per team in a bounded
// LRU and dropped the moment a change of that team's data is heard (db/team-changes.ts). What may be
// cached is decided by the GraphQL layer (graphql/read-cache.ts); this module keeps the rules that make
// a cached answer never older than the request that receives it:
// - an answer is served only after the feed's barrier: every change committed before the request
//   arrived has been heard, and would have dropped it;
// - an answer is stored only when no change of its team (and no reset) was heard while it was made, so
//   a read that raced a commit is not kept;
// - while the feed is disarmed (its connection dropped), nothing is served or stored.
import { LRUCache } from 'lru-cache';
import type { Database } from '../db/client.js';
import { openTeamChangeFeed, type TeamChangeFeed } from '../db/team-changes.js';
import type { Logger } from '../logger.js';

/** Taken before an answer is made; storing with it fails if the team changed meanwhile. */
export interface ReadTicket {
  readonly teamId: string;
  readonly generation: number;
  readonly epoch: number;
}

export interface ReadCache<T> {
  /** The team's cached answer under `key`, once it is proved current; undefined otherwise. */
  get(teamId: string, key: string): Promise<T | undefined>;
  /** A ticket for an answer about to be made, or null when nothing can be stored now. */
  ticket(teamId: string): ReadTicket | null;
  /** Keeps `value` (`bytes`: its JSON length) unless its team changed since `ticket` was taken. */
  store(ticket: ReadTicket, key: string, value: T, bytes: number): void;
  /** Counters since start, for tests and metrics. */
  stats(): { hits: number; misses: number; entries: number };
  close(): Promise<void>;
}

/** Estimated heap bytes per byte of an answer's JSON (see `store`). */
const HEAP_PER_JSON_BYTE = 2;

interface Entry<T> {
  readonly value: T;
  readonly teamId: string;
}

export async function openReadCache<T>(
  database: Database,
  options: { maxBytes: number; logger: Logger },
): Promise<ReadCache<T>> {
  const generations = new Map<string, number>();
  const keysByTeam = new Map<string, Set<string>>();
  let epoch = 0;
  const counters = { hits: 0, misses: 0 };
  const entries = new LRUCache<string, Entry<T>>({
    maxSize: options.maxBytes,
    dispose: (entry, key) => {
      const keys = keysByTeam.get(entry.teamId);
      keys?.delete(key);
      if (keys?.size === 0) keysByTeam.delete(entry.teamId);
    },
  });
  const dropTeam = (teamId: string) => {
    generations.set(teamId, (generations.get(teamId) ?? 0) + 1);
    const keys = keysByTeam.get(teamId);
    if (keys) for (const key of [...keys]) entries.delete(key);
  };
  const feed: TeamChangeFeed = await openTeamChangeFeed(
    database,
    {
      onChange: dropTeam,
      onReset: () => {
        epoch += 1;
        entries.clear();
      },
    },
    options.logger,
  );
  const fullKey = (teamId: string, key: string) => `${teamId}\u0000${key}`;

  return {
    async get(teamId, key) {
      const k = fullKey(teamId, key);
      if (!entries.has(k) || !(await feed.barrier())) {
        counters.misses += 1;
        return undefined;
      }
      const entry = entries.get(k); // gone if the barrier heard a change of the team
      if (entry) counters.hits += 1;
      else counters.misses += 1;
      return entry?.value;
    },
    ticket(teamId) {
      if (!feed.armed) return null;
      return { teamId, generation: generations.get(teamId) ?? 0, epoch };
    },
    store(ticket, key, value, bytes) {
      const current = (generations.get(ticket.teamId) ?? 0) === ticket.generation;
      if (!current || ticket.epoch !== epoch || !feed.armed) return;
      const k = fullKey(ticket.teamId, key);
      // Held as objects, an answer takes more heap than its JSON length (1.3× measured for the
      // benchmark's dashboard; 2× leaves room); the key is held twice, up to 2 bytes a character.
      const size = HEAP_PER_JSON_BYTE * bytes + 4 * k.length;
      if (size > options.maxBytes / 4) return; // one answer never pushes most others out
      entries.set(k, { value, teamId: ticket.teamId }, { size });
      if (!entries.has(k)) return;
      let keys = keysByTeam.get(ticket.teamId);
      if (!keys) {
        keys = new Set();
        keysByTeam.set(ticket.teamId, keys);
      }
      keys.add(k);
    },
    stats: () => ({ ...counters, entries: entries.size }),
    close: () => feed.close(),
  };
}
