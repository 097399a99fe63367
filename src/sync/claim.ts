// Claiming outbox jobs under a lease (the worker's side): the claim itself, and the hand-off by which
// a completing job passes its slot to the next job of its integration in the completion's statement.
// Every statement here is short and awaits nothing but its own queries: on PGlite (one connection)
// a transaction blocks every other query, and no transaction may span the executor's HTTP call.
// Times are the database's (now()), so instances need not agree on the clock.
import { type SQL, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../db/client.js';
import { executeNamed } from '../db/named.js';
import { contextFromJson, contextJsonSql, type SyncContext } from '../db/queries/sync-context.js';
import { rowsOf } from './rate-limit.js';

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
   * Integrations to serve only when no other has work (those whose slots were just handed along
   * for a full run, see worker.ts#HAND_OFFS_IN_A_ROW): their turn passes to other teams first.
   */
  readonly servedLast?: readonly string[];
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
  /**
   * Its campaign contact's context, when the statement that leased the job read it too (a hand-off);
   * null: the campaign contact is gone. Absent: the executor reads it.
   */
  readonly context?: SyncContext | null;
}

const LEASE_EXPIRED_ERROR = 'The worker running this job stopped before finishing (its lease expired).';

export const interval = (ms: number) => sql`make_interval(secs => ${ms / 1000}::float8)`;
export const jobStatus = (status: 'QUEUED' | 'RUNNING' | 'DONE' | 'PAUSED' | 'DEAD') =>
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
       order by i.id = any(string_to_array(${(options.servedLast ?? []).join(',')}::text, ',')::uuid[]), random()
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
      ${takeLeases(options, sql`true`)}`,
    ),
  );
  const keyGeneration = Number(integration.key_generation);
  return rows.map((row) => claimedRowOf(row, options.owner, { id: integration.id, keyGeneration }));
}

/**
 * `update … from picked`: the jobs of CTE `picked` (when `when` holds) under `lease.owner`'s lease,
 * returning ClaimedDbRow's columns and `columns` (each after a comma).
 * An expired lease taken over counts the lost run as an attempt, and on the last one the job is
 * marked DEAD instead (nothing to run; the worker tells the executor).
 */
function takeLeases(
  lease: Pick<ClaimOptions, 'owner' | 'leaseMs' | 'maxAttempts'>,
  when: SQL,
  columns: SQL = sql``,
): SQL {
  const lastTry = sql`s.status = 'RUNNING' and s.attempts + 1 >= ${lease.maxAttempts}::int`;
  return sql`
      update sync_jobs s
         set status = case when ${lastTry} then ${jobStatus('DEAD')} else ${jobStatus('RUNNING')} end,
             attempts = case when s.status = 'RUNNING' then s.attempts + 1 else s.attempts end,
             last_error = case when s.status = 'RUNNING' then ${LEASE_EXPIRED_ERROR} else s.last_error end,
             lease_owner = case when ${lastTry} then null else ${lease.owner} end,
             lease_until = case when ${lastTry} then null else now() + ${interval(lease.leaseMs)} end,
             updated_at = now()
        from picked
       where s.id = picked.id and ${when}
      returning s.id, s.team_id, s.campaign_contact_id, s.payload, s.attempts, s.status::text as status,
                s.last_error${columns}`;
}

function claimedRowOf(row: ClaimedDbRow, owner: string, integration: ClaimedRow['integration']): ClaimedRow {
  return {
    id: row.id,
    teamId: row.team_id,
    campaignContactId: row.campaign_contact_id,
    payload: row.payload,
    attempts: Number(row.attempts),
    leaseOwner: owner,
    integration,
    status: row.status,
    lastError: row.last_error,
  };
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

/** What a completing job needs to hand its slot to the next job of its integration. */
export interface HandOff
  extends Pick<ClaimOptions, 'owner' | 'leaseMs' | 'maxAttempts' | 'perIntegrationConcurrency'> {
  /** The completing job, whose slot passes on. */
  readonly jobId: string;
  readonly teamId: string;
  readonly integrationId: string;
}

/**
 * CTEs (`picked`, `handoff`, `handed_context`) for a completion's statement, after its `job` and
 * `reset` CTEs (read first, so the integration's row is locked, if at all, before any waiting
 * job's): when `job` completed a row, the oldest head of the integration's queues is taken under
 * `handOff.owner`'s lease in the same statement, so the slot passes from one job to the next without a claim. Only a
 * live lease passes on, and only below the cap counting the others: the integration's live leases
 * then stay the same in number (one ends as the other starts, atomically), so the per-integration
 * cap holds without the claim's lock. (A lease that expired unnoticed may already have been
 * replaced by another claim.) Nothing is handed off unless the integration is still connected with
 * its breaker closed: its row is read, not locked, so a pause committing meanwhile lets one job
 * through, which Pinpoint refuses and which then pauses too. Columns: `handedOffSql`.
 */
export function handOffCtes(handOff: HandOff): SQL {
  return sql`picked as (
        ${headsOfQueue(handOff.teamId)}
         limit (select count(*) from job
                 where (select count(*) from reset) >= 0
                   and exists (select 1 from sync_jobs c
                                where c.id = ${handOff.jobId} and c.lease_until >= now())
                   and (select count(*) from sync_jobs r
                         where r.team_id = ${handOff.teamId} and r.status = 'RUNNING'
                           and r.lease_until >= now() and r.id <> ${handOff.jobId})
                       < ${handOff.perIntegrationConcurrency}::int)
           for update of j skip locked
      ), handoff as (
        ${takeLeases(
          handOff,
          sql`exists (select 1 from integrations i
                       where i.id = ${handOff.integrationId} and i.status = 'CONNECTED'
                         and (i.breaker_open_until is null or i.breaker_open_until <= now()))`,
          sql`, (select key_generation from integrations where id = ${handOff.integrationId}) as key_generation`,
        )}
      ), handed_context as materialized (
        select ${contextJsonSql(handOff.teamId, sql`(select h.campaign_contact_id from handoff h)`)} as value
      )`;
}

/**
 * The select-list entries that read handOffCtes' job back: `handed_off` (JSON or null) and its
 * campaign contact's context, `handed_off_context` (CTE `handed_context`, which the statement's
 * `settled` count reads so that it runs before the team's event-log lock is taken), read in the same
 * statement so that the job starts without reading it again. The statement's own writes are not
 * visible to that read, and need not be: the handed-off job is never of the completing job's contact
 * or person (headsOfQueue), and nothing else in the statement writes what a context reads.
 */
export const handedOffSql = sql`(select row_to_json(h) from handoff h) as handed_off,
    (select value from handed_context) as handed_off_context`;

/** The job a completion handed its slot to (see handOffCtes), from its `handed_off` columns. */
export function handedOffRow(value: unknown, handOff: HandOff, context?: unknown): ClaimedRow | null {
  if (value === null || value === undefined) return null;
  const row = (typeof value === 'string' ? JSON.parse(value) : value) as ClaimedDbRow & {
    key_generation: number;
  };
  const claimed = claimedRowOf(row, handOff.owner, {
    id: handOff.integrationId,
    keyGeneration: Number(row.key_generation),
  });
  return context === undefined ? claimed : { ...claimed, context: contextFromJson(context) };
}
