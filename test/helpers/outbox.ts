// Builds what the outbox tests need: a fresh team (so tests run concurrently) with contacts in a
// campaign and a connected integration, queued jobs, fast worker settings, and a real JobExecutor
// that records every call and answers from a script.
import { eq, sql } from 'drizzle-orm';
import type { SyncSettings } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import {
  campaignContactsTable,
  campaignsTable,
  contactsTable,
  integrationsTable,
  syncJobsTable,
  teamsTable,
  usersTable,
} from '../../src/db/schema.js';
import { createLogger } from '../../src/logger.js';
import { type ClaimedRow, type ClaimOptions, claimSyncJobs } from '../../src/sync/claim.js';
import type { ClaimedJob, JobExecutor, JobOutcome } from '../../src/sync/executor-types.js';
import type { SyncJobEvent } from '../../src/sync/jobs.js';
import { enqueueSyncJobs } from '../../src/sync/outbox.js';
import { testConfig } from './server.js';

export const quietLogger = createLogger('silent');

export interface SyncTeam {
  readonly teamId: string;
  readonly integrationId: string;
  readonly campaignContactIds: string[];
}

export async function createSyncTeam(
  db: Db,
  options: { contacts?: number; status?: 'CONNECTED' | 'ERROR' | 'NOT_CONNECTED' } = {},
): Promise<SyncTeam> {
  const contacts = options.contacts ?? 1;
  const unique = Math.random().toString(36).slice(2, 10);
  const [team] = await db
    .insert(teamsTable)
    .values({ name: `Outbox ${unique}` })
    .returning();
  const teamId = team!.id;
  const [owner] = await db
    .insert(usersTable)
    .values({ teamId, email: `owner-${unique}@example.com`, role: 'ADMIN' })
    .returning();
  const [campaign] = await db
    .insert(campaignsTable)
    .values({ teamId, ownerId: owner!.id, name: 'Outreach', channel: 'EMAIL', syncAs: 'APPLICATION' })
    .returning();
  const contactRows = await db
    .insert(contactsTable)
    .values(Array.from({ length: contacts }, (_, i) => ({ teamId, email: `c${i}-${unique}@example.com` })))
    .returning({ id: contactsTable.id });
  const ccRows = await db
    .insert(campaignContactsTable)
    .values(contactRows.map((c) => ({ teamId, campaignId: campaign!.id, contactId: c.id })))
    .returning({ id: campaignContactsTable.id });
  const [integration] = await db
    .insert(integrationsTable)
    .values({
      teamId,
      provider: 'PINPOINT',
      status: options.status ?? 'CONNECTED',
      domain: `outbox-${unique}`,
      keyGeneration: 1,
    })
    .returning();
  return { teamId, integrationId: integration!.id, campaignContactIds: ccRows.map((r) => r.id) };
}

/** Enqueues jobs through the real outbox, one transaction per call; returns their ids in order. */
export async function enqueue(
  db: Db,
  teamId: string,
  campaignContactIds: readonly string[],
  event: SyncJobEvent = { kind: 'ADDED' },
): Promise<string[]> {
  return db.transaction(async (tx) => {
    await enqueueSyncJobs(
      tx,
      campaignContactIds.map((campaignContactId) => ({ teamId, campaignContactId, event })),
    );
    const rows = await tx
      .select({ id: syncJobsTable.id })
      .from(syncJobsTable)
      .where(eq(syncJobsTable.teamId, teamId))
      .orderBy(sql`${syncJobsTable.createdAt} desc`)
      .limit(campaignContactIds.length);
    return rows.map((r) => r.id).reverse();
  });
}

let claims = 0;
/**
 * Claims up to `limit` of one team's jobs under a fresh owner (only its own: other tests leave
 * theirs queued), with a 5 s lease, a cap of 2 and 5 attempts unless `overrides` say otherwise.
 */
export function claimTeamJobs(
  db: Db,
  teamId: string,
  limit: number,
  overrides: Partial<ClaimOptions> = {},
): Promise<ClaimedRow[]> {
  return claimSyncJobs(db, {
    owner: `test-claim#${++claims}`,
    onlyTeams: [teamId],
    limit,
    leaseMs: 5_000,
    perIntegrationConcurrency: 2,
    maxAttempts: 5,
    ...overrides,
  });
}

