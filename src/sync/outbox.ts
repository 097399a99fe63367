// The transactional outbox: use cases enqueue jobs in the same transaction as their state change.
import { inArray, type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { executeNamed } from '../db/named.js';
import { CHANNELS, notify } from '../db/notify.js';
import { campaignContactsTable, syncJobsTable } from '../db/schema.js';
import type { SyncJobEvent, SyncJobPayload } from './jobs.js';
import { type BreakerSettings, breakerFailureSql, breakerResetSql, rowsOf } from './rate-limit.js';

export interface NewSyncJob {
  readonly teamId: string;
  readonly campaignContactId: string;
  readonly event: SyncJobEvent;
}

/** Rows per statement: far below PostgreSQL's 65,535 bind parameters, whatever the campaign size. */
const ENQUEUE_CHUNK = 1000;

/** Writes jobs (call inside the use case's transaction) and wakes workers on commit. */
export async function enqueueSyncJobs(tx: DbOrTx, jobs: readonly NewSyncJob[]): Promise<void> {
  if (jobs.length === 0) return;
  for (let start = 0; start < jobs.length; start += ENQUEUE_CHUNK) {
    const chunk = jobs.slice(start, start + ENQUEUE_CHUNK);
    const links = await tx
      .select({ id: campaignContactsTable.id, contactId: campaignContactsTable.contactId })
      .from(campaignContactsTable)
      .where(inArray(campaignContactsTable.id, [...new Set(chunk.map((j) => j.campaignContactId))]));
    const contactOf = new Map(links.map((l) => [l.id, l.contactId]));
    await tx.insert(syncJobsTable).values(
      chunk.map((job, i) => ({
        teamId: job.teamId,
        campaignContactId: job.campaignContactId,
        contactId: contactOf.get(job.campaignContactId) ?? null,
        payload: { v: 1, event: job.event } satisfies SyncJobPayload,
        // A contact's jobs run in created_at order; now() is the same for a whole transaction, so
        // jobs written together are spaced by their position to keep their order.
        createdAt: sql`clock_timestamp() + ${start + i}::int * interval '1 microsecond'`,
      })),
    );
  }
  const teams = new Set(jobs.map((j) => j.teamId));
  for (const teamId of teams) await notify(tx, CHANNELS.syncJobs, { teamId });
}

// ── Claim and complete (the worker's side) ─────────────────────────────────────────────────────────
// Every statement below is short and awaits nothing but its own queries: on PGlite (one connection)
// a transaction blocks every other query, and no transaction may span the executor's HTTP call.
// Times are the database's (now()), so instances need not agree on the clock.

export interface ClaimOptions {
  /** Written to lease_owner; unique per claim, so a completion can prove it still holds the lease. */
  readonly owner: string;
  /** At most this many jobs (the worker's free slots). */
  readonly limit: number;
  readonly leaseMs: number;
  readonly perIntegrationConcurrency: number;
  readonly maxAttempts: number;
  /**
   * Only these teams' jobs (a dedicated worker for one large tenant; tests sharing one PostgreSQL
   * database, so that one test's workers never run another's jobs). Absent: every team.
   */
  readonly onlyTeams?: readonly string[];
  /**
   * The database runs one statement at a time on its one connection (PGlite): no other claim can
   * commit between the lock and the claim, so both run without an explicit transaction (BEGIN and
   * COMMIT cost as much as a statement there). Never set it for PostgreSQL.
   */
  readonly oneConnection?: boolean;
}

/** A claimed row, before its payload is checked (see jobs.ts). */
export interface ClaimedRow {
  readonly id: string;
  readonly teamId: string;
  readonly campaignContactId: string;
  readonly payload: unknown;
  /** Attempts made before this one (a reclaimed expired lease counts as one). */
  readonly attempts: number;
  readonly leaseOwner: string;
  readonly integration: { readonly id: string; readonly keyGeneration: number };
  /** DEAD: its lease expired (crashed worker) on its last allowed attempt; nothing to run. */
  readonly status: 'RUNNING' | 'DEAD';
  readonly lastError: string | null;
}

const LEASE_EXPIRED_ERROR = 'The worker running this job stopped before finishing (its lease expired).';

const interval = (ms: number) => sql`make_interval(secs => ${ms / 1000}::float8)`;
const jobStatus = (status: 'QUEUED' | 'RUNNING' | 'DONE' | 'PAUSED' | 'DEAD') =>
  sql.raw(`'${status}'::sync_job_status`);

/**
 * Claims up to `limit` due jobs. In one transaction: lock (SKIP LOCKED) the rows of connected
 * integrations whose breaker is closed and that have due work, which serialises claims per
 * integration across instances; then, per integration, in a later statement (so its snapshot sees
 * every claim committed before the lock was taken), count its live leases and take at most
 * `perIntegrationConcurrency - live` jobs that head their campaign contact's queue: no older job of
 * the contact unfinished and none of its jobs running under a live lease. Expired leases are taken
 * over (crash recovery), counting the lost run as an attempt.
 */
export async function claimSyncJobs(db: Db, options: ClaimOptions): Promise<ClaimedRow[]> {
  if (options.limit <= 0 || options.onlyTeams?.length === 0) return [];
  const claim = async (tx: DbOrTx) => {
    const claimed: ClaimedRow[] = [];
    for (const integration of await lockClaimableIntegrations(tx, options)) {
      const want = options.limit - claimed.length;
      if (want <= 0) break;
      claimed.push(...(await claimForIntegration(tx, integration, want, options)));
    }
    return claimed;
  };
  // One connection: each statement sees every claim before it, and the claim counts live leases.
  return options.oneConnection ? claim(db) : db.transaction(claim);
}

interface ClaimableIntegration {
  readonly id: string;
  readonly team_id: string;
  readonly key_generation: number;
}

/**
 * Locks (SKIP LOCKED), in random order, up to `limit` connected integrations with a closed breaker,
 * due work and a free slot under the per-integration cap: claims of one integration serialise here.
 */
async function lockClaimableIntegrations(tx: DbOrTx, options: ClaimOptions): Promise<ClaimableIntegration[]> {
  const teamFilter = options.onlyTeams
    ? sql`and i.team_id in (${sql.join(
        options.onlyTeams.map((t) => sql`${t}::uuid`),
        sql`, `,
      )})`
    : sql``;
  return rowsOf<ClaimableIntegration>(
    await executeNamed(
      tx,
      sql`
      select i.id, i.team_id, i.key_generation
        from integrations i
       where i.provider = 'PINPOINT' and i.status = 'CONNECTED'
         and (i.breaker_open_until is null or i.breaker_open_until <= now())
         ${teamFilter}
         and (exists (select 1 from sync_jobs j
                       where j.team_id = i.team_id and j.status = 'QUEUED' and j.run_at <= now())
              or exists (select 1 from sync_jobs j
                          where j.team_id = i.team_id and j.status = 'RUNNING' and j.lease_until < now()))
         and (select count(*) from sync_jobs r
               where r.team_id = i.team_id and r.status = 'RUNNING' and r.lease_until >= now())
             < ${options.perIntegrationConcurrency}::int
       order by random()
       limit ${options.limit}::int
         for update of i skip locked`,
    ),
  );
}

/** Jobs of a claimed row's integration that head their contact's queue and are due (or lease-expired). */
const headsOfQueue = (teamId: string) => sql`
  select j.id from sync_jobs j
   where j.team_id = ${teamId}
     and ((j.status = 'QUEUED' and j.run_at <= now())
          or (j.status = 'RUNNING' and j.lease_until < now()))
     and not exists (
       select 1 from sync_jobs o
        where (o.campaign_contact_id = j.campaign_contact_id
               or (j.contact_id is not null and o.contact_id = j.contact_id))
          and o.id <> j.id
          and ((o.status not in ('DONE', 'DEAD') and (o.created_at, o.id) < (j.created_at, j.id))
               or (o.status = 'RUNNING' and o.lease_until >= now())))
   order by j.created_at, j.id`;

/**
 * Takes at most `cap - live leases` (and `want`) heads of the integration's queues under the lease;
 * a later statement than the lock, so its snapshot sees every claim committed before the lock.
 * An expired lease taken over counts the lost run as an attempt (DEAD on the last one).
 */
async function claimForIntegration(
  tx: DbOrTx,
  integration: ClaimableIntegration,
  want: number,
  options: ClaimOptions,
): Promise<ClaimedRow[]> {
  const cap = options.perIntegrationConcurrency;
  const lastTry = sql`s.status = 'RUNNING' and s.attempts + 1 >= ${options.maxAttempts}::int`;
  const rows = rowsOf<ClaimedDbRow>(
    await executeNamed(
      tx,
      sql`
      with slots as (
        select greatest(least(${cap}::int - count(*), ${want}::int), 0)::int as n
          from sync_jobs
         where team_id = ${integration.team_id} and status = 'RUNNING' and lease_until >= now()
      ), picked as (
        ${headsOfQueue(integration.team_id)}
         limit (select n from slots)
           for update of j skip locked
      )
      update sync_jobs s
         set status = case when ${lastTry} then ${jobStatus('DEAD')} else ${jobStatus('RUNNING')} end,
             attempts = case when s.status = 'RUNNING' then s.attempts + 1 else s.attempts end,
             last_error = case when s.status = 'RUNNING' then ${LEASE_EXPIRED_ERROR} else s.last_error end,
             lease_owner = case when ${lastTry} then null else ${options.owner} end,
             lease_until = case when ${lastTry} then null else now() + ${interval(options.leaseMs)} end,
             updated_at = now()
        from picked
       where s.id = picked.id
      returning s.id, s.team_id, s.campaign_contact_id, s.payload, s.attempts, s.status::text as status,
                s.last_error`,
    ),
  );
  return rows.map((row) => ({
    id: row.id,
    teamId: row.team_id,
    campaignContactId: row.campaign_contact_id,
    payload: row.payload,
    attempts: Number(row.attempts),
    leaseOwner: options.owner,
    integration: { id: integration.id, keyGeneration: Number(integration.key_generation) },
    status: row.status,
    lastError: row.last_error,
  }));
}

interface ClaimedDbRow {
  readonly id: string;
  readonly team_id: string;
  readonly campaign_contact_id: string;
  readonly payload: unknown;
  readonly attempts: number;
  readonly status: 'RUNNING' | 'DEAD';
  readonly last_error: string | null;
}

/** The lease a completion must still hold: a worker that lost it (expired, taken over) changes nothing. */
export interface Lease {
  readonly id: string;
  readonly leaseOwner: string;
}

const held = (lease: Lease) =>
  sql`id = ${lease.id} and lease_owner = ${lease.leaseOwner} and status = 'RUNNING'`;

/** Extends a running job's lease; false when the lease was lost (the worker must stop the job). */
export async function extendLease(db: Db, lease: Lease, leaseMs: number): Promise<boolean> {
  const result = await executeNamed(
    db,
    sql`
    update sync_jobs set lease_until = now() + ${interval(leaseMs)}, updated_at = now()
     where ${held(lease)} returning id`,
  );
  return rowsOf(result).length > 0;
}

/**
 * Finished (outcome `done`), or failed permanently (`failed`, with the error the executor already
 * recorded for users): either way the queue is done with it. Pinpoint answered, so the breaker closes.
 */
export async function completeSyncJob(db: Db, lease: Lease, error: string | null = null): Promise<boolean> {
  const result = await executeNamed(
    db,
    sql`with ${completionCtes(lease, error, sql`true`)} select count(*)::int as n from job`,
  );
  return Number(rowsOf<{ n: number }>(result)[0]?.n ?? 0) > 0;
}

/** `job as (…), reset as (…)`: completeSyncJob's work as CTEs, applied only when `when` holds. */
function completionCtes(lease: Lease, error: string | null, when: SQL): SQL {
  return sql`job as (
      update sync_jobs
         set status = ${jobStatus('DONE')}, last_error = ${error}, lease_owner = null, lease_until = null,
             updated_at = now()
       where ${held(lease)} and ${when}
      returning team_id
    ), reset as (${breakerResetSql(sql`(select team_id from job)`)} returning 1)`;
}

/**
 * The job's completion for an executor to run in its last statement (see ClaimedJob.complete): CTEs
 * `job` (the row marked DONE, if the lease is still held and `when` holds) and `reset` (the breaker).
 */
export function completionOf(lease: Lease): (when: SQL) => SQL {
  return (when) => completionCtes(lease, null, when);
}

export interface RetryOptions extends BreakerSettings {
  readonly error: string;
  readonly delayMs: number;
  readonly maxAttempts: number;
  /** Counts the failure towards opening the integration's breaker. */
  readonly breaker: boolean;
}

export type RetryResult =
  | { readonly applied: false }
  | {
      readonly applied: true;
      readonly status: 'QUEUED' | 'DEAD';
      readonly attempts: number;
      readonly runAt: Date;
    };

/**
 * A transient failure: one more attempt used; due again after `delayMs`, or DEAD when no attempt is
 * left. With `breaker`, the failure also counts towards the integration's breaker (same statement).
 */
export async function retrySyncJob(db: Db, lease: Lease, options: RetryOptions): Promise<RetryResult> {
  const dead = sql`attempts + 1 >= ${options.maxAttempts}::int`;
  const breaker = options.breaker
    ? sql`, breaker as (${breakerFailureSql(sql`(select team_id from job)`, options)} returning 1)`
    : sql``;
  const result = await executeNamed(
    db,
    sql`
    with job as (
      update sync_jobs
         set attempts = attempts + 1,
             status = case when ${dead} then ${jobStatus('DEAD')} else ${jobStatus('QUEUED')} end,
             run_at = case when ${dead} then run_at else now() + ${interval(options.delayMs)} end,
             last_error = ${options.error}, lease_owner = null, lease_until = null, updated_at = now()
       where ${held(lease)}
      returning team_id, status::text as status, attempts, (extract(epoch from run_at) * 1000)::float8 as run_at_ms
    )${breaker}
    select status, attempts, run_at_ms from job`,
  );
  const [row] = rowsOf<{ status: 'QUEUED' | 'DEAD'; attempts: number; run_at_ms: number | string }>(result);
  if (!row) return { applied: false };
  return {
    applied: true,
    status: row.status,
    attempts: Number(row.attempts),
    runAt: new Date(Number(row.run_at_ms)),
  };
}

/** Gives a job up at once (e.g. a payload that cannot be read): DEAD with the reason. */
export async function killSyncJob(db: Db, lease: Lease, error: string): Promise<boolean> {
  const result = await db.execute(sql`
    update sync_jobs
       set status = ${jobStatus('DEAD')}, last_error = ${error}, lease_owner = null, lease_until = null,
           updated_at = now()
     where ${held(lease)} returning id`);
  return rowsOf(result).length > 0;
}

/**
 * Hands a job back untouched (shutdown, or the key changed while it ran): due now, attempts
 * unchanged, and other instances are woken to take it at once.
 */
export async function releaseSyncJob(db: Db, lease: Lease & { readonly teamId: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const result = await tx.execute(sql`
      update sync_jobs
         set status = ${jobStatus('QUEUED')}, run_at = now(), lease_owner = null, lease_until = null,
             updated_at = now()
       where ${held(lease)} returning id`);
    const released = rowsOf(result).length > 0;
    if (released) await notify(tx, CHANNELS.syncJobs, { teamId: lease.teamId });
    return released;
  });
}

