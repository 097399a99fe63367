// Worker loops on a real database (PGlite, or PostgreSQL when TEST_DATABASE_URL is set) with a real
// executor object that records calls and answers from a script: order, caps, retries, breaker,
// pauses, crash takeover, graceful stop, and (PostgreSQL) 1,000 jobs over two connection pools.
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SyncSettings } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { markIntegrationAuthFailed } from '../../src/db/integration-status.js';
import { createEventBus, type EventBus } from '../../src/db/notify.js';
import { integrationsTable, syncJobsTable } from '../../src/db/schema.js';
import { startServer } from '../../src/server.js';
import type { JobExecutor } from '../../src/sync/executor-types.js';
import { readBreaker } from '../../src/sync/rate-limit.js';
import { startWorkers, type Workers } from '../../src/sync/worker.js';
import {
  createSyncTeam,
  delay,
  enqueue,
  fastSettings,
  jobById,
  jobsOf,
  quietLogger,
  RecordingExecutor,
  type SyncTeam,
  waitFor,
} from '../helpers/outbox.js';
import { openTestDatabase, testConfig, usingPostgres } from '../helpers/server.js';

let database: Database;
let events: EventBus;
const started: Workers[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  events = createEventBus(database, quietLogger);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await events?.close();
  await database?.close();
});

function workers(
  team: SyncTeam | SyncTeam[],
  executor: JobExecutor,
  options: {
    settings?: Partial<SyncSettings>;
    concurrency?: number;
    database?: Database;
    events?: EventBus;
  } = {},
): Workers {
  const teams = Array.isArray(team) ? team : [team];
  const w = startWorkers({
    database: options.database ?? database,
    executor,
    logger: quietLogger,
    concurrency: options.concurrency ?? 4,
    settings: fastSettings(options.settings),
    events: options.events ?? events,
    onlyTeams: teams.map((t) => t.teamId),
  });
  started.push(w);
  return w;
}

const allStatus = async (teamId: string, status: string) =>
  (await jobsOf(database.db, teamId)).every((j) => j.status === status);

/**
 * Waits until every job of the team has `status`; on timeout, says where the others are and why
 * (e.g. PAUSED "Pinpoint is not connected." is a worker outside this file running the team's jobs).
 */
