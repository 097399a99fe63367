// The hand-off: a completing job passes its slot to the next job of its integration in the
// completion's own statement (claim.ts#handOffCtes), on a real database (PGlite, or PostgreSQL when
// TEST_DATABASE_URL is set), and workers handing their slots along.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { loadSyncContexts } from '../../src/db/queries/sync-context.js';
import {
  activitiesTable,
  campaignContactsTable,
  campaignsTable,
  contactsTable,
  integrationsTable,
  teamSettingsTable,
  userSettingsTable,
  usersTable,
} from '../../src/db/schema.js';
import type { ClaimedRow, HandOff } from '../../src/sync/claim.js';
import type { JobExecutor } from '../../src/sync/executor-types.js';
import { completeSyncJob, completionOf } from '../../src/sync/outbox.js';
import { rowsOf } from '../../src/sync/rate-limit.js';
import { startWorkers, type Workers } from '../../src/sync/worker.js';
import {
  claimTeamJobs,
  createSyncTeam,
  enqueue,
  fastSettings,
  jobById,
  jobsOf,
  quietLogger,
  RecordingExecutor,
  waitFor,
} from '../helpers/outbox.js';
import { openTestDatabase, usingPostgres } from '../helpers/server.js';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

let seq = 0;
const newTeam = (options: Parameters<typeof createSyncTeam>[1]) => createSyncTeam(database.db, options);
const claim = (team: { teamId: string }, limit: number) => claimTeamJobs(database.db, team.teamId, limit);

/** Completes `job` with a hand-off under a fresh owner; answers what was completed and handed off. */
async function completeHandingOff(job: ClaimedRow, error: string | null = null, cap = 2) {
  const handOff: HandOff = {
    owner: `hand-off#${++seq}`,
    leaseMs: 5_000,
    maxAttempts: 5,
    perIntegrationConcurrency: cap,
    jobId: job.id,
    teamId: job.teamId,
    integrationId: job.integration.id,
  };
  let next: ClaimedRow | null = null;
  const completion = completionOf(job, {
    error,
    handOff: { next: () => handOff, take: (row) => (next = row) },
  });
  const completed = await completeSyncJob(database.db, completion);
  return { completed, next: next as ClaimedRow | null, owner: handOff.owner };
}

async function liveLeases(teamId: string): Promise<number> {
  const result = await database.db.execute(sql`
    select count(*)::int as n from sync_jobs
     where team_id = ${teamId} and status = 'RUNNING' and lease_until >= now()`);
  return Number(rowsOf<{ n: number }>(result)[0]?.n);
}