export type PauseResult = 'paused' | 'released' | 'lost';

/**
 * The integration's key was refused: this job and the team's other queued jobs wait (PAUSED, no
 * attempt used) until re-activation flips them back. The integration row is locked first, so this
 * cannot interleave with an activation: if a new key was stored meanwhile (key generation moved on
 * and the integration is connected), the job is handed back instead of paused behind a working key.
 */
export async function pauseSyncJob(
  db: Db,
  lease: Lease & { readonly teamId: string; readonly keyGeneration: number },
  error: string,
): Promise<PauseResult> {
  const release = await db.transaction(async (tx) => {
    const [integration] = rowsOf<{ status: string; key_generation: number }>(
      await tx.execute(sql`
        select status::text as status, key_generation from integrations
         where team_id = ${lease.teamId} and provider = 'PINPOINT' for update`),
    );
    if (integration?.status === 'CONNECTED' && Number(integration.key_generation) !== lease.keyGeneration) {
      return true;
    }
    const paused = rowsOf(
      await tx.execute(sql`
        update sync_jobs
           set status = ${jobStatus('PAUSED')}, last_error = ${error}, lease_owner = null, lease_until = null,
               updated_at = now()
         where ${held(lease)} returning id`),
    );
    if (paused.length === 0) return null;
    await tx.execute(sql`
      update sync_jobs set status = ${jobStatus('PAUSED')}, last_error = ${error}, updated_at = now()
       where team_id = ${lease.teamId} and status = 'QUEUED'`);
    return false;
  });
  if (release === null) return 'lost';
  if (!release) return 'paused';
  return (await releaseSyncJob(db, lease)) ? 'released' : 'lost';
}
