// The outbox's claim and completion statements and the request gate, on a real database (PGlite, or
// PostgreSQL when TEST_DATABASE_URL is set). Worker loops are covered in worker.test.ts.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { integrationsTable, syncJobsTable } from '../../src/db/schema.js';
import { type ClaimOptions, claimSyncJobs } from '../../src/sync/claim.js';
import {
  completeSyncJob,
  completionOf,
  extendLease,
  pauseSyncJob,
  releaseSyncJob,
  retrySyncJob,
} from '../../src/sync/outbox.js';
import { createRequestGate, readBreaker, rowsOf } from '../../src/sync/rate-limit.js';
import { backoffMs } from '../../src/sync/worker.js';
import { createSyncTeam, delay, enqueue, jobById, jobsOf } from '../helpers/outbox.js';
import { openTestDatabase, usingPostgres } from '../helpers/server.js';

let database: Database;
let second: Database;
beforeAll(async () => {
  database = await openTestDatabase();
  // On PostgreSQL a second pool stands for a second instance; PGlite has one connection anyway.
  second = usingPostgres ? await openTestDatabase() : database;
});
afterAll(async () => {
  if (second !== database) await second?.close();
  await database?.close();
});

let seq = 0;
/** This file's teams: on a shared PostgreSQL database, other files' jobs are not ours to claim. */
const teams: string[] = [];
const claim = (overrides: Partial<ClaimOptions> = {}) =>
  claimSyncJobs(database.db, {
    owner: `test#${++seq}`,
    onlyTeams: teams,
    limit: 10,
    leaseMs: 5_000,
    perIntegrationConcurrency: 10,
    maxAttempts: 5,
    ...overrides,
  });
async function newTeam(options: Parameters<typeof createSyncTeam>[1]) {
  const team = await createSyncTeam(database.db, options);
  teams.push(team.teamId);
  return team;
}
const breaker = { breakerThreshold: 2, breakerCooldownMs: 400 };
const claimedFor = <T extends { teamId: string }>(rows: T[], teamId: string) =>
  rows.filter((r) => r.teamId === teamId);

/** Milliseconds between run_at and updated_at, computed by the database (exact). */
async function delayOf(id: string): Promise<number> {
  const result = await database.db.execute(
    sql`select (extract(epoch from run_at - updated_at) * 1000)::float8 as ms from sync_jobs where id = ${id}`,
  );
  return Number(rowsOf<{ ms: number }>(result)[0]?.ms);
}

