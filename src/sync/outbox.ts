// The transactional outbox: use cases enqueue jobs in the same transaction as their state change.
import { type SQL, sql } from 'drizzle-orm';
import { insertJsonRows, inUuidList } from '../db/bulk.js';
import type { Db, DbOrTx } from '../db/client.js';
import { executeNamed } from '../db/named.js';
import { CHANNELS, notify } from '../db/notify.js';
import { campaignContactsTable, syncJobsTable } from '../db/schema.js';
import {
  type ClaimedRow,
  type HandOff,
  handedOffRow,
  handedOffSql,
  handOffCtes,
  interval,
  jobStatus,
} from './claim.js';
import type { Completion } from './executor-types.js';
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
      .where(inUuidList(campaignContactsTable.id, [...new Set(chunk.map((j) => j.campaignContactId))]));
    const contactOf = new Map(links.map((l) => [l.id, l.contactId]));
    const j = syncJobsTable;
    await tx.execute(
      insertJsonRows(
        j,
        chunk.map((job) => ({
          teamId: job.teamId,
          campaignContactId: job.campaignContactId,
          contactId: contactOf.get(job.campaignContactId) ?? null,
          payload: { v: 1, event: job.event } satisfies SyncJobPayload,
        })),
        {
          teamId: j.teamId,
          campaignContactId: j.campaignContactId,
          contactId: j.contactId,
          payload: j.payload,
        },
        // A contact's jobs run in created_at order; now() is the same for a whole transaction, so
        // jobs written together are spaced by their position (e.n, from 1) to keep their order.
        [[j.createdAt, sql`clock_timestamp() + (${start}::int + e.n::int - 1) * interval '1 microsecond'`]],
      ),
    );
  }
  const teams = new Set(jobs.map((j) => j.teamId));
  for (const teamId of teams) await notify(tx, CHANNELS.syncJobs, { teamId });
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
 * Run `completionOf(…)`; answers whether the lease was still held (the job is DONE).
 */
export async function completeSyncJob(db: Db, completion: Completion): Promise<boolean> {
  const { ctes, columns } = completion.parts(sql`true`);
  const result = await executeNamed(db, sql`with ${ctes} select ${columns}`);
  return completion.read(rowsOf<Record<string, unknown>>(result)[0]);
}

/** `job as (…), reset as (…)`: the completion's own CTEs, applied only when `when` holds. */
function completionCtes(lease: Lease, error: string | null, when: SQL): SQL {
  return sql`job as (
      update sync_jobs
         set status = ${jobStatus('DONE')}, last_error = ${error}, lease_owner = null, lease_until = null,
             updated_at = now()
       where ${held(lease)} and ${when}
      returning team_id
    ), reset as (${breakerResetSql(sql`(select team_id from job)`)} returning 1)`;
}

export interface CompletionOptions {
  /** The permanent failure's error (outcome `failed`); absent: none. */
  readonly error?: string | null;
  /**
   * Asked as the statement is built: the hand-off to make (see claim.ts#handOffCtes), or null for
   * none. `take` gets the job handed off, if one was.
   */
  readonly handOff?: {
    readonly next: () => HandOff | null;
    readonly take: (row: ClaimedRow) => void;
  };
}

/**
 * The job's completion (see ClaimedJob.complete; completeSyncJob runs it on its own): CTEs `job` (the
 * row marked DONE, if the lease is still held and `when` holds) and `reset` (the breaker), and with
 * a hand-off the next job of the integration taken in the same statement.
 */
export function completionOf(lease: Lease, options: CompletionOptions = {}): Completion {
  let handOff: HandOff | null = null;
  return {
    parts(when) {
      handOff = options.handOff?.next() ?? null;
      const own = completionCtes(lease, options.error ?? null, when);
      const completed = sql`(select count(*) from job)::int as completed`;
      const settled = sql`(select count(*) from job) + (select count(*) from reset)`;
      if (!handOff) return { ctes: own, columns: completed, settled };
      return {
        ctes: sql`${own}, ${handOffCtes(handOff)}`,
        columns: sql`${completed}, ${handedOffSql}`,
        settled: sql`${settled} + (select count(*) from handoff) + (select count(*) from handed_context)`,
      };
    },
    read(row) {
      const next = handOff && handedOffRow(row?.handed_off, handOff, row?.handed_off_context);
      if (next) options.handOff?.take(next);
      return Number(row?.completed ?? 0) > 0;
    },
  };
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
