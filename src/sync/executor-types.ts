// The contract between the worker (claims, leases, retries, breaker) and the executor (one job's
// effects on Pinpoint). The worker knows nothing of Pinpoint; the executor nothing of leases (it may
// only run the opaque completion the worker hands it, see ClaimedJob.complete).
import type { SQL } from 'drizzle-orm';
import type { SyncContext } from '../db/queries/sync-context.js';
import type { SyncJobPayload } from './jobs.js';

export interface ClaimedJob {
  readonly id: string;
  readonly teamId: string;
  readonly campaignContactId: string;
  readonly payload: SyncJobPayload;
  /** Attempts already made before this one (0 on the first run). */
  readonly attempts: number;
  readonly integration: { readonly id: string; readonly keyGeneration: number };
  /**
   * The campaign contact's context, when the statement that leased the job read it too (a job
   * handed a slot, see claim.ts#handedOffSql); null: the campaign contact is gone. Absent: the
   * executor reads it.
   */
  readonly context?: SyncContext | null;
  /**
   * Lets the executor complete the job in its own last statement instead of the worker in one more:
   * see Completion. The executor then answers `done` with `completed` (what `read` said). Absent:
   * the worker completes every job itself.
   */
  readonly complete?: Completion;
}

/**
 * A job's completion, opaque to the executor, for it to put into its last statement:
 * `with <its CTEs>, <parts.ctes> select <its columns>, <parts.columns>`. The first of parts' CTEs is
 * named `job` (the job's row, marked DONE only while the worker still holds the lease and `when`
 * holds); the others are the worker's (the breaker, the hand-off to the next job). `settled` is a
 * scalar subquery that reads them all: work the statement must do after them (taking the team's
 * event-log lock) reads it. The executor must not use the names `job`, `reset`, `picked` and
 * `handoff`, nor the columns `completed` and `handed_off`.
 */
export interface Completion {
  parts(when: SQL): { readonly ctes: SQL; readonly columns: SQL; readonly settled: SQL };
  /** Reads the statement's row back (undefined: none): whether `job` marked the job DONE. */
  read(row: Readonly<Record<string, unknown>> | undefined): boolean;
}

export type JobOutcome =
  /**
   * Finished (pushed, skipped, blocked… — whatever the policy decided was recorded). `completed`:
   * the executor ran ClaimedJob.complete in its last statement, and whether that marked the job
   * DONE (false: the lease was lost). Absent: the worker completes the job.
   */
  | { readonly kind: 'done'; readonly completed?: boolean }
  /**
   * A transient failure (429, 5xx, timeout, network, unknown outcome): try again later. `retryAfterMs`
   * (from Retry-After) overrides the backoff; `breaker` counts it towards opening the integration's
   * circuit breaker (true for 5xx/timeouts/network, false for 429).
   */
  | {
      readonly kind: 'retry';
      readonly error: string;
      readonly retryAfterMs?: number | null;
      readonly breaker: boolean;
    }
  /** A permanent failure the user must fix (422, unknown job…): no retry; the executor recorded it. */
  | { readonly kind: 'failed'; readonly error: string }
  /** The integration's key was refused (401/403): pause without using up an attempt. */
  | { readonly kind: 'pause'; readonly error: string };

export interface JobExecutor {
  /** Runs one job. Must not throw for expected failures; a throw counts as a transient retry. */
  execute(job: ClaimedJob, signal: AbortSignal): Promise<JobOutcome>;
  /** Called once when a job is given up (attempts exhausted): record it for users (status FAILED, event DEAD). */
  onDead(job: ClaimedJob, lastError: string): Promise<void>;
  /** Called when a transient failure will be retried (to record a RETRYING event). */
  onRetry?(job: ClaimedJob, error: string, nextRunAt: Date): Promise<void>;
}

/**
 * Reserves the next request slot for an integration (rate limit shared by every instance through
 * the database) and resolves when the request may be sent. The executor calls it before each
 * Pinpoint request. With `slots` > 1 it reserves that many consecutive slots in the same statement
 * and resolves, at the first, with when each later one is due (`performance.now()` times), for the
 * job's next requests to wait for without asking again.
 */
export interface RequestGate {
  (integrationId: string, signal?: AbortSignal, slots?: number): Promise<LaterSlots>;
  /**
   * Reserves `slots` consecutive slots now without waiting for them: when each is due
   * (`performance.now()` times); undefined when the integration is not limited. Lets a job reserve
   * its first slot while it still reads its context, and its later ones while a request runs.
   */
  readonly reserve?: (integrationId: string, slots: number) => Promise<readonly number[] | undefined>;
  /**
   * Whether the integration's last reservation here was due at once (its limiter is not behind):
   * only then does a job reserve ahead, since a slot it ends up not using costs the others nothing.
   */
  readonly isIdle?: (integrationId: string) => boolean;
}

/** Due times of the later slots a gate reserved; nothing from a gate that takes one at a time. */
// biome-ignore lint/suspicious/noConfusingVoidType: a plain `async` wrapper of a gate answers void
export type LaterSlots = readonly number[] | void;