export async function jobsOf(db: Db, teamId: string) {
  return db
    .select()
    .from(syncJobsTable)
    .where(eq(syncJobsTable.teamId, teamId))
    .orderBy(syncJobsTable.createdAt, syncJobsTable.id);
}

export async function jobById(db: Db, id: string) {
  const [row] = await db.select().from(syncJobsTable).where(eq(syncJobsTable.id, id));
  if (!row) throw new Error(`no job ${id}`);
  return row;
}

/** Fast settings for tests: short leases and backoffs, quick polling. */
export function fastSettings(overrides: Partial<SyncSettings> = {}): SyncSettings {
  return {
    ...testConfig().sync,
    leaseMs: 5_000,
    pollIntervalMs: 50,
    shutdownGraceMs: 200,
    backoffBaseMs: 5,
    backoffCapMs: 20,
    ...overrides,
  };
}

export interface Execution {
  readonly jobId: string;
  readonly teamId: string;
  readonly campaignContactId: string;
  readonly attempts: number;
  readonly startedAt: number;
  endedAt: number | null;
}

type Script = (job: ClaimedJob, signal: AbortSignal, call: number) => Promise<JobOutcome> | JobOutcome;

/** A real executor for queue mechanics: records calls and concurrency, answers from `script`. */
export class RecordingExecutor implements JobExecutor {
  readonly executions: Execution[] = [];
  readonly dead: { jobId: string; error: string }[] = [];
  readonly retries: { jobId: string; error: string; nextRunAt: Date }[] = [];
  readonly perJob = new Map<string, number>();
  private readonly runningPerTeam = new Map<string, number>();
  readonly maxRunningPerTeam = new Map<string, number>();
  private readonly runningPerContact = new Map<string, number>();
  /** Times a campaign contact had two of its jobs running at once (must stay 0). */
  overlaps = 0;

  constructor(private readonly script: Script = () => ({ kind: 'done' })) {}

  async execute(job: ClaimedJob, signal: AbortSignal): Promise<JobOutcome> {
    const call = (this.perJob.get(job.id) ?? 0) + 1;
    this.perJob.set(job.id, call);
    const execution: Execution = {
      jobId: job.id,
      teamId: job.teamId,
      campaignContactId: job.campaignContactId,
      attempts: job.attempts,
      startedAt: performance.now(),
      endedAt: null,
    };
    this.executions.push(execution);
    const team = (this.runningPerTeam.get(job.teamId) ?? 0) + 1;
    this.runningPerTeam.set(job.teamId, team);
    this.maxRunningPerTeam.set(job.teamId, Math.max(team, this.maxRunningPerTeam.get(job.teamId) ?? 0));
    const contact = (this.runningPerContact.get(job.campaignContactId) ?? 0) + 1;
    if (contact > 1) this.overlaps++;
    this.runningPerContact.set(job.campaignContactId, contact);
    try {
      return await this.script(job, signal, call);
    } finally {
      execution.endedAt = performance.now();
      this.runningPerTeam.set(job.teamId, (this.runningPerTeam.get(job.teamId) ?? 1) - 1);
      this.runningPerContact.set(
        job.campaignContactId,
        (this.runningPerContact.get(job.campaignContactId) ?? 1) - 1,
      );
    }
  }

  async onDead(job: ClaimedJob, lastError: string): Promise<void> {
    this.dead.push({ jobId: job.id, error: lastError });
  }

  async onRetry(job: ClaimedJob, error: string, nextRunAt: Date): Promise<void> {
    this.retries.push({ jobId: job.id, error, nextRunAt });
  }

  executionsOf(jobId: string): Execution[] {
    return this.executions.filter((e) => e.jobId === jobId);
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value (then returns it) or the time runs out. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** Milliseconds between two timestamps of a job row (database times, so exact). */
export function msBetween(later: Date, earlier: Date): number {
  return later.getTime() - earlier.getTime();
}
