// One claimed job in a worker: check its payload, run it through the executor outside any
// transaction while a heartbeat keeps its lease, and record the outcome (worker-outcome.ts).
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { ClaimedRow } from './claim.js';
import type { ClaimedJob, JobOutcome } from './executor-types.js';
import { syncJobPayloadSchema } from './jobs.js';
import { type CompletionOptions, completionOf, extendLease, killSyncJob, releaseSyncJob } from './outbox.js';
import { callback, type OutcomeDeps, recordOutcome } from './worker-outcome.js';

/** What running a job needs of its worker. */
export interface JobDeps extends OutcomeDeps {
  readonly log: Logger;
  /** True after abandon(): no more heartbeats. */
  readonly abandoned: () => boolean;
  /** Whether and how the job's completion hands its slot to the next job (see outbox.ts#completionOf). */
  readonly handOff: (running: Running) => CompletionOptions['handOff'];
}

export interface Running {
  readonly row: ClaimedRow;
  readonly controller: AbortController;
  /** Aborted by stop(): a retry outcome means "interrupted", so the lease is handed back instead. */
  stopAborted: boolean;
  /** stop() gave up waiting and returned the lease itself; the execution's outcome is ignored. */
  released: boolean;
  /** Jobs handed off in a row before this one (0: claimed). */
  readonly chain: number;
  /** The job its completion handed the slot to, if any: the worker runs it next. */
  handedOff: ClaimedRow | null;
  done: Promise<void>;
}

/** Hands a job back (QUEUED, due now); a failure is logged and the lease left to expire. */
export async function releaseJob(deps: Pick<JobDeps, 'db' | 'log'>, row: ClaimedRow): Promise<void> {
  try {
    await releaseSyncJob(deps.db, row);
  } catch (error) {
    deps.log.error({ err: error, jobId: row.id }, 'could not hand a sync job back; its lease will expire');
  }
}

/** Runs a claimed job to its recorded end. */
export async function runJob(deps: JobDeps, running: Running): Promise<void> {
  const { row } = running;
  const jobLog = deps.log.child({ jobId: row.id, teamId: row.teamId, attempts: row.attempts });
  const job = await checkedJob(deps, running, jobLog);
  if (!job) return;
  if (row.status === 'DEAD') {
    // Its lease expired on the last allowed attempt: the claim already marked it DEAD.
    const error = row.lastError ?? 'The job ran out of attempts.';
    jobLog.error({ error }, 'sync job gave up after a lost lease on its last attempt');
    await callback('onDead', () => deps.executor.onDead(job, error), jobLog);
    return;
  }
  const outcome = await execute(deps, running, job, jobLog);
  if (running.released) return;
  if (running.stopAborted && outcome.kind === 'retry') {
    await releaseJob(deps, row);
    jobLog.info('sync job interrupted by shutdown; handed back');
    return;
  }
  await recordOutcome(deps, job, row, outcome, jobLog, (error) =>
    completionOf(row, { error, handOff: deps.handOff(running) }),
  );
}

/** The job of a row whose payload reads; a payload that cannot is marked DEAD (null). */
async function checkedJob(deps: JobDeps, running: Running, jobLog: Logger): Promise<ClaimedJob | null> {
  const { row } = running;
  const parsed = syncJobPayloadSchema.safeParse(row.payload);
  if (!parsed.success) {
    const error = `The job's payload is not a valid sync job payload (version 1), so it can never run: ${z.prettifyError(parsed.error)}`;
    jobLog.error({ error }, 'sync job has a malformed payload; marked DEAD');
    if (row.status === 'RUNNING') await killSyncJob(deps.db, row, error);
    return null;
  }
  return {
    id: row.id,
    teamId: row.teamId,
    campaignContactId: row.campaignContactId,
    payload: parsed.data,
    attempts: row.attempts,
    integration: row.integration,
    ...(row.context !== undefined ? { context: row.context } : {}),
    complete: completionOf(row, { handOff: deps.handOff(running) }),
  };
}

/** The executor's outcome, with the lease kept alive meanwhile; a throw reads as a retry. */
async function execute(
  deps: JobDeps,
  running: Running,
  job: ClaimedJob,
  jobLog: Logger,
): Promise<JobOutcome> {
  const heartbeat = startHeartbeat(deps, running, jobLog);
  try {
    return await deps.executor.execute(job, running.controller.signal);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!running.stopAborted) jobLog.error({ err: error }, 'the executor threw; retrying the job');
    return { kind: 'retry', error: `Unexpected error: ${message}`, breaker: false };
  } finally {
    clearInterval(heartbeat);
  }
}

/** Extends the lease every third of its length; a lost lease (taken over) aborts the execution. */
function startHeartbeat(deps: JobDeps, running: Running, jobLog: Logger): NodeJS.Timeout {
  let beating = false;
  return setInterval(
    async () => {
      if (beating || deps.abandoned() || running.released) return;
      beating = true;
      try {
        if (!(await extendLease(deps.db, running.row, deps.settings.leaseMs))) {
          jobLog.warn('lost the lease of a running sync job (taken over); aborting it');
          running.controller.abort(new Error('lease lost'));
        }
      } catch (error) {
        jobLog.warn({ err: error }, 'could not extend a sync job lease');
      } finally {
        beating = false;
      }
    },
    Math.max(10, Math.floor(deps.settings.leaseMs / 3)),
  );
}
