// Outbox workers: one claimer per instance feeds `concurrency` slots with leased jobs, runs each
// through the executor outside any transaction, and records the outcome only while it still holds
// the lease. Woken by NOTIFY on enqueue, else by polling; stop() hands unfinished jobs back.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import type { SyncSettings } from '../config.js';
import type { Database } from '../db/client.js';
import { CHANNELS, type EventBus } from '../db/notify.js';
import type { Logger } from '../logger.js';
import type { ClaimedJob, JobExecutor, JobOutcome } from './executor-types.js';
import { syncJobPayloadSchema } from './jobs.js';
import {
  type ClaimedRow,
  claimSyncJobs,
  completeSyncJob,
  extendLease,
  killSyncJob,
  pauseSyncJob,
  releaseSyncJob,
  retrySyncJob,
} from './outbox.js';

export interface StartWorkersOptions {
  readonly database: Database;
  readonly executor: JobExecutor;
  readonly logger: Logger;
  /** Jobs this instance runs at once (the per-integration cap still applies across instances). */
  readonly concurrency: number;
  readonly settings: SyncSettings;
  /** Wakes idle workers as soon as jobs are enqueued; without it they only poll. */
  readonly events?: EventBus;
  /** Names this instance in leases and logs; defaults to host, pid and a random suffix. */
  readonly workerId?: string;
  /** Only these teams' jobs (see ClaimOptions.onlyTeams); absent: every team. */
  readonly onlyTeams?: readonly string[];
}

export interface Workers {
  readonly id: string;
  /**
   * Graceful stop: claims nothing more, lets running jobs finish for `shutdownGraceMs`, then aborts
   * them and hands their jobs back (QUEUED, attempts unchanged) for another instance to take at once.
   */
  stop(): Promise<void>;
  /** Resolves the next time this instance has nothing running and finds nothing due. */
  drain(): Promise<void>;
  /**
   * Simulates a crash (tests): stops claiming and heartbeats at once and returns no lease, so the
   * leases expire and other instances take the jobs over. Executions already started run to their
   * end and try to record their outcome, which the lease check then discards.
   */
  abandon(): void;
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

/** After stop()'s grace period and the abort, how long executions get to return before their leases are taken back. */
const ABORT_WAIT_MS = 2_000;

interface Running {
  readonly row: ClaimedRow;
  readonly controller: AbortController;
  /** Aborted by stop(): a retry outcome means "interrupted", so the lease is handed back instead. */
  stopAborted: boolean;
  /** stop() gave up waiting and returned the lease itself; the execution's outcome is ignored. */
  released: boolean;
  done: Promise<void>;
}

export function startWorkers(options: StartWorkersOptions): Workers {
  const { executor, settings, concurrency } = options;
  const db = options.database.db;
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = options.logger.child({ component: 'sync-worker', workerId: id });
  const inFlight = new Map<string, Running>();
  let claimSeq = 0;
  let stopping = false;
  let abandoned = false;
  let stopped: Promise<void> | null = null;

  // Wake-ups: a kick that arrives while the claimer is busy is remembered, never lost.
  let kicked = false;
  let wake: (() => void) | null = null;
  const kick = () => {
    kicked = true;
    wake?.();
  };
  const waitForKick = async (ms: number) => {
    if (!kicked) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    }
    kicked = false;
  };
  let idleWaiters: (() => void)[] = [];
  const resolveIdle = () => {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const subscription = options.events
    ? options.events.on(CHANNELS.syncJobs, kick).catch((error: unknown) => {
        log.warn({ err: error }, 'could not listen for new sync jobs; polling only');
        return null;
      })
    : Promise.resolve(null);

  const claimer = (async () => {
    await subscription;
    while (!stopping) {
      const free = concurrency - inFlight.size;
      if (free <= 0) {
        await waitForKick(settings.pollIntervalMs);
        continue;
      }
      kicked = false;
      let rows: ClaimedRow[];
      try {
        rows = await claimSyncJobs(db, {
          owner: `${id}#${++claimSeq}`,
          limit: free,
          leaseMs: settings.leaseMs,
          perIntegrationConcurrency: settings.perIntegrationConcurrency,
          maxAttempts: settings.maxAttempts,
          ...(options.onlyTeams ? { onlyTeams: options.onlyTeams } : {}),
        });
      } catch (error) {
        if (stopping) break;
        log.error({ err: error }, 'claiming sync jobs failed; retrying after the poll interval');
        await waitForKick(settings.pollIntervalMs);
        continue;
      }
      if (stopping) {
        // Claimed while stop() was called: hand them straight back (a crash would just let them expire).
        if (!abandoned) await Promise.all(rows.map((row) => release(row)));
        break;
      }
      for (const row of rows) start(row);
      if (rows.length === 0 && inFlight.size === 0) resolveIdle();
      if (rows.length < free) await waitForKick(settings.pollIntervalMs);
    }
  })();

  function start(row: ClaimedRow): void {
    const running: Running = {
      row,
      controller: new AbortController(),
      stopAborted: false,
      released: false,
      done: Promise.resolve(),
    };
    inFlight.set(row.id, running);
    running.done = run(running)
      .catch((error: unknown) =>
        log.error({ err: error, jobId: row.id }, 'recording a sync job outcome failed'),
      )
      .finally(() => {
        inFlight.delete(row.id);
        kick();
      });
  }

  async function release(row: ClaimedRow): Promise<void> {
    try {
      await releaseSyncJob(db, row);
    } catch (error) {
      log.error({ err: error, jobId: row.id }, 'could not hand a sync job back; its lease will expire');
    }
  }

  async function run(running: Running): Promise<void> {
    const { row } = running;
    const jobLog = log.child({ jobId: row.id, teamId: row.teamId, attempts: row.attempts });
    const parsed = syncJobPayloadSchema.safeParse(row.payload);
    if (!parsed.success) {
      const error = `The job's payload is not a valid sync job payload (version 1), so it can never run: ${z.prettifyError(parsed.error)}`;
      jobLog.error({ error }, 'sync job has a malformed payload; marked DEAD');
      if (row.status === 'RUNNING') await killSyncJob(db, row, error);
      return;
    }
    const job: ClaimedJob = {
      id: row.id,
      teamId: row.teamId,
      campaignContactId: row.campaignContactId,
      payload: parsed.data,
      attempts: row.attempts,
      integration: row.integration,
    };
    if (row.status === 'DEAD') {
      // Its lease expired on the last allowed attempt: the claim already marked it DEAD.
      const error = row.lastError ?? 'The job ran out of attempts.';
      jobLog.error({ error }, 'sync job gave up after a lost lease on its last attempt');
      await callback('onDead', () => executor.onDead(job, error), jobLog);
      return;
    }

    const heartbeat = startHeartbeat(running, jobLog);
    let outcome: JobOutcome;
    try {
      outcome = await executor.execute(job, running.controller.signal);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!running.stopAborted) jobLog.error({ err: error }, 'the executor threw; retrying the job');
      outcome = { kind: 'retry', error: `Unexpected error: ${message}`, breaker: false };
    } finally {
      clearInterval(heartbeat);
    }
    if (running.released) return;
    if (running.stopAborted && outcome.kind === 'retry') {
      await release(row);
      jobLog.info('sync job interrupted by shutdown; handed back');
      return;
    }
    await record(job, row, outcome, jobLog);
  }

