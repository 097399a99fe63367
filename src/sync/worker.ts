// Outbox workers: one claimer per instance feeds `concurrency` slots with leased jobs, runs each
// through the executor outside any transaction, and records the outcome only while it still holds
// the lease. Woken by NOTIFY on enqueue, else by polling; stop() hands unfinished jobs back.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SyncSettings } from '../config.js';
import type { Database } from '../db/client.js';
import { CHANNELS, type EventBus } from '../db/notify.js';
import type { Logger } from '../logger.js';
import { type ClaimedRow, claimSyncJobs, type HandOff } from './claim.js';
import type { JobExecutor } from './executor-types.js';
import type { CompletionOptions } from './outbox.js';
import { createWakeup, type Wakeup } from './wakeup.js';
import { type JobDeps, type Running, releaseJob, runJob } from './worker-job.js';

export { backoffMs } from './worker-outcome.js';

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

/** After stop()'s grace period and the abort, how long executions get to return before their leases are taken back. */
const ABORT_WAIT_MS = 2_000;

/**
 * A completing job hands its slot to the next job of its integration (claim.ts#handOffCtes) at most
 * this many times in a row; then the slot goes back to the claim, which serves other teams'
 * integrations first (ClaimOptions.servedLast).
 */
const HAND_OFFS_IN_A_ROW = 16;

/** One instance's workers: what the claim loop, the jobs and stop() share. */
interface WorkerState extends JobDeps {
  readonly id: string;
  readonly options: StartWorkersOptions;
  readonly inFlight: Map<string, Running>;
  readonly wakeup: Wakeup;
  /** Resolves to the NOTIFY unsubscribe (null: polling only). */
  readonly subscription: Promise<(() => void) | null>;
  claimSeq: number;
  /** Integrations whose slot was handed along HAND_OFFS_IN_A_ROW times: the next claim serves them last. */
  readonly servedLast: Set<string>;
  stopping: boolean;
  isAbandoned: boolean;
}

export function startWorkers(options: StartWorkersOptions): Workers {
  const id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const log = options.logger.child({ component: 'sync-worker', workerId: id });
  const wakeup = createWakeup();
  const state: WorkerState = {
    id,
    options,
    db: options.database.db,
    executor: options.executor,
    settings: options.settings,
    log,
    abandoned: () => state.isAbandoned,
    handOff: (running) => handOffOf(state, running),
    inFlight: new Map(),
    wakeup,
    subscription: listenForJobs(options, log, wakeup),
    claimSeq: 0,
    servedLast: new Set(),
    stopping: false,
    isAbandoned: false,
  };
  const claimer = claimLoop(state);
  let stopped: Promise<void> | null = null;
  return {
    id,
    stop() {
      stopped ??= stopWorkers(state, claimer);
      return stopped;
    },
    drain() {
      if (state.stopping) return Promise.resolve();
      wakeup.kick();
      return wakeup.whenIdle();
    },
    abandon() {
      state.isAbandoned = true;
      state.stopping = true;
      wakeup.kick();
      void unsubscribe(state);
      wakeup.idle();
    },
  };
}

/** NOTIFY on enqueue wakes the claimer; without the event bus (or if LISTEN fails) it only polls. */
function listenForJobs(options: StartWorkersOptions, log: Logger, wakeup: Wakeup) {
  if (!options.events) return Promise.resolve(null);
  // Back after a lost connection: jobs enqueued meanwhile notified no one, so claim now.
  const kick = () => wakeup.kick();
  return options.events.on(CHANNELS.syncJobs, kick, { onResume: kick }).catch((error: unknown) => {
    log.warn({ err: error }, 'could not listen for new sync jobs; polling only');
    return null;
  });
}

async function unsubscribe(state: WorkerState): Promise<void> {
  const off = await state.subscription;
  off?.();
}