describe(`hand-off on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('takes the oldest waiting job under the new owner as the completed one ends, keeping the lease count', async () => {
    const team = await newTeam({ contacts: 4 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [first, second] = await claim(team, 10);
    expect([first?.id, second?.id]).toEqual(ids.slice(0, 2));
    expect(await liveLeases(team.teamId)).toBe(2);

    const { completed, next, owner } = await completeHandingOff(first!);
    expect(completed).toBe(true);
    expect(next).toMatchObject({
      id: ids[2],
      teamId: team.teamId,
      campaignContactId: team.campaignContactIds[2],
      status: 'RUNNING',
      attempts: 0,
      leaseOwner: owner,
      integration: { id: first!.integration.id, keyGeneration: first!.integration.keyGeneration },
    });
    expect(next?.payload).toMatchObject({ v: 1 });
    expect(await jobById(database.db, first!.id)).toMatchObject({ status: 'DONE', leaseOwner: null });
    expect(await jobById(database.db, ids[2]!)).toMatchObject({ status: 'RUNNING', leaseOwner: owner });
    // One lease ended as the other began: the cap of 2 holds without the claim's lock.
    expect(await liveLeases(team.teamId)).toBe(2);
    expect(await claim(team, 10)).toEqual([]);
  });

  it('carries the handed-off job its context, as loadSyncContexts reads it', async () => {
    const team = await newTeam({ contacts: 3 });
    const [cc] = await database.db
      .select()
      .from(campaignContactsTable)
      .where(eq(campaignContactsTable.id, team.campaignContactIds[1]!));
    const [campaign] = await database.db
      .select()
      .from(campaignsTable)
      .where(eq(campaignsTable.id, cc!.campaignId));
    // Everything a context is made of, set: settings of the team and of the owner, an override,
    // data of the contact, and an activity recorded by a colleague.
    const [colleague] = await database.db
      .insert(usersTable)
      .values({ teamId: team.teamId, email: `colleague-${++seq}@example.com`, role: 'MEMBER' })
      .returning();
    await database.db
      .insert(teamSettingsTable)
      .values({ teamId: team.teamId, settings: { defaultSyncAs: 'APPLICATION' }, fieldMappings: [] });
    await database.db
      .insert(userSettingsTable)
      .values({ teamId: team.teamId, userId: campaign!.ownerId, settings: {} });
    await database.db
      .update(contactsTable)
      .set({ firstName: "Zoë O'Brien", phone: '+44 20 7946 0000', company: 'Engines "Ltd"' })
      .where(eq(contactsTable.id, cc!.contactId));
    await database.db
      .update(campaignContactsTable)
      .set({
        overrideOptions: { updateExisting: 'ONLY_IF_BLANK' },
        overrideUpdatedAt: new Date(),
        blockedFields: ['phone'],
      })
      .where(eq(campaignContactsTable.id, cc!.id));
    await database.db.insert(activitiesTable).values({
      teamId: team.teamId,
      campaignContactId: cc!.id,
      type: 'REPLY_RECEIVED',
      channel: 'EMAIL',
      occurredAt: new Date(),
      actorUserId: colleague!.id,
    });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds.slice(0, 2));
    const [first] = await claim(team, 1);
    expect(first?.id).toBe(ids[0]);
    const { next } = await completeHandingOff(first!);
    expect(next?.campaignContactId).toBe(cc!.id);
    const read = (await loadSyncContexts(database.db, team.teamId, [cc!.id])).get(cc!.id);
    expect(read?.actors.get(colleague!.id)).toBe(colleague!.email);
    expect(read?.campaignContact.overrideUpdatedAt).toBeInstanceOf(Date);
    expect(next?.context).toEqual(read);
  });

  it('hands off after a permanent failure too, recording its error', async () => {
    const team = await newTeam({ contacts: 2 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [first] = await claim(team, 1);
    const { completed, next } = await completeHandingOff(first!, 'Pinpoint answered 422: job is closed');
    expect(completed).toBe(true);
    expect(next?.id).toBe(ids[1]);
    expect(await jobById(database.db, ids[0]!)).toMatchObject({
      status: 'DONE',
      lastError: 'Pinpoint answered 422: job is closed',
    });
  });

  it('never hands off a job of the same contact while the completing one still holds it', async () => {
    const team = await newTeam({ contacts: 1 });
    const [cc] = team.campaignContactIds as [string];
    const [a1] = await enqueue(database.db, team.teamId, [cc]);
    const [a2] = await enqueue(database.db, team.teamId, [cc]);
    const [first] = await claim(team, 10);
    expect(first?.id).toBe(a1);
    // The statement sees the completing job still running: its contact's next job waits for a claim.
    const { completed, next } = await completeHandingOff(first!);
    expect(completed).toBe(true);
    expect(next).toBeNull();
    expect((await jobById(database.db, a2!)).status).toBe('QUEUED');
    expect((await claim(team, 10)).map((j) => j.id)).toEqual([a2]);
  });

  it('hands nothing off when the lease was lost, the queue is empty, or the integration cannot run', async () => {
    const team = await newTeam({ contacts: 5 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [first, second] = await claim(team, 10);

    // A completion from a worker that lost its lease completes nothing and takes nothing.
    const stranger = await completeHandingOff({ ...first!, leaseOwner: 'another-worker#1' });
    expect(stranger).toMatchObject({ completed: false, next: null });
    expect((await jobById(database.db, ids[2]!)).status).toBe('QUEUED');

    // Breaker open: the job completes, its slot is not passed on.
    await database.db
      .update(integrationsTable)
      .set({ breakerOpenUntil: new Date(Date.now() + 60_000) })
      .where(eq(integrationsTable.teamId, team.teamId));
    expect(await completeHandingOff(first!)).toMatchObject({ completed: true, next: null });

    // Disconnected: the same.
    await database.db
      .update(integrationsTable)
      .set({ breakerOpenUntil: null, status: 'ERROR' })
      .where(eq(integrationsTable.teamId, team.teamId));
    expect(await completeHandingOff(second!)).toMatchObject({ completed: true, next: null });
    for (const id of ids.slice(2)) expect((await jobById(database.db, id)).status).toBe('QUEUED');
  });

  it('passes on only a live lease, and only below the cap counting the others', async () => {
    const team = await newTeam({ contacts: 4 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [first, second] = await claim(team, 10);
    // The cap went down to 1 meanwhile: the other live lease already fills it.
    expect(await completeHandingOff(first!, null, 1)).toMatchObject({ completed: true, next: null });
    expect(await liveLeases(team.teamId)).toBe(1);

    // A lease that expired unnoticed may already have been replaced by a claim: it does not pass on.
    await database.db.execute(
      sql`update sync_jobs set lease_until = now() - interval '1 second' where id = ${second!.id}`,
    );
    expect(await completeHandingOff(second!)).toMatchObject({ completed: true, next: null });
    for (const id of ids.slice(2)) expect((await jobById(database.db, id)).status).toBe('QUEUED');
  });

  it('hands nothing off when no job is due', async () => {
    const team = await newTeam({ contacts: 1 });
    await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [only] = await claim(team, 1);
    expect(await completeHandingOff(only!)).toMatchObject({ completed: true, next: null });
  });
});

describe(`workers handing their slots along on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('runs every job once, and gives another team its turn after a run of hand-offs', async () => {
    const busy = await newTeam({ contacts: 40 });
    const other = await newTeam({ contacts: 1 });
    await enqueue(database.db, busy.teamId, busy.campaignContactIds);
    await enqueue(database.db, other.teamId, other.campaignContactIds);
    const executor = new RecordingExecutor();
    const workers = startWorkers({
      database,
      executor,
      logger: quietLogger,
      concurrency: 1,
      settings: fastSettings(),
      onlyTeams: [busy.teamId, other.teamId],
    });
    const done = async (teamId: string) =>
      (await jobsOf(database.db, teamId)).every((j) => j.status === 'DONE');
    try {
      await waitFor(async () => (await done(busy.teamId)) && done(other.teamId), 20_000, 'every job DONE');
    } finally {
      await workers.stop();
    }
    const order = executor.executions.map((e) => e.teamId);
    expect(order).toHaveLength(41);
    expect(new Set(executor.executions.map((e) => e.jobId)).size).toBe(41);
    // One claim and at most 16 hand-offs in a row: then the claim serves the other team first.
    expect(order.indexOf(other.teamId)).toBeLessThanOrEqual(17);
  });

  it('hands a job it was handed during stop() straight back, untouched', async () => {
    const team = await newTeam({ contacts: 2 });
    const [first, second] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    let workers!: Workers;
    let stopped: Promise<void> | null = null;
    // Completes in its own statement, as the push executor does, and stop() is called between
    // building that statement (the hand-off decided) and running it.
    const executor: JobExecutor = {
      async execute(job) {
        const { ctes, columns } = job.complete!.parts(sql`true`);
        stopped = workers.stop();
        const result = await database.db.execute(sql`with ${ctes} select ${columns}`);
        return { kind: 'done', completed: job.complete!.read(rowsOf<Record<string, unknown>>(result)[0]) };
      },
      async onDead() {},
    };
    workers = startWorkers({
      database,
      executor,
      logger: quietLogger,
      concurrency: 1,
      settings: fastSettings(),
      onlyTeams: [team.teamId],
    });
    await waitFor(() => stopped !== null, 10_000, 'the first job to run');
    await stopped;
    expect(await jobById(database.db, first!)).toMatchObject({ status: 'DONE' });
    // Handed off by the completion, then handed back by the stopping worker: due now, no attempt used.
    expect(await jobById(database.db, second!)).toMatchObject({
      status: 'QUEUED',
      attempts: 0,
      leaseOwner: null,
    });
  });
});