  function startHeartbeat(running: Running, jobLog: Logger): NodeJS.Timeout {
    let beating = false;
    return setInterval(
      async () => {
        if (beating || abandoned || running.released) return;
        beating = true;
        try {
          if (!(await extendLease(db, running.row, settings.leaseMs))) {
            jobLog.warn('lost the lease of a running sync job (taken over); aborting it');
            running.controller.abort(new Error('lease lost'));
          }
        } catch (error) {
          jobLog.warn({ err: error }, 'could not extend a sync job lease');
        } finally {
          beating = false;
        }
      },
      Math.max(10, Math.floor(settings.leaseMs / 3)),
    );
  }

  async function record(
    job: ClaimedJob,
    row: ClaimedRow,
    outcome: JobOutcome,
    jobLog: Logger,
  ): Promise<void> {
    const lost = () =>
      jobLog.warn({ outcome: outcome.kind }, 'lease lost before completion; outcome discarded');
    switch (outcome.kind) {
      case 'done':
      case 'failed': {
        const error = outcome.kind === 'failed' ? outcome.error : null;
        if (!(await completeSyncJob(db, row, error))) return lost();
        jobLog.debug({ outcome: outcome.kind }, 'sync job finished');
        return;
      }
      case 'retry': {
        const delayMs =
          outcome.retryAfterMs != null
            ? Math.max(0, outcome.retryAfterMs)
            : backoffMs(job.attempts, settings);
        const result = await retrySyncJob(db, row, {
          error: outcome.error,
          delayMs,
          maxAttempts: settings.maxAttempts,
          breaker: outcome.breaker,
          breakerThreshold: settings.breakerThreshold,
          breakerCooldownMs: settings.breakerCooldownMs,
        });
        if (!result.applied) return lost();
        if (result.status === 'DEAD') {
          jobLog.error({ error: outcome.error }, 'sync job out of attempts; marked DEAD');
          await callback('onDead', () => executor.onDead(job, outcome.error), jobLog);
        } else {
          jobLog.warn({ error: outcome.error, delayMs }, 'sync job will be retried');
          const onRetry = executor.onRetry?.bind(executor);
          if (onRetry) await callback('onRetry', () => onRetry(job, outcome.error, result.runAt), jobLog);
        }
        return;
      }
      case 'pause': {
        const result = await pauseSyncJob(
          db,
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

  async function callback(name: string, fn: () => Promise<void>, jobLog: Logger): Promise<void> {
    try {
      await fn();
    } catch (error) {
      jobLog.error({ err: error }, `executor.${name} failed`);
    }
  }

  const unsubscribe = async () => {
    const off = await subscription;
    off?.();
  };

  return {
    id,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        kick();
        await claimer;
        await unsubscribe();
        if (!abandoned && inFlight.size > 0) {
          if (!(await settledWithin([...inFlight.values()], settings.shutdownGraceMs))) {
            log.info({ running: inFlight.size }, 'aborting running sync jobs to shut down');
            for (const running of inFlight.values()) {
              running.stopAborted = true;
              running.controller.abort(new Error('worker shutting down'));
            }
            if (!(await settledWithin([...inFlight.values()], ABORT_WAIT_MS))) {
              await Promise.all(
                [...inFlight.values()].map((running) => {
                  running.released = true;
                  return release(running.row);
                }),
              );
            }
          }
        }
        resolveIdle();
        log.info('sync workers stopped');
      })();
      return stopped;
    },
    drain() {
      if (stopping) return Promise.resolve();
      kick();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    abandon() {
      abandoned = true;
      stopping = true;
      kick();
      void unsubscribe();
      resolveIdle();
    },
  };
}

async function settledWithin(running: readonly Running[], ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const all = Promise.all(running.map((r) => r.done)).then(() => true as const);
  const result = await Promise.race([all, timeout]);
  clearTimeout(timer);
  return result;
}
