// The contract between the worker (claims, leases, retries, breaker) and the executor (one job's
// effects on Pinpoint). The worker knows nothing of Pinpoint; the executor nothing of leases.
import type { SyncJobPayload } from './jobs.js';

export interface ClaimedJob {
  readonly id: string;
  readonly teamId: string;
  readonly campaignContactId: string;
  readonly payload: SyncJobPayload;
  /** Attempts already made before this one (0 on the first run). */
  readonly attempts: number;
  readonly integration: { readonly id: string; readonly keyGeneration: number };
}

export type JobOutcome =
  /** Finished (pushed, skipped, blocked… — whatever the policy decided was recorded). */
  | { readonly kind: 'done' }
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
 * Pinpoint request.
 */
export type RequestGate = (integrationId: string, signal?: AbortSignal) => Promise<void>;
