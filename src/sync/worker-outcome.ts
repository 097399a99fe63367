// Records a job's outcome in the outbox, only while the worker still holds its lease: done/failed
// complete it, retry reschedules it with backoff (or gives it up), pause parks the team's jobs. The
// executor's callbacks (onRetry, onDead) then tell users.
import type { SyncSettings } from '../config.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { ClaimedRow } from './claim.js';
import type { ClaimedJob, Completion, JobExecutor, JobOutcome } from './executor-types.js';
import { completeSyncJob, pauseSyncJob, retrySyncJob } from './outbox.js';

/** What recording an outcome needs of its worker. */
export interface OutcomeDeps {
  readonly db: Db;
  readonly executor: JobExecutor;
  readonly settings: SyncSettings;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base · 2^attempts)). */
export function backoffMs(
  attempts: number,
  settings: Pick<SyncSettings, 'backoffBaseMs' | 'backoffCapMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(settings.backoffCapMs, settings.backoffBaseMs * 2 ** Math.min(attempts, 40));
  return Math.floor(random() * ceiling);
}

/** Runs an executor callback; its failure is logged, never thrown (the outbox already moved on). */
export async function callback(name: string, fn: () => Promise<void>, jobLog: Logger): Promise<void> {
  try {
    await fn();
  } catch (error) {
    jobLog.error({ err: error }, `executor.${name} failed`);
  }
}

/** Records the outcome; `completion` makes the job's completion (with the error of a `failed`). */
export async function recordOutcome(
  deps: OutcomeDeps,
  job: ClaimedJob,
  row: ClaimedRow,
  outcome: JobOutcome,
  jobLog: Logger,
  completion: (error: string | null) => Completion,
): Promise<void> {
  const lost = () =>
    jobLog.warn({ outcome: outcome.kind }, 'lease lost before completion; outcome discarded');
  switch (outcome.kind) {
    case 'done':
    case 'failed': {
      if (outcome.kind === 'done' && outcome.completed !== undefined) {
        if (!outcome.completed) return lost();
        jobLog.debug({ outcome: outcome.kind }, 'sync job finished');
        return;
      }
      const error = outcome.kind === 'failed' ? outcome.error : null;
      if (!(await completeSyncJob(deps.db, completion(error)))) return lost();
      jobLog.debug({ outcome: outcome.kind }, 'sync job finished');
      return;
    }
    case 'retry':
      return (await recordRetry(deps, job, row, outcome, jobLog)) ? undefined : lost();
    case 'pause': {
      const result = await pauseSyncJob(
        deps.db,
        { ...row, keyGeneration: job.integration.keyGeneration },
        outcome.error,
      );
      if (result === 'lost') return lost();
      jobLog.warn(
        { error: outcome.error, result },
        'sync job paused until the integration is activated again',
      );
      return;
    }
  }
}

/** A transient failure: due again after the backoff (or Retry-After), or DEAD without attempts left. False: lease lost. */
async function recordRetry(
  { db, executor, settings }: OutcomeDeps,
  job: ClaimedJob,
  row: ClaimedRow,
  outcome: Extract<JobOutcome, { kind: 'retry' }>,
  jobLog: Logger,
): Promise<boolean> {
  const delayMs =
    outcome.retryAfterMs != null ? Math.max(0, outcome.retryAfterMs) : backoffMs(job.attempts, settings);
  const result = await retrySyncJob(db, row, {
    error: outcome.error,
    delayMs,
    maxAttempts: settings.maxAttempts,
    breaker: outcome.breaker,
    breakerThreshold: settings.breakerThreshold,
    breakerCooldownMs: settings.breakerCooldownMs,
  });
  if (!result.applied) return false;
  if (result.status === 'DEAD') {
    jobLog.error({ error: outcome.error }, 'sync job out of attempts; marked DEAD');
    await callback('onDead', () => executor.onDead(job, outcome.error), jobLog);
  } else {
    jobLog.warn({ error: outcome.error, delayMs }, 'sync job will be retried');
    const onRetry = executor.onRetry?.bind(executor);
    if (onRetry) await callback('onRetry', () => onRetry(job, outcome.error, result.runAt), jobLog);
  }
  return true;
}
