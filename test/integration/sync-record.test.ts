// A push's SYNCED record that also completes its job (ClaimedJob.complete): in the same statement,
// only while the worker still holds the lease, and never while notes wait to be written; and the
// job's context in one statement. On a real database (PGlite, or PostgreSQL when TEST_DATABASE_URL is set).
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { loadSyncContexts } from '../../src/db/queries/sync-context.js';
import {
  activitiesTable,
  campaignContactsTable,
  integrationsTable,
  syncEventsTable,
  usersTable,
} from '../../src/db/schema.js';
import type { ClaimedRow } from '../../src/sync/claim.js';
import { completionOf } from '../../src/sync/outbox.js';
import { rowsOf } from '../../src/sync/rate-limit.js';
import { recordSync } from '../../src/sync/record.js';
import { claimTeamJobs, createSyncTeam, delay, enqueue, jobById } from '../helpers/outbox.js';
import { openTestDatabase, usingPostgres } from '../helpers/server.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

/** A team with one contact whose one job is claimed (RUNNING under a fresh lease). */
async function claimedJob(): Promise<{ job: ClaimedRow; teamId: string; campaignId: string }> {
  const team = await createSyncTeam(database.db, { contacts: 1 });
  const ccId = team.campaignContactIds[0]!;
  await enqueue(database.db, team.teamId, [ccId]);
  const [job] = await claimTeamJobs(database.db, team.teamId, 1);
  const [cc] = await database.db
    .select({ campaignId: campaignContactsTable.campaignId })
    .from(campaignContactsTable)
    .where(eq(campaignContactsTable.id, ccId));
  return { job: job!, teamId: team.teamId, campaignId: cc!.campaignId };
}

const synced = (job: ClaimedRow, campaignId: string) =>
  [
    {
      teamId: job.teamId,
      campaignId,
      campaignContactId: job.campaignContactId,
      kind: 'CREATED' as const,
      message: 'Created the Pinpoint application app-1.',
    },
    { syncStatus: 'SYNCED' as const, pinpointApplicationId: 'app-1', pinpointCandidateId: 'cand-1' },
  ] as const;

async function eventsOf(ccId: string) {
  return database.db.select().from(syncEventsTable).where(eq(syncEventsTable.campaignContactId, ccId));
}

describe(`a push's record that completes its job, on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('marks the job DONE with the link, the status and the event, in one statement', async () => {
    const { job, campaignId } = await claimedJob();
    const [event, patch] = synced(job, campaignId);
    const recorded = await recordSync(database.db, event, patch, { complete: completionOf(job) });
    expect(recorded).toEqual({ waitingNotes: false, completed: true });
    expect((await jobById(database.db, job.id))?.status).toBe('DONE');
    const [cc] = await database.db
      .select()
      .from(campaignContactsTable)
      .where(eq(campaignContactsTable.id, job.campaignContactId));
    expect(cc).toMatchObject({ syncStatus: 'SYNCED', pinpointApplicationId: 'app-1' });
    expect((await eventsOf(job.campaignContactId)).map((e) => e.kind)).toEqual(['CREATED']);
  });

  it('records but leaves the job alone when the lease was lost', async () => {
    const { job, campaignId } = await claimedJob();
    const [event, patch] = synced(job, campaignId);
    const stranger = completionOf({ id: job.id, leaseOwner: 'another-worker#1' });
    const recorded = await recordSync(database.db, event, patch, { complete: stranger });
    expect(recorded).toEqual({ waitingNotes: false, completed: false });
    expect((await jobById(database.db, job.id))?.status).toBe('RUNNING');
    expect((await eventsOf(job.campaignContactId)).map((e) => e.kind)).toEqual(['CREATED']);
  });

  it('does not complete the job while a held note waits to be written', async () => {
    const { job, teamId, campaignId } = await claimedJob();
    await database.db.insert(activitiesTable).values({
      teamId,
      campaignContactId: job.campaignContactId,
      type: 'REPLY_RECEIVED',
      occurredAt: new Date(),
      noteStatus: 'HELD',
    });
    const [event, patch] = synced(job, campaignId);
    const recorded = await recordSync(database.db, event, patch, { complete: completionOf(job) });
    expect(recorded).toEqual({ waitingNotes: true, completed: false });
    expect((await jobById(database.db, job.id))?.status).toBe('RUNNING');
  });

  it('reads the context with the owner and the authors of the contact’s activities in one statement', async () => {
    const { job, teamId } = await claimedJob();
    const [member] = await database.db
      .insert(usersTable)
      .values({ teamId, email: `author-${job.id.slice(0, 8)}@example.com`, role: 'MEMBER' })
      .returning();
    await database.db.insert(activitiesTable).values({
      teamId,
      campaignContactId: job.campaignContactId,
      type: 'CALL_LOGGED',
      occurredAt: new Date(),
      actorUserId: member!.id,
    });
    const ctx = (await loadSyncContexts(database.db, teamId, [job.campaignContactId])).get(
      job.campaignContactId,
    );
    expect(ctx?.owner.email).toMatch(/^owner-/);
    expect(ctx?.owner.isAdmin).toBe(true);
    expect([...(ctx?.actors ?? [])]).toEqual([[member!.id, member!.email]]);
    expect((await loadSyncContexts(database.db, crypto.randomUUID(), [job.campaignContactId])).size).toBe(0);
  });

  // PostgreSQL only: PGlite has one connection, so nothing can hold a row while the record runs.
  it.skipIf(!usingPostgres)(
    'takes the team’s event-log lock only after its row work, so it never holds the log while waiting for a row',
    async () => {
      const { job, teamId, campaignId } = await claimedJob();
      // A failure on record: the completion's breaker reset must update the integration's row.
      await database.db
        .update(integrationsTable)
        .set({ breakerFailures: 1 })
        .where(eq(integrationsTable.teamId, teamId));
      const other = await openTestDatabase();
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let rowLocked!: () => void;
      const locked = new Promise<void>((resolve) => {
        rowLocked = resolve;
      });
      try {
        // Another transaction holds the integration's row (as an activation or a webhook would).
        const holder = other.db.transaction(async (tx) => {
          await tx.execute(sql`select 1 from integrations where team_id = ${teamId} for update`);
          rowLocked();
          await held;
        });
        await locked;
        const [event, patch] = synced(job, campaignId);
        const recording = recordSync(database.db, event, patch, { complete: completionOf(job) });
        await delay(300);
        // The record waits for that row: the team's log must still be free for other writers.
        const free = await other.db.transaction(async (tx) =>
          rowsOf<{ free: boolean }>(
            await tx.execute(
              sql`select pg_try_advisory_xact_lock(hashtextextended(${`sync_events:${teamId}`}, 0)) as free`,
            ),
          ),
        );
        expect(free[0]?.free).toBe(true);
        release();
        await holder;
        expect(await recording).toEqual({ waitingNotes: false, completed: true });
      } finally {
        release();
        await other.close();
      }
    },
  );
});