async function waitForAll(teamId: string, status: string, timeoutMs: number, what: string): Promise<void> {
  try {
    await waitFor(() => allStatus(teamId, status), timeoutMs, what);
  } catch (error) {
    const counts = new Map<string, number>();
    for (const j of await jobsOf(database.db, teamId)) {
      const key = `${j.status}${j.lastError ? ` (${j.lastError})` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const jobs = [...counts].map(([key, n]) => `${n} ${key}`).join(', ');
    throw new Error(`${error instanceof Error ? error.message : error}; the team's jobs: ${jobs}`);
  }
}

describe(`sync workers on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  it('runs the jobs of one campaign contact one at a time in creation order, even across a retry', async () => {
    const team = await createSyncTeam(database.db, { contacts: 3 });
    const [a] = team.campaignContactIds as [string];
    const order: string[] = [];
    for (let i = 0; i < 5; i++) order.push(...(await enqueue(database.db, team.teamId, [a])));
    for (const cc of team.campaignContactIds.slice(1)) await enqueue(database.db, team.teamId, [cc, cc]);
    const executor = new RecordingExecutor(async (job, _signal, call) => {
      await delay(15);
      // The second job of contact a fails once: the third must wait for it.
      if (job.id === order[1] && call === 1)
        return { kind: 'retry', error: '503', retryAfterMs: 60, breaker: false };
      return { kind: 'done' };
    });
    workers(team, executor, { concurrency: 4 });
    await waitForAll(team.teamId, 'DONE', 10_000, 'every job DONE');

    const ranA = executor.executions.filter((e) => e.campaignContactId === a).map((e) => e.jobId);
    expect(ranA).toEqual([order[0], order[1], order[1], order[2], order[3], order[4]]);
    expect(executor.overlaps).toBe(0);
    // Other contacts ran alongside contact a.
    expect(executor.maxRunningPerTeam.get(team.teamId)).toBeGreaterThan(1);
  });

  it('never runs more than the per-integration cap at once with three workers of four slots', async () => {
    const team = await createSyncTeam(database.db, { contacts: 24 });
    await enqueue(database.db, team.teamId, team.campaignContactIds);
    const executor = new RecordingExecutor(async () => {
      await delay(20);
      return { kind: 'done' };
    });
    const settings = { perIntegrationConcurrency: 2 };
    // On PostgreSQL each worker has its own pool, as separate instances would.
    const extra = usingPostgres ? [await openTestDatabase(), await openTestDatabase()] : [database, database];
    try {
      workers(team, executor, { settings });
      workers(team, executor, { settings, database: extra[0] });
      workers(team, executor, { settings, database: extra[1] });
      await waitForAll(team.teamId, 'DONE', 15_000, 'every job DONE');
      expect(executor.maxRunningPerTeam.get(team.teamId)).toBe(2);
      expect(executor.executions).toHaveLength(24);
    } finally {
      await Promise.all(started.splice(0).map((w) => w.stop()));
      if (usingPostgres) for (const db of extra) await db.close();
    }
  });

  it('schedules a retry with a jittered backoff in the future, or exactly Retry-After when given', async () => {
    const team = await createSyncTeam(database.db, { contacts: 2 });
    const [backoffJob, retryAfterJob] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const executor = new RecordingExecutor((job) =>
      job.id === retryAfterJob
        ? { kind: 'retry', error: 'Pinpoint answered 429', retryAfterMs: 45_000, breaker: false }
        : { kind: 'retry', error: 'Pinpoint answered 503', breaker: false },
    );
    const w = workers(team, executor, { settings: { backoffBaseMs: 60_000, backoffCapMs: 600_000 } });
    await waitFor(() => executor.retries.length === 2, 15_000, 'two retries');
    await w.stop();

    const backoff = await jobById(database.db, backoffJob!);
    expect(backoff).toMatchObject({ status: 'QUEUED', attempts: 1, lastError: 'Pinpoint answered 503' });
    const backoffDelay = backoff.runAt.getTime() - backoff.updatedAt.getTime();
    expect(backoffDelay).toBeGreaterThanOrEqual(0);
    expect(backoffDelay).toBeLessThan(60_000);
    const retryAfter = await jobById(database.db, retryAfterJob!);
    expect(retryAfter.runAt.getTime() - retryAfter.updatedAt.getTime()).toBe(45_000);
    expect(executor.retries.find((r) => r.jobId === retryAfterJob)?.nextRunAt).toEqual(retryAfter.runAt);
  });

  it('gives a job up as DEAD after its last attempt and calls onDead exactly once', async () => {
    const team = await createSyncTeam(database.db, { contacts: 1 });
    const [id] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const executor = new RecordingExecutor((_job, _signal, call) => ({
      kind: 'retry',
      error: `timeout #${call}`,
      breaker: false,
    }));
    workers(team, executor, { settings: { maxAttempts: 3 } });
    await waitFor(() => executor.dead.length > 0, 15_000, 'onDead');
    await delay(150);
    expect(executor.dead).toEqual([{ jobId: id, error: 'timeout #3' }]);
    expect(executor.retries.map((r) => r.error)).toEqual(['timeout #1', 'timeout #2']);
    expect(executor.executionsOf(id!).map((e) => e.attempts)).toEqual([0, 1, 2]);
    expect(await jobById(database.db, id!)).toMatchObject({
      status: 'DEAD',
      attempts: 3,
      lastError: 'timeout #3',
    });
  });

  it('opens the breaker after repeated transient failures and lets jobs wait until the cooldown ends', async () => {
    const team = await createSyncTeam(database.db, { contacts: 3 });
    await enqueue(database.db, team.teamId, team.campaignContactIds);
    let failures = 0;
    let openedAt = 0;
    const executor = new RecordingExecutor(() => {
      if (failures < 2) {
        failures++;
        if (failures === 2) openedAt = performance.now();
        return { kind: 'retry', error: 'Pinpoint answered 502', retryAfterMs: 0, breaker: true };
      }
      return { kind: 'done' };
    });
    const cooldown = 600;
    workers(team, executor, {
      concurrency: 1,
      settings: { perIntegrationConcurrency: 1, breakerThreshold: 2, breakerCooldownMs: cooldown },
    });
    await waitFor(() => failures === 2, 15_000, 'two failures');
    await delay(50);
    expect((await readBreaker(database.db, team.teamId))?.failures).toBe(2);
    await waitForAll(team.teamId, 'DONE', 15_000, 'every job DONE');
    const afterOpen = executor.executions.slice(2);
    expect(afterOpen.length).toBe(3);
    // Nothing ran while the breaker was open (allowing for timer granularity).
    expect(afterOpen[0]!.startedAt - openedAt).toBeGreaterThanOrEqual(cooldown - 20);
    expect(await readBreaker(database.db, team.teamId)).toEqual({ failures: 0, openForMs: 0 });
  });

  it('pauses a job whose key Pinpoint refused, with the team’s other jobs, without using attempts', async () => {
    const team = await createSyncTeam(database.db, { contacts: 3 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    let refuse = true;
    const executor = new RecordingExecutor(async (job) => {
      if (!refuse) return { kind: 'done' };
      // What the real executor does on 401: flip the integration to ERROR, then report a pause.
      await markIntegrationAuthFailed(
        database.db,
        { id: job.integration.id, teamId: job.teamId, keyGeneration: job.integration.keyGeneration },
        'INVALID_API_KEY',
      );
      return { kind: 'pause', error: 'Pinpoint stopped accepting the API key (401).' };
    });
    workers(team, executor, { concurrency: 1, settings: { perIntegrationConcurrency: 1 } });
    await waitForAll(team.teamId, 'PAUSED', 15_000, 'every job PAUSED');
    await delay(150);
    expect(executor.executions).toHaveLength(1);
    const rows = await jobsOf(database.db, team.teamId);
    expect(rows.map((r) => [r.id, r.status, r.attempts])).toEqual(ids.map((id) => [id, 'PAUSED', 0]));

    // Re-activation (a new key) flips the jobs back to QUEUED, as activatePinpoint does.
    refuse = false;
    await database.db.transaction(async (tx) => {
      await tx
        .update(integrationsTable)
        .set({ status: 'CONNECTED', keyGeneration: 2 })
        .where(eq(integrationsTable.id, team.integrationId));
      await tx.update(syncJobsTable).set({ status: 'QUEUED' }).where(eq(syncJobsTable.teamId, team.teamId));
    });
    await waitForAll(team.teamId, 'DONE', 15_000, 'every job DONE');
    expect(executor.executions.slice(1).every((e) => e.attempts === 0)).toBe(true);
  });

  it('lets another worker finish the job of a worker that died mid-job, once, and ignores the dead one’s late result', async () => {
    const team = await createSyncTeam(database.db, { contacts: 1 });
    const [id] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    let finishStale!: () => void;
    const stale = new RecordingExecutor(async () => {
      await new Promise<void>((resolve) => {
        finishStale = resolve;
      });
      return { kind: 'retry', error: 'late result from a dead worker', breaker: true };
    });
    const settings = { leaseMs: 300 };
    const dying = workers(team, stale, { settings });
    await waitFor(() => stale.executions.length === 1, 15_000, 'the first worker to start the job');
    dying.abandon();

    const survivor = new RecordingExecutor();
    workers(team, survivor, { settings });
    await waitForAll(team.teamId, 'DONE', 15_000, 'the job DONE');
    finishStale();
    await delay(100);

    expect(survivor.executions.map((e) => [e.jobId, e.attempts])).toEqual([[id, 1]]);
    expect(await jobById(database.db, id!)).toMatchObject({ status: 'DONE', attempts: 1, lastError: null });
    expect((await readBreaker(database.db, team.teamId))?.failures).toBe(0);
  });

  it('keeps the lease of a job that runs longer than the lease, so no one else takes it', async () => {
    const team = await createSyncTeam(database.db, { contacts: 1 });
    const [id] = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const executor = new RecordingExecutor(async () => {
      await delay(1_500);
      return { kind: 'done' };
    });
    const settings = { leaseMs: 500 };
    workers(team, executor, { settings });
    workers(team, executor, { settings });
    await waitForAll(team.teamId, 'DONE', 15_000, 'the job DONE');
    expect(executor.executionsOf(id!)).toHaveLength(1);
    expect((await jobById(database.db, id!)).attempts).toBe(0);
  });

  it('returns the leases of unfinished jobs on a graceful stop, with attempts unchanged', async () => {
    const team = await createSyncTeam(database.db, { contacts: 2 });
    const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
    const executor = new RecordingExecutor(
      (_job, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () =>
            resolve({ kind: 'retry', error: 'aborted', breaker: false }),
          );
        }),
    );
    const w = workers(team, executor, { settings: { shutdownGraceMs: 100 } });
    await waitFor(() => executor.executions.length === 2, 15_000, 'both jobs running');
    const stopping = performance.now();
    await w.stop();
    expect(performance.now() - stopping).toBeLessThan(1_500);
    const rows = await jobsOf(database.db, team.teamId);
    expect(rows.map((r) => [r.id, r.status, r.attempts, r.leaseOwner, r.lastError])).toEqual(
      ids.map((id) => [id, 'QUEUED', 0, null, null]),
    );
    // Another instance takes them at once.
    const next = new RecordingExecutor();
    workers(team, next);
    await waitForAll(team.teamId, 'DONE', 15_000, 'every job DONE');
    expect(next.executions.map((e) => e.attempts)).toEqual([0, 0]);
  });

  it('marks a job with a malformed payload DEAD with a clear error, without running it', async () => {
    const team = await createSyncTeam(database.db, { contacts: 2 });
    const [bad] = await database.db
      .insert(syncJobsTable)
      .values({ teamId: team.teamId, campaignContactId: team.campaignContactIds[0]!, payload: { v: 99 } })
      .returning();
    const [good] = await enqueue(database.db, team.teamId, [team.campaignContactIds[1]!]);
    const executor = new RecordingExecutor();
    workers(team, executor);
    await waitFor(async () => (await jobById(database.db, good!)).status === 'DONE', 15_000, 'the good job');
    await waitFor(async () => (await jobById(database.db, bad!.id)).status === 'DEAD', 15_000, 'the bad job');
    const row = await jobById(database.db, bad!.id);
    expect(row.lastError).toMatch(/payload is not a valid sync job payload/);
    expect(executor.executionsOf(bad!.id)).toEqual([]);
  });

  it('wakes an idle worker as soon as a job is enqueued instead of waiting for the poll', async () => {
    const team = await createSyncTeam(database.db, { contacts: 1 });
    const executor = new RecordingExecutor();
    const w = workers(team, executor, { settings: { pollIntervalMs: 30_000 } });
    await w.drain();
    const enqueuedAt = performance.now();
    await enqueue(database.db, team.teamId, team.campaignContactIds);
    await waitForAll(team.teamId, 'DONE', 15_000, 'the job DONE');
    expect(executor.executions[0]!.startedAt - enqueuedAt).toBeLessThan(1_000);
  });

  // PGlite only: startServer's workers serve every team, and a shared PostgreSQL holds other files' jobs.
  it.runIf(!usingPostgres)('startServer runs workers when asked and stops them with the server', async () => {
    const team = await createSyncTeam(database.db, { contacts: 2 });
    const executor = new RecordingExecutor();
    const config = testConfig({ WORKER_POLL_INTERVAL_MS: '50', SEED_DEMO_TEAM: 'false' });
    const server = await startServer({ config, database, logger: quietLogger, workers: { executor } });
    try {
      expect(server.workers).not.toBeNull();
      await enqueue(database.db, team.teamId, team.campaignContactIds);
      await waitForAll(team.teamId, 'DONE', 15_000, 'every job DONE');
    } finally {
      await server.stop();
    }
    await enqueue(database.db, team.teamId, [team.campaignContactIds[0]!]);
    await delay(200);
    expect((await jobsOf(database.db, team.teamId)).filter((j) => j.status === 'QUEUED')).toHaveLength(1);
  });

  it.runIf(usingPostgres)(
    'two workers on two connection pools run 1,000 jobs, each exactly once and in order per contact',
    async () => {
      const contacts = 250;
      const team = await createSyncTeam(database.db, { contacts });
      const order = new Map<string, string[]>();
      for (let round = 0; round < 4; round++) {
        const ids = await enqueue(database.db, team.teamId, team.campaignContactIds);
        ids.forEach((id, i) => {
          const cc = team.campaignContactIds[i]!;
          order.set(cc, [...(order.get(cc) ?? []), id]);
        });
      }
      const other = await openTestDatabase();
      const otherEvents = createEventBus(other, quietLogger);
      try {
        const executor = new RecordingExecutor();
        const settings = { perIntegrationConcurrency: 32 };
        const startedAt = performance.now();
        workers(team, executor, { settings, concurrency: 16 });
        workers(team, executor, { settings, concurrency: 16, database: other, events: otherEvents });
        await waitForAll(team.teamId, 'DONE', 25_000, '1,000 jobs DONE');
        const seconds = (performance.now() - startedAt) / 1000;
        console.info(`1,000 jobs with a no-op executor: ${(1000 / seconds).toFixed(0)} jobs/s`);
        expect(executor.executions).toHaveLength(1000);
        expect([...executor.perJob.values()].every((n) => n === 1)).toBe(true);
        expect(executor.overlaps).toBe(0);
        for (const [cc, ids] of order) {
          expect(executor.executions.filter((e) => e.campaignContactId === cc).map((e) => e.jobId)).toEqual(
            ids,
          );
        }
      } finally {
        await Promise.all(started.splice(0).map((w) => w.stop()));
        await otherEvents.close();
        await other.close();
      }
    },
  );
});
