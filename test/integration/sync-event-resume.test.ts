// A live syncEvents subscriber misses no event across a lost LISTEN connection: notifications sent
// while it was down never arrive, so when LISTEN is back (the bus's onResume) every subscriber reads
// what follows its last delivered event from the log. A scripted bus stands in for LISTEN here; the
// log is a real database (PGlite, or PostgreSQL when TEST_DATABASE_URL is set).
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SyncEventDelivery, syncEventStream } from '../../src/app/sync-event-feed.js';
import type { Database } from '../../src/db/client.js';
import { CHANNELS, createEventBus, type EventBus } from '../../src/db/notify.js';
import { campaignContactsTable, syncEventsTable } from '../../src/db/schema.js';
import { insertSyncEvent } from '../../src/sync/record.js';
import { createSyncTeam, quietLogger } from '../helpers/outbox.js';
import { openTestDatabase } from '../helpers/server.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/** A bus whose notifications and reconnections the test makes happen. */
function scriptedBus() {
  const listeners = new Set<(payload: unknown) => void>();
  const resumes = new Set<() => void>();
  const bus: EventBus = {
    async on(_channel, listener, options) {
      const entry = listener as (payload: unknown) => void;
      listeners.add(entry);
      if (options?.onResume) resumes.add(options.onResume);
      return () => listeners.delete(entry);
    },
    iterate: () => {
      throw new Error('not used');
    },
    async close() {},
  };
  return {
    bus,
    listening: () => listeners.size > 0,
    notify: (payload: unknown) => {
      for (const listener of listeners) listener(payload);
    },
    reconnected: () => {
      for (const resume of resumes) resume();
    },
  };
}

/** Writes an event of the contact to the log (its NOTIFY reaches no one here); answers its row. */
async function writeEvent(teamId: string, campaignContactId: string, message: string) {
  const [cc] = await database.db
    .select({ campaignId: campaignContactsTable.campaignId })
    .from(campaignContactsTable)
    .where(eq(campaignContactsTable.id, campaignContactId));
  await insertSyncEvent(database.db, {
    teamId,
    campaignId: cc!.campaignId,
    campaignContactId,
    kind: 'SKIPPED',
    message,
  });
  const [row] = await database.db
    .select()
    .from(syncEventsTable)
    .where(eq(syncEventsTable.teamId, teamId))
    .orderBy(desc(syncEventsTable.position))
    .limit(1);
  return row!;
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)),
  ]);

describe('a live syncEvents subscriber across a lost LISTEN connection', () => {
  it('gets the events written while LISTEN was down once it is back, in order, once each', async () => {
    const team = await createSyncTeam(database.db, { contacts: 1 });
    const [ccId] = team.campaignContactIds as [string];
    const scripted = scriptedBus();
    const stream = syncEventStream(
      { events: scripted.bus, database, logger: quietLogger },
      { teamId: team.teamId, campaignId: null, after: null, allowed: async () => true },
    );
    const message = (d: IteratorResult<SyncEventDelivery>) => (d.done ? null : d.value.row.message);
    try {
      const first = stream.next();
      while (!scripted.listening()) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, 20)); // joined the feed
      const live = await writeEvent(team.teamId, ccId, 'live');
      scripted.notify({
        teamId: team.teamId,
        campaignId: live.campaignId,
        id: live.id,
        position: live.position,
      });
      expect(message(await within(first, 5_000, 'live event'))).toBe('live');

      // LISTEN is down: these two are in the log, their notifications are lost.
      await writeEvent(team.teamId, ccId, 'missed 1');
      await writeEvent(team.teamId, ccId, 'missed 2');
      scripted.reconnected();
      expect(message(await within(stream.next(), 5_000, 'first missed event'))).toBe('missed 1');
      expect(message(await within(stream.next(), 5_000, 'second missed event'))).toBe('missed 2');

      // Live again, with no duplicate of what the catch-up delivered.
      const after = await writeEvent(team.teamId, ccId, 'after');
      scripted.notify({
        teamId: team.teamId,
        campaignId: after.campaignId,
        id: after.id,
        position: after.position,
      });
      expect(message(await within(stream.next(), 5_000, 'event after the reconnection'))).toBe('after');
    } finally {
      await stream.return?.();
    }
  });
});

describe('the event bus over a LISTEN that reconnects', () => {
  it('runs onResume each time LISTEN is back, not the first time it is in place', async () => {
    let onListen: (() => void) | undefined;
    const fake = {
      ...database,
      listen: async (_channel: string, _onPayload: (raw: string) => void, listened?: () => void) => {
        onListen = listened;
        listened?.();
        return async () => {};
      },
    } as Database;
    const bus = createEventBus(fake, quietLogger);
    let resumed = 0;
    await bus.on(CHANNELS.syncJobs, () => {}, { onResume: () => resumed++ });
    expect(resumed).toBe(0);
    onListen?.();
    onListen?.();
    expect(resumed).toBe(2);
    await bus.close();
  });
});