describe(`outbox claims on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('claims only the oldest unfinished job of each campaign contact, in creation order', async () => {
    const team = await newTeam({ contacts: 2 });
    const [a, b] = team.campaignContactIds as [string, string];
    const a1 = await enqueue(database.db, team.teamId, [a]);
    const b1 = await enqueue(database.db, team.teamId, [b]);
    const a2 = await enqueue(database.db, team.teamId, [a]);
    await enqueue(database.db, team.teamId, [b]);

    const first = claimedFor(await claim(), team.teamId);
    expect(first.map((j) => j.id).sort()).toEqual([...a1, ...b1].sort());
    expect(first.every((j) => j.status === 'RUNNING' && j.attempts === 0)).toBe(true);
    // Heads still running: nothing else of these contacts may start.
    expect(claimedFor(await claim(), team.teamId)).toEqual([]);

    const headA = first.find((j) => j.campaignContactId === a)!;
    expect(await completeSyncJob(database.db, completionOf(headA))).toBe(true);
    const next = claimedFor(await claim(), team.teamId);
    expect(next.map((j) => j.id)).toEqual(a2);
  });

  it('keeps several jobs written in one transaction in the order they were written', async () => {
    const team = await newTeam({ contacts: 1 });
    const cc = team.campaignContactIds[0]!;
    await database.db.transaction(async (tx) => {
      const { enqueueSyncJobs } = await import('../../src/sync/outbox.js');
      await enqueueSyncJobs(tx, [
        { teamId: team.teamId, campaignContactId: cc, event: { kind: 'ADDED' } },
        { teamId: team.teamId, campaignContactId: cc, event: { kind: 'ACTIVITY', activityId: 'a1' } },
        { teamId: team.teamId, campaignContactId: cc, event: { kind: 'ACTIVITY', activityId: 'a2' } },
      ]);
    });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [job] = claimedFor(await claim(), team.teamId);
      const event = (job!.payload as { event: { kind: string; activityId?: string } }).event;
      seen.push(event.activityId ?? event.kind);
      await completeSyncJob(database.db, completionOf(job!));
    }
    expect(seen).toEqual(['ADDED', 'a1', 'a2']);
  });

  it('does not let a newer job overtake an older one waiting out its backoff', async () => {
    const team = await newTeam({ contacts: 1 });
    const cc = team.campaignContactIds[0]!;
    await enqueue(database.db, team.teamId, [cc]);
    await enqueue(database.db, team.teamId, [cc]);
    const [head] = claimedFor(await claim(), team.teamId);
    const retried = await retrySyncJob(database.db, head!, {
      error: 'Pinpoint answered 503',
      delayMs: 60_000,
      maxAttempts: 5,
      breaker: false,
      ...breaker,
    });
    expect(retried).toMatchObject({ applied: true, status: 'QUEUED', attempts: 1 });
    expect(claimedFor(await claim(), team.teamId)).toEqual([]);
  });

  it('never runs more jobs of one integration than its cap, counting live leases only', async () => {
    const team = await newTeam({ contacts: 5 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    // A lease long enough that the next claim runs inside it even on a loaded CI machine.
    const first = claimedFor(await claim({ perIntegrationConcurrency: 2, leaseMs: 3_000 }), team.teamId);
    expect(first.map((j) => j.id)).toEqual(ids.slice(0, 2));
    expect(claimedFor(await claim({ perIntegrationConcurrency: 2 }), team.teamId)).toEqual([]);

    // Both leases expire (the worker crashed): the jobs are taken over and the lost run counts.
    await delay(3_100);
    const taken = claimedFor(await claim({ perIntegrationConcurrency: 2 }), team.teamId);
    expect(taken.map((j) => j.id)).toEqual(ids.slice(0, 2));
    expect(taken.map((j) => j.attempts)).toEqual([1, 1]);
    expect((await jobById(database.db, ids[0]!)).lastError).toMatch(/lease expired/);
  });

  it('ignores a completion from a worker whose expired lease another worker took over', async () => {
    const team = await newTeam({ contacts: 1 });
    const [id] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [stale] = claimedFor(await claim({ leaseMs: 100 }), team.teamId);
    await delay(200);
    const [fresh] = claimedFor(await claim(), team.teamId);
    expect(fresh?.id).toBe(id);
    expect(fresh?.leaseOwner).not.toBe(stale?.leaseOwner);

    expect(await extendLease(database.db, stale!, 5_000)).toBe(false);
    expect(await completeSyncJob(database.db, completionOf(stale!))).toBe(false);
    expect(
      await retrySyncJob(database.db, stale!, {
        error: 'late',
        delayMs: 0,
        maxAttempts: 5,
        breaker: true,
        ...breaker,
      }),
    ).toEqual({ applied: false });
    expect((await jobById(database.db, id!)).status).toBe('RUNNING');
    expect(await completeSyncJob(database.db, completionOf(fresh!))).toBe(true);
    const row = await jobById(database.db, id!);
    expect(row).toMatchObject({ status: 'DONE', attempts: 1, leaseOwner: null, lastError: null });
    expect(await readBreaker(database.db, team.teamId)).toEqual({ failures: 0, openForMs: 0 });
  });

  it('sets run_at exactly retryAfterMs ahead and gives the job up (DEAD) on its last attempt', async () => {
    const team = await newTeam({ contacts: 1 });
    const [id] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [job] = claimedFor(await claim({ maxAttempts: 2 }), team.teamId);
    const first = await retrySyncJob(database.db, job!, {
      error: 'Pinpoint answered 429',
      delayMs: 1_234,
      maxAttempts: 2,
      breaker: false,
      ...breaker,
    });
    expect(first).toMatchObject({ applied: true, status: 'QUEUED', attempts: 1 });
    expect(await delayOf(id!)).toBe(1_234);

    await database.db
      .update(syncJobsTable)
      .set({ runAt: new Date(0) })
      .where(eq(syncJobsTable.id, id!));
    const [again] = claimedFor(await claim({ maxAttempts: 2 }), team.teamId);
    expect(again?.attempts).toBe(1);
    const last = await retrySyncJob(database.db, again!, {
      error: 'Pinpoint answered 503',
      delayMs: 10,
      maxAttempts: 2,
      breaker: false,
      ...breaker,
    });
    expect(last).toMatchObject({ applied: true, status: 'DEAD', attempts: 2 });
    expect(await jobById(database.db, id!)).toMatchObject({
      status: 'DEAD',
      lastError: 'Pinpoint answered 503',
    });
  });

  it('marks a job DEAD at claim time when its lease expired on the last allowed attempt', async () => {
    const team = await newTeam({ contacts: 1 });
    const [id] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    await claim({ leaseMs: 50, maxAttempts: 1 });
    await delay(120);
    const [dead] = claimedFor(await claim({ maxAttempts: 1 }), team.teamId);
    expect(dead).toMatchObject({ id, status: 'DEAD', attempts: 1 });
    expect(await jobById(database.db, id!)).toMatchObject({ status: 'DEAD', leaseOwner: null });
  });

  it('opens the breaker at the threshold and claims nothing of that team until the cooldown ends', async () => {
    const team = await newTeam({ contacts: 3 });
    await enqueue(database.db, team.teamId, team.campaignContactIds);
    const jobs = claimedFor(await claim(), team.teamId);
    for (const job of jobs.slice(0, 2)) {
      await retrySyncJob(database.db, job, {
        error: '503',
        delayMs: 0,
        maxAttempts: 5,
        breaker: true,
        ...breaker,
      });
    }
    const state = await readBreaker(database.db, team.teamId);
    expect(state?.failures).toBe(2);
    expect(state?.openForMs).toBeGreaterThan(200);
    expect(claimedFor(await claim(), team.teamId)).toEqual([]);

    await delay(state!.openForMs + 50);
    const resumed = claimedFor(await claim(), team.teamId);
    expect(resumed).toHaveLength(2);
    // An answer from Pinpoint closes the breaker.
    await completeSyncJob(
      database.db,
      completionOf(resumed[0]!, { error: 'Pinpoint answered 422: job is closed' }),
    );
    expect(await readBreaker(database.db, team.teamId)).toEqual({ failures: 0, openForMs: 0 });
  });

  it('claims nothing for a team whose integration is not connected', async () => {
    const team = await newTeam({ contacts: 1, status: 'ERROR' });
    await enqueue(database.db, team.teamId, team.campaignContactIds);
    expect(claimedFor(await claim(), team.teamId)).toEqual([]);
  });

  it('pauses a refused job and the team’s queued jobs without using an attempt', async () => {
    const team = await newTeam({ contacts: 3 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [job] = claimedFor(await claim({ perIntegrationConcurrency: 1 }), team.teamId);
    const result = await pauseSyncJob(
      database.db,
      { ...job!, keyGeneration: 1 },
      'Pinpoint refused the key (401)',
    );
    expect(result).toBe('paused');
    const rows = await jobsOf(database.db, team.teamId);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(ids.map(() => ['PAUSED', 0]));
  });

  it('hands a refused job back instead of pausing it when a new key was stored meanwhile', async () => {
    const team = await newTeam({ contacts: 2 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [job] = claimedFor(await claim({ perIntegrationConcurrency: 1 }), team.teamId);
    await database.db
      .update(integrationsTable)
      .set({ keyGeneration: 2 })
      .where(eq(integrationsTable.id, team.integrationId));
    expect(await pauseSyncJob(database.db, { ...job!, keyGeneration: 1 }, 'refused')).toBe('released');
    const rows = await jobsOf(database.db, team.teamId);
    expect(rows.map((r) => [r.id, r.status, r.attempts])).toEqual(ids.map((id) => [id, 'QUEUED', 0]));
  });

  it('releases a job back to the queue with its attempts unchanged', async () => {
    const team = await newTeam({ contacts: 1 });
    const [id] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const [job] = claimedFor(await claim(), team.teamId);
    expect(await releaseSyncJob(database.db, job!)).toBe(true);
    expect(await jobById(database.db, id!)).toMatchObject({
      status: 'QUEUED',
      attempts: 0,
      leaseOwner: null,
      leaseUntil: null,
    });
  });
});

describe('backoff', () => {
  const settings = { backoffBaseMs: 1_000, backoffCapMs: 300_000 };
  it('grows exponentially with full jitter and stops at the cap', () => {
    expect(backoffMs(0, settings, () => 0.999)).toBe(999);
    expect(backoffMs(3, settings, () => 0.5)).toBe(4_000);
    expect(backoffMs(20, settings, () => 0.999)).toBe(299_700);
    expect(backoffMs(1000, settings, () => 0)).toBe(0);
  });
});

describe('request gate', () => {
  it('spaces requests of one integration across two gates sharing the database', async () => {
    const team = await newTeam({ contacts: 1 });
    const rps = 40;
    const n = 16;
    const gates = [
      createRequestGate(database.db, { requestsPerSecond: rps }),
      createRequestGate(second.db, { requestsPerSecond: rps }),
    ];
    const started = performance.now();
    const done: number[] = [];
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        await gates[i % 2]!(team.integrationId);
        done.push(performance.now() - started);
      }),
    );
    const elapsed = performance.now() - started;
    // The gate schedules on the database clock and the test measures on ours: allow timer granularity.
    expect(elapsed).toBeGreaterThanOrEqual(((n - 1) / rps) * 1000 - 5);
    // The first request is not held back.
    expect(Math.min(...done)).toBeLessThan(((n - 1) / rps) * 1000 * 0.5);
  });

  it('reserves several slots in one statement, as far apart as single ones', async () => {
    const team = await newTeam({ contacts: 1 });
    const spacingMs = 50;
    const gate = createRequestGate(database.db, { requestsPerSecond: 1000 / spacingMs });
    const later = await gate(team.integrationId, undefined, 3);
    const reservedAt = performance.now();
    expect(later).toHaveLength(2);
    const [second, third] = later as number[];
    expect(second! - reservedAt).toBeGreaterThan(spacingMs - 15);
    expect(third! - second!).toBeCloseTo(spacingMs, 5);
    // The next reservation, from any gate, comes after all three.
    await gate(team.integrationId);
    expect(performance.now() - reservedAt).toBeGreaterThanOrEqual(3 * spacingMs - 15);
  });

  it('stops waiting when its signal aborts', async () => {
    const team = await newTeam({ contacts: 1 });
    const gate = createRequestGate(database.db, { requestsPerSecond: 1 });
    await gate(team.integrationId);
    const controller = new AbortController();
    const waiting = gate(team.integrationId, controller.signal);
    setTimeout(() => controller.abort(new Error('shutting down')), 30);
    const started = performance.now();
    await expect(waiting).rejects.toThrow('shutting down');
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('enqueueing many jobs', () => {
  it('writes jobs in chunks past the bind-parameter limit, keeping each contact’s order and contact id', async () => {
    const team = await newTeam({ contacts: 3 });
    const { enqueueSyncJobs } = await import('../../src/sync/outbox.js');
    const jobs = Array.from({ length: 2_500 }, (_, i) => ({
      teamId: team.teamId,
      campaignContactId: team.campaignContactIds[i % 3]!,
      event: { kind: 'RETRY' as const },
    }));
    await database.db.transaction((tx) => enqueueSyncJobs(tx, jobs));
    const rows = await database.db
      .select({
        cc: syncJobsTable.campaignContactId,
        contactId: syncJobsTable.contactId,
        createdAt: sql<string>`${syncJobsTable.createdAt}::text`,
      })
      .from(syncJobsTable)
      .where(eq(syncJobsTable.teamId, team.teamId))
      .orderBy(syncJobsTable.createdAt, syncJobsTable.id);
    expect(rows).toHaveLength(2_500);
    expect(rows.every((r) => r.contactId !== null)).toBe(true);
    expect(new Set(rows.map((r) => r.createdAt)).size).toBe(2_500);
    expect(rows.map((r) => r.cc)).toEqual(jobs.map((j) => j.campaignContactId));
  });
});