/** Feeds the free slots with claimed jobs until stopped; sleeps until kicked or the poll interval. */
async function claimLoop(state: WorkerState): Promise<void> {
  const { settings, wakeup, inFlight } = state;
  await state.subscription;
  while (!state.stopping) {
    const free = state.options.concurrency - inFlight.size;
    if (free <= 0) {
      await wakeup.wait(settings.pollIntervalMs);
      continue;
    }
    wakeup.clear();
    const rows = await claim(state, free);
    if (rows === null) {
      if (state.stopping) break;
      await wakeup.wait(settings.pollIntervalMs);
      continue;
    }
    if (state.stopping) {
      // Claimed while stop() was called: hand them straight back (a crash would just let them expire).
      if (!state.isAbandoned) await Promise.all(rows.map((row) => releaseJob(state, row)));
      break;
    }
    for (const row of rows) startJob(state, row);
    if (rows.length === 0 && inFlight.size === 0) wakeup.idle();
    if (rows.length < free) await wakeup.wait(settings.pollIntervalMs);
  }
}

/** Claims up to `limit` jobs under a fresh lease owner; null when the claim failed (logged). */
async function claim(state: WorkerState, limit: number): Promise<ClaimedRow[] | null> {
  const { settings, options } = state;
  const servedLast = [...state.servedLast];
  state.servedLast.clear();
  try {
    return await claimSyncJobs(state.db, {
      servedLast,
      owner: `${state.id}#${++state.claimSeq}`,
      limit,
      leaseMs: settings.leaseMs,
      perIntegrationConcurrency: settings.perIntegrationConcurrency,
      maxAttempts: settings.maxAttempts,
      oneConnection: options.database.driver === 'pglite',
      ...(options.onlyTeams ? { onlyTeams: options.onlyTeams } : {}),
    });
  } catch (error) {
    if (!state.stopping)
      state.log.error({ err: error }, 'claiming sync jobs failed; retrying after the poll interval');
    return null;
  }
}

function startJob(state: WorkerState, row: ClaimedRow, chain = 0): void {
  const running: Running = {
    row,
    controller: new AbortController(),
    stopAborted: false,
    released: false,
    chain,
    handedOff: null,
    done: Promise.resolve(),
  };
  state.inFlight.set(row.id, running);
  running.done = (async () => {
    try {
      await runJob(state, running);
    } catch (error) {
      state.log.error({ err: error, jobId: row.id }, 'recording a sync job outcome failed');
    }
    let next = running.handedOff;
    if (next && state.stopping) {
      // Handed off while stop() was called: hand it straight back (after a crash its lease expires).
      if (!state.isAbandoned) await releaseJob(state, next);
      next = null;
    }
    // The slot passes to the handed-off job in the same tick, or is freed for the claim.
    state.inFlight.delete(row.id);
    if (next) return startJob(state, next, chain + 1);
    if (chain >= HAND_OFFS_IN_A_ROW) state.servedLast.add(row.integration.id);
    state.wakeup.kick();
  })();
}

/** The hand-off a running job's completion makes, decided as its statement is built. */
function handOffOf(state: WorkerState, running: Running): CompletionOptions['handOff'] {
  return {
    next: (): HandOff | null =>
      state.stopping || running.chain >= HAND_OFFS_IN_A_ROW
        ? null
        : {
            owner: `${state.id}#${++state.claimSeq}`,
            leaseMs: state.options.settings.leaseMs,
            maxAttempts: state.options.settings.maxAttempts,
            perIntegrationConcurrency: state.options.settings.perIntegrationConcurrency,
            jobId: running.row.id,
            teamId: running.row.teamId,
            integrationId: running.row.integration.id,
          },
    take: (row) => {
      running.handedOff = row;
    },
  };
}

/** Claims nothing more; running jobs get the grace period, then are aborted and, at worst, handed back. */
async function stopWorkers(state: WorkerState, claimer: Promise<void>): Promise<void> {
  const { inFlight, settings } = state;
  state.stopping = true;
  state.wakeup.kick();
  await claimer;
  await unsubscribe(state);
  if (!state.isAbandoned && inFlight.size > 0) {
    if (!(await settledWithin([...inFlight.values()], settings.shutdownGraceMs))) {
      state.log.info({ running: inFlight.size }, 'aborting running sync jobs to shut down');
      for (const running of inFlight.values()) {
        running.stopAborted = true;
        running.controller.abort(new Error('worker shutting down'));
      }
      if (!(await settledWithin([...inFlight.values()], ABORT_WAIT_MS))) {
        await Promise.all(
          [...inFlight.values()].map((running) => {
            running.released = true;
            return releaseJob(state, running.row);
          }),
        );
      }
    }
  }
  state.wakeup.idle();
  state.log.info('sync workers stopped');
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
